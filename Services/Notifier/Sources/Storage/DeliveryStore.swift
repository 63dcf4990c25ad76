import Foundation
import LeadModel
import Logging
import NIOCore
import PostgresNIO

/// One notification on one channel to one recipient, as stored (`<schema>.deliveries`).
struct DeliveryRecord: Sendable {
    var id: UUID
    var key: NotificationKey
    var leadId: LeadID
    var kind: NotificationKind
    var channel: NotificationChannel
    var recipient: NotificationRecipient
    var recipientName: String?
    var address: String?
    var subject: String?
    var text: String?
    var html: String?
    var payload: [UInt8]?
    var causeEventId: UUID?
    var state: DeliveryState
    var dueAt: Date
    var attempts: Int
    var lastError: String?
}

/// Where a delivery is in its life.
enum DeliveryState: String, Sendable, Codable, CaseIterable {
    /// Waiting to be sent (due at `due_at`).
    case pending
    /// Claimed by a dispatcher (under a lease).
    case sending
    /// Accepted by the server.
    case sent
    /// Given up.
    case failed
    /// Not sent on purpose.
    case suppressed
    /// Stopped before it was sent (the lead was erased).
    case cancelled
}

/// The stored deliveries, and the dispatcher's claims on them.
struct DeliveryStore: Sendable {
    let schema: String

    /// Inserts deliveries in one statement; one whose key exists is left alone. Returns the keys
    /// inserted now.
    func insert(_ records: [DeliveryRecord], on connection: PostgresConnection, logger: Logger) async throws -> Set<String> {
        guard !records.isEmpty else { return [] }
        let columns = 21
        var binds = PostgresBindings(capacity: records.count * columns)
        var rows: [String] = []
        for (index, record) in records.enumerated() {
            rows.append("(" + (1...columns).map { "$\(index * columns + $0)" }.joined(separator: ", ") + ")")
            binds.append(record.id)
            binds.append(record.key.value)
            binds.append(record.leadId.uuid)
            binds.append(record.kind.rawValue)
            binds.append(record.kind.purpose.rawValue)
            binds.append(record.channel.rawValue)
            binds.append(record.recipient.id)
            binds.append(record.recipient.kind.rawValue)
            binds.append(record.recipientName)
            binds.append(record.address)
            binds.append(record.recipient.addressHash)
            binds.append(record.recipient.maskedAddress)
            binds.append(record.subject)
            binds.append(record.text)
            binds.append(record.html)
            binds.append(record.payload.map { ByteBuffer(bytes: $0) })
            binds.append(record.causeEventId)
            binds.append(record.state.rawValue)
            binds.append(record.dueAt)
            binds.append(record.attempts)
            binds.append(record.lastError)
        }
        let sql = """
            INSERT INTO \(schema).deliveries (
                id, notification_key, lead_id, kind, purpose, channel, recipient_id, recipient_kind, recipient_name,
                address, address_hash, masked_address, subject, body_text, body_html, payload, cause_event_id, state,
                due_at, attempts, last_error)
            VALUES \(rows.joined(separator: ", "))
            ON CONFLICT (notification_key) DO NOTHING
            RETURNING notification_key
            """
        var inserted: Set<String> = []
        for try await key in try await connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger).decode(String.self) {
            inserted.insert(key)
        }
        return inserted
    }

    /// Ends the leases `owner` holds: called when an instance starts, so a restart under the same
    /// stable instance id (`LEADFLOW_INSTANCE_ID`) takes over what its killed predecessor was
    /// sending at once instead of after the lease. Returns how many were released.
    func releaseLeases(of owner: String, on connection: PostgresConnection, logger: Logger) async throws -> Int {
        try await LeaseTakeover.release(table: "\(schema).deliveries", stampsUpdatedAt: true, of: owner, on: connection, logger: logger)
    }

    /// Claims up to `limit` due deliveries for `owner`: pending ones due at `now` (the notifier's
    /// clock) and sending ones whose lease ran out (their dispatcher died). Locked rows are skipped,
    /// so instances never claim the same delivery; the lease runs on the database's clock.
    func claim(now: Date, limit: Int, owner: String, lease: Duration, on connection: PostgresConnection, logger: Logger) async throws -> [(OutgoingDelivery, DeliveryRecord, UUID)] {
        let leaseSeconds = Double(lease.components.seconds)
        let rows = try await connection.query(
            """
            UPDATE \(unescaped: schema).deliveries d SET
                state = 'sending', attempts = d.attempts + 1, lease_owner = \(owner), lease_token = gen_random_uuid(),
                lease_until = now() + make_interval(secs => \(leaseSeconds)), updated_at = now()
            FROM (
                SELECT id FROM \(unescaped: schema).deliveries
                WHERE (state = 'pending' AND due_at <= \(now)) OR (state = 'sending' AND lease_until < now())
                ORDER BY due_at
                LIMIT \(limit)
                FOR UPDATE SKIP LOCKED
            ) due
            WHERE d.id = due.id
            RETURNING d.id, d.notification_key, d.lead_id, d.kind, d.channel, d.recipient_id, d.recipient_kind, d.recipient_name,
                d.address, d.address_hash, d.masked_address, d.subject, d.body_text, d.body_html, d.payload, d.cause_event_id,
                d.state, d.due_at, d.attempts, d.last_error, d.lease_token,
                (SELECT r.webhook_secret FROM \(unescaped: schema).recipients r WHERE r.id = d.recipient_id) AS webhook_secret
            """,
            logger: logger)
        var claimed: [(OutgoingDelivery, DeliveryRecord, UUID)] = []
        for try await row in rows {
            let row = row.makeRandomAccess()
            let record = try Self.decode(row)
            let token = try row["lease_token"].decode(UUID.self)
            let outgoing = OutgoingDelivery(
                id: record.id, key: record.key, leadId: record.leadId, kind: record.kind, channel: record.channel,
                recipientId: record.recipient.id, recipientKind: record.recipient.kind, recipientName: record.recipientName,
                address: record.address ?? "", subject: record.subject, text: record.text ?? "", html: record.html,
                payload: record.payload, webhookSecret: try row["webhook_secret"].decode(String?.self), attempt: record.attempts)
            claimed.append((outgoing, record, token))
        }
        return claimed
    }

    /// Finishes a claimed delivery (only while the lease `token` is still ours): `sent`, `failed`,
    /// or back to `pending` at `retryAt`. Returns whether the row was still ours.
    func finish(
        _ id: UUID, token: UUID, state: DeliveryState, retryAt: Date?, error: String?, by owner: String, now: Date,
        on connection: PostgresConnection, logger: Logger
    ) async throws -> Bool {
        let rows = try await connection.query(
            """
            UPDATE \(unescaped: schema).deliveries SET
                state = \(state.rawValue), due_at = COALESCE(\(retryAt), due_at), last_error = \(error),
                lease_owner = NULL, lease_token = NULL, lease_until = NULL,
                sent_by = CASE WHEN \(state.rawValue) = 'sent' THEN \(owner) ELSE sent_by END,
                sent_at = CASE WHEN \(state.rawValue) = 'sent' THEN \(now)::timestamptz ELSE sent_at END,
                updated_at = now()
            WHERE id = \(id) AND lease_token = \(token) AND state = 'sending'
            RETURNING 1
            """,
            logger: logger)
        for try await _ in rows { return true }
        return false
    }

    /// Stops every pending delivery of an erased lead and removes personal data from all its
    /// deliveries; returns the ones stopped (for their `suppressed` outcomes).
    func erase(leadId: LeadID, on connection: PostgresConnection, logger: Logger) async throws -> [DeliveryRecord] {
        let rows = try await connection.query(
            """
            UPDATE \(unescaped: schema).deliveries SET state = 'cancelled', last_error = 'lead_erased', updated_at = now()
            WHERE lead_id = \(leadId.uuid) AND state = 'pending'
            RETURNING \(unescaped: Self.columns)
            """,
            logger: logger)
        var stopped: [DeliveryRecord] = []
        for try await row in rows { stopped.append(try Self.decode(row.makeRandomAccess())) }
        try await connection.query(
            """
            UPDATE \(unescaped: schema).deliveries SET
                address = NULL, address_hash = NULL, masked_address = NULL, recipient_name = CASE WHEN recipient_kind = 'customer' THEN NULL ELSE recipient_name END,
                subject = NULL, body_text = NULL, body_html = NULL, payload = NULL, updated_at = now()
            WHERE lead_id = \(leadId.uuid)
            """,
            logger: logger)
        return stopped
    }

    /// Deliveries of a lead, oldest first.
    func list(leadId: LeadID, on connection: PostgresConnection, logger: Logger) async throws -> [DeliveryRecord] {
        try await select("WHERE lead_id = \(leadId.uuid) ORDER BY created_at, notification_key LIMIT 1000", on: connection, logger: logger)
    }

    /// Deliveries in `state`, most recently changed first.
    func list(state: DeliveryState?, limit: Int, on connection: PostgresConnection, logger: Logger) async throws -> [DeliveryRecord] {
        try await select(
            "WHERE (\(state?.rawValue)::text IS NULL OR state = \(state?.rawValue)) ORDER BY updated_at DESC LIMIT \(limit)",
            on: connection, logger: logger)
    }

    /// Puts a failed delivery back in line with fresh attempts; returns it, or nil when it is not failed.
    func retry(_ id: UUID, now: Date, on connection: PostgresConnection, logger: Logger) async throws -> DeliveryRecord? {
        let rows = try await connection.query(
            """
            UPDATE \(unescaped: schema).deliveries SET state = 'pending', attempts = 0, due_at = \(now), last_error = NULL, updated_at = now()
            WHERE id = \(id) AND state = 'failed' AND address IS NOT NULL
            RETURNING \(unescaped: Self.columns)
            """,
            logger: logger)
        for try await row in rows { return try Self.decode(row.makeRandomAccess()) }
        return nil
    }

    static let columns = """
        id, notification_key, lead_id, kind, channel, recipient_id, recipient_kind, recipient_name, address, address_hash,
        masked_address, subject, body_text, body_html, payload, cause_event_id, state, due_at, attempts, last_error
        """

    private func select(_ clause: PostgresQuery, on connection: PostgresConnection, logger: Logger) async throws -> [DeliveryRecord] {
        let query = PostgresQuery(unsafeSQL: "SELECT \(Self.columns) FROM \(schema).deliveries " + clause.sql, binds: clause.binds)
        var records: [DeliveryRecord] = []
        for try await row in try await connection.query(query, logger: logger) {
            records.append(try Self.decode(row.makeRandomAccess()))
        }
        return records
    }

    static func decode(_ row: PostgresRandomAccessRow) throws -> DeliveryRecord {
        let kind = try row["kind"].decode(String.self)
        let channel = try row["channel"].decode(String.self)
        let recipientKind = try row["recipient_kind"].decode(String.self)
        let state = try row["state"].decode(String.self)
        guard let kind = NotificationKind(rawValue: kind), let channel = NotificationChannel(rawValue: channel),
              let recipientKind = NotificationRecipient.Kind(rawValue: recipientKind), let state = DeliveryState(rawValue: state)
        else { throw StoreInconsistency(what: "a delivery row holds an unknown kind, channel or state") }
        return DeliveryRecord(
            id: try row["id"].decode(UUID.self),
            key: NotificationKey(stored: try row["notification_key"].decode(String.self)),
            leadId: LeadID(try row["lead_id"].decode(UUID.self)),
            kind: kind, channel: channel,
            recipient: NotificationRecipient(
                id: try row["recipient_id"].decode(String.self), kind: recipientKind,
                addressHash: try row["address_hash"].decode(String?.self), maskedAddress: try row["masked_address"].decode(String?.self)),
            recipientName: try row["recipient_name"].decode(String?.self),
            address: try row["address"].decode(String?.self),
            subject: try row["subject"].decode(String?.self),
            text: try row["body_text"].decode(String?.self),
            html: try row["body_html"].decode(String?.self),
            payload: try row["payload"].decode(ByteBuffer?.self).map { Array($0.readableBytesView) },
            causeEventId: try row["cause_event_id"].decode(UUID?.self),
            state: state,
            dueAt: try row["due_at"].decode(Date.self),
            attempts: try row["attempts"].decode(Int.self),
            lastError: try row["last_error"].decode(String?.self))
    }
}
