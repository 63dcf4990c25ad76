import Foundation
import LeadModel
import Logging
import NIOCore
import PostgresNIO

/// A delivery claimed by a worker, with what it needs to send it.
struct ClaimedSubscriptionDelivery: Sendable {
    var id: UUID
    var subscriptionId: UUID
    var eventId: UUID
    var eventType: String
    var leadId: LeadID
    var body: [UInt8]
    var attempt: Int
    var url: String
    var secret: String
    var token: UUID
}

/// One delivery as `GET /v1/subscriptions/{id}/deliveries` shows it (no body).
struct SubscriptionDeliveryView: Encodable, Sendable {
    var id: String
    var sequence: Int64
    var eventId: String
    var eventType: String
    var leadId: LeadID
    var occurredAt: Date
    var state: String
    var attempts: Int
    var nextAttemptAt: Date?
    var lastAttemptAt: Date?
    var lastError: String?
    var lastStatusCode: Int?
    var lastDurationMs: Int?
    var deliveredAt: Date?
    var createdAt: Date
}

/// What happened when a failure was recorded.
struct FailureRecord: Sendable {
    /// When the delivery is tried again.
    var retryAt: Date
    /// Set when this failure paused the subscription.
    var pausedReason: String?
}

/// Subscriptions and their deliveries (`<schema>.subscriptions`, `.subscription_deliveries`).
struct SubscriptionStore: Sendable {
    let schema: String

    static let columns = """
        id, name, url, filter::text AS filter, state, paused_reason, paused_at, consecutive_failures, failing_since,
        last_delivered_at, last_error, created_at, updated_at, updated_by
        """

    // MARK: Subscriptions

    /// Creates a subscription.
    func create(_ subscription: Subscription, secret: String, on connection: PostgresConnection, logger: Logger) async throws {
        let filter = String(decoding: try JSONEncoder().encode(subscription.filter), as: UTF8.self)
        try await connection.query(
            """
            INSERT INTO \(unescaped: schema).subscriptions (id, name, url, secret, filter, state, created_at, updated_at, updated_by)
            VALUES (\(subscription.id), \(subscription.name), \(subscription.url), \(secret), \(filter)::jsonb, 'active',
                    \(subscription.createdAt), \(subscription.updatedAt), \(subscription.updatedBy))
            """,
            logger: logger)
    }

    /// Replaces name, URL, filter (and the secret when given); returns whether it existed.
    func update(
        _ id: UUID, name: String?, url: String, filter: SubscriptionFilter, secret: String?, by: String, now: Date,
        on connection: PostgresConnection, logger: Logger
    ) async throws -> Bool {
        let filterJSON = String(decoding: try JSONEncoder().encode(filter), as: UTF8.self)
        let rows = try await connection.query(
            """
            UPDATE \(unescaped: schema).subscriptions SET name = \(name), url = \(url), filter = \(filterJSON)::jsonb,
                secret = COALESCE(\(secret), secret), updated_at = \(now), updated_by = \(by)
            WHERE id = \(id) RETURNING 1
            """,
            logger: logger)
        for try await _ in rows { return true }
        return false
    }

    /// The subscription, or nil.
    func find(_ id: UUID, on connection: PostgresConnection, logger: Logger) async throws -> Subscription? {
        try await select("WHERE id = \(id)", on: connection, logger: logger).first
    }

    /// The first `limit` subscriptions, oldest first.
    func list(limit: Int, on connection: PostgresConnection, logger: Logger) async throws -> [Subscription] {
        try await select("ORDER BY created_at, id LIMIT \(limit)", on: connection, logger: logger)
    }

    /// Every subscription (active and paused: paused ones collect their backlog).
    func all(on connection: PostgresConnection, logger: Logger) async throws -> [Subscription] {
        try await select("ORDER BY created_at, id", on: connection, logger: logger)
    }

    /// Deletes the subscription and its deliveries; returns whether it existed.
    func delete(_ id: UUID, on connection: PostgresConnection, logger: Logger) async throws -> Bool {
        let rows = try await connection.query("DELETE FROM \(unescaped: schema).subscriptions WHERE id = \(id) RETURNING 1", logger: logger)
        for try await _ in rows { return true }
        return false
    }

    /// Pauses (reason given) or resumes (reason nil) the subscription. Resuming clears the failure
    /// streak and makes its backlog due at `now`. Returns the subscription, or nil when unknown.
    func setPaused(_ id: UUID, reason: String?, now: Date, by: String, on connection: PostgresConnection, logger: Logger) async throws -> Subscription? {
        if let reason {
            try await connection.query(
                """
                UPDATE \(unescaped: schema).subscriptions SET state = 'paused', paused_reason = \(reason), paused_at = \(now),
                    updated_at = \(now), updated_by = \(by)
                WHERE id = \(id) AND state = 'active'
                """,
                logger: logger)
        } else {
            try await connection.query(
                """
                UPDATE \(unescaped: schema).subscriptions SET state = 'active', paused_reason = NULL, paused_at = NULL,
                    consecutive_failures = 0, failing_since = NULL, updated_at = \(now), updated_by = \(by)
                WHERE id = \(id) AND state = 'paused'
                """,
                logger: logger)
            try await connection.query(
                """
                UPDATE \(unescaped: schema).subscription_deliveries SET next_attempt_at = \(now)
                WHERE subscription_id = \(id) AND state = 'pending' AND next_attempt_at > \(now)
                """,
                logger: logger)
        }
        return try await find(id, on: connection, logger: logger)
    }

    /// Pending (or in-flight) deliveries of the subscription.
    func backlog(_ id: UUID, on connection: PostgresConnection, logger: Logger) async throws -> Int {
        let rows = try await connection.query(
            "SELECT count(*)::int FROM \(unescaped: schema).subscription_deliveries WHERE subscription_id = \(id) AND state <> 'delivered'",
            logger: logger)
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }

    private func select(_ clause: PostgresQuery, on connection: PostgresConnection, logger: Logger) async throws -> [Subscription] {
        let query = PostgresQuery(unsafeSQL: "SELECT \(Self.columns) FROM \(schema).subscriptions " + clause.sql, binds: clause.binds)
        var result: [Subscription] = []
        for try await row in try await connection.query(query, logger: logger) {
            let row = row.makeRandomAccess()
            let filterJSON = try row["filter"].decode(String.self)
            guard let state = Subscription.State(rawValue: try row["state"].decode(String.self)) else {
                throw StoreInconsistency(what: "a subscription row holds an unknown state")
            }
            result.append(Subscription(
                id: try row["id"].decode(UUID.self),
                name: try row["name"].decode(String?.self),
                url: try row["url"].decode(String.self),
                filter: try JSONDecoder().decode(SubscriptionFilter.self, from: Data(filterJSON.utf8)),
                state: state,
                pausedReason: try row["paused_reason"].decode(String?.self),
                pausedAt: try row["paused_at"].decode(Date?.self),
                consecutiveFailures: try row["consecutive_failures"].decode(Int.self),
                failingSince: try row["failing_since"].decode(Date?.self),
                lastDeliveredAt: try row["last_delivered_at"].decode(Date?.self),
                lastError: try row["last_error"].decode(String?.self),
                createdAt: try row["created_at"].decode(Date.self),
                updatedAt: try row["updated_at"].decode(Date.self),
                updatedBy: try row["updated_by"].decode(String.self)))
        }
        return result
    }

    // MARK: Lead facts

    /// What the notifier learnt of the lead's source and location from events that carry them.
    func facts(_ leadId: LeadID, on connection: PostgresConnection, logger: Logger) async throws -> SubscribedEvent.LeadFacts {
        let rows = try await connection.query(
            "SELECT source_id, location_id FROM \(unescaped: schema).subscription_lead_facts WHERE lead_id = \(leadId.uuid)",
            logger: logger)
        for try await (source, location) in rows.decode((String?, String?).self) {
            return SubscribedEvent.LeadFacts(sourceId: source, locationId: location)
        }
        return SubscribedEvent.LeadFacts()
    }

    /// Remembers the lead's source and location (a nil value keeps what is known).
    func remember(_ leadId: LeadID, _ facts: SubscribedEvent.LeadFacts, on connection: PostgresConnection, logger: Logger) async throws {
        guard facts.sourceId != nil || facts.locationId != nil else { return }
        try await connection.query(
            """
            INSERT INTO \(unescaped: schema).subscription_lead_facts (lead_id, source_id, location_id)
            VALUES (\(leadId.uuid), \(facts.sourceId), \(facts.locationId))
            ON CONFLICT (lead_id) DO UPDATE SET
                source_id = COALESCE(EXCLUDED.source_id, subscription_lead_facts.source_id),
                location_id = COALESCE(EXCLUDED.location_id, subscription_lead_facts.location_id)
            """,
            logger: logger)
    }

    // MARK: Deliveries

    /// A delivery to insert.
    struct NewDelivery: Sendable {
        var id: UUID
        var subscriptionId: UUID
        var event: SubscribedEvent
        var body: [UInt8]
    }

    /// Inserts deliveries in the given order (which is their per-lead order); one that exists for
    /// its event and subscription is left alone. Returns how many were inserted.
    func insert(_ deliveries: [NewDelivery], now: Date, on connection: PostgresConnection, logger: Logger) async throws -> Int {
        var inserted = 0
        for delivery in deliveries {
            let rows = try await connection.query(
                """
                INSERT INTO \(unescaped: schema).subscription_deliveries (
                    id, subscription_id, event_id, event_type, lead_id, occurred_at, body, next_attempt_at)
                VALUES (\(delivery.id), \(delivery.subscriptionId), \(delivery.event.eventId), \(delivery.event.type),
                        \(delivery.event.leadId.uuid), \(delivery.event.occurredAt), \(ByteBuffer(bytes: delivery.body)), \(now))
                ON CONFLICT (subscription_id, event_id) DO NOTHING
                RETURNING 1
                """,
                logger: logger)
            for try await _ in rows { inserted += 1 }
        }
        return inserted
    }

    /// Ends the leases `owner` holds (called at start: a restart under the same stable instance id
    /// resumes what its killed predecessor was sending at once). Returns how many were released.
    func releaseLeases(of owner: String, on connection: PostgresConnection, logger: Logger) async throws -> Int {
        try await LeaseTakeover.release(table: "\(schema).subscription_deliveries", stampsUpdatedAt: false, of: owner, on: connection, logger: logger)
    }

    /// Claims up to `limit` deliveries that are due, of active subscriptions, and first in line for
    /// their lead and subscription (no earlier delivery of the same lead is still open), so a later
    /// event never overtakes an earlier one. `sending` rows whose lease ran out (their worker died)
    /// are taken again. Locked rows are skipped: workers never claim the same delivery.
    func claim(now: Date, limit: Int, owner: String, lease: Duration, on connection: PostgresConnection, logger: Logger) async throws -> [ClaimedSubscriptionDelivery] {
        let leaseSeconds = Double(lease.components.seconds)
        let rows = try await connection.query(
            """
            UPDATE \(unescaped: schema).subscription_deliveries d SET
                state = 'sending', attempts = d.attempts + 1, lease_owner = \(owner), lease_token = gen_random_uuid(),
                lease_until = now() + make_interval(secs => \(leaseSeconds))
            FROM (
                SELECT h.id FROM \(unescaped: schema).subscription_deliveries h
                JOIN \(unescaped: schema).subscriptions s ON s.id = h.subscription_id AND s.state = 'active'
                WHERE ((h.state = 'pending' AND h.next_attempt_at <= \(now)) OR (h.state = 'sending' AND h.lease_until < now()))
                  AND NOT EXISTS (
                    SELECT 1 FROM \(unescaped: schema).subscription_deliveries e
                    WHERE e.subscription_id = h.subscription_id AND e.lead_id = h.lead_id AND e.seq < h.seq
                      AND e.state IN ('pending', 'sending'))
                ORDER BY h.seq
                LIMIT \(limit)
                FOR UPDATE OF h SKIP LOCKED
            ) due, \(unescaped: schema).subscriptions s
            WHERE d.id = due.id AND s.id = d.subscription_id
            RETURNING d.id, d.subscription_id, d.event_id, d.event_type, d.lead_id, d.body, d.attempts, d.lease_token, s.url, s.secret
            """,
            logger: logger)
        var claimed: [ClaimedSubscriptionDelivery] = []
        for try await row in rows {
            let row = row.makeRandomAccess()
            claimed.append(ClaimedSubscriptionDelivery(
                id: try row["id"].decode(UUID.self),
                subscriptionId: try row["subscription_id"].decode(UUID.self),
                eventId: try row["event_id"].decode(UUID.self),
                eventType: try row["event_type"].decode(String.self),
                leadId: LeadID(try row["lead_id"].decode(UUID.self)),
                body: try row["body"].decode(ByteBuffer?.self).map { Array($0.readableBytesView) } ?? [],
                attempt: try row["attempts"].decode(Int.self),
                url: try row["url"].decode(String.self),
                secret: try row["secret"].decode(String.self),
                token: try row["lease_token"].decode(UUID.self)))
        }
        return claimed
    }

    /// Marks a claimed delivery delivered (only while the lease is ours) and ends the
    /// subscription's failure streak. The body is dropped: history keeps no lead data. Returns
    /// whether the row was still ours.
    func delivered(
        _ delivery: ClaimedSubscriptionDelivery, status: Int, durationMs: Int, now: Date, on connection: PostgresConnection, logger: Logger
    ) async throws -> Bool {
        let rows = try await connection.query(
            """
            UPDATE \(unescaped: schema).subscription_deliveries SET
                state = 'delivered', delivered_at = \(now), last_attempt_at = \(now), last_status_code = \(status),
                last_duration_ms = \(durationMs), body = NULL,
                lease_owner = NULL, lease_token = NULL, lease_until = NULL
            WHERE id = \(delivery.id) AND lease_token = \(delivery.token) AND state = 'sending'
            RETURNING 1
            """,
            logger: logger)
        var ours = false
        for try await _ in rows { ours = true }
        guard ours else { return false }
        try await connection.query(
            """
            UPDATE \(unescaped: schema).subscriptions SET consecutive_failures = 0, failing_since = NULL, last_delivered_at = \(now)
            WHERE id = \(delivery.subscriptionId)
            """,
            logger: logger)
        return true
    }

    /// Puts a claimed delivery back in line after a failed attempt (only while the lease is ours),
    /// counts the failure on its subscription and pauses the subscription when the policy says so.
    /// Returns nil when the row was no longer ours.
    func failed(
        _ delivery: ClaimedSubscriptionDelivery, error: String, status: Int?, durationMs: Int, now: Date,
        policy: SubscriptionDeliveryPolicy, random: Double, on connection: PostgresConnection, logger: Logger
    ) async throws -> FailureRecord? {
        let retryAt = now.addingTimeInterval(policy.retryDelay(afterAttempt: delivery.attempt, random: random))
        let rows = try await connection.query(
            """
            UPDATE \(unescaped: schema).subscription_deliveries SET
                state = 'pending', next_attempt_at = \(retryAt), last_attempt_at = \(now), last_status_code = \(status),
                last_duration_ms = \(durationMs), last_error = \(error),
                lease_owner = NULL, lease_token = NULL, lease_until = NULL
            WHERE id = \(delivery.id) AND lease_token = \(delivery.token) AND state = 'sending'
            RETURNING 1
            """,
            logger: logger)
        var ours = false
        for try await _ in rows { ours = true }
        guard ours else { return nil }
        let streak = try await connection.query(
            """
            UPDATE \(unescaped: schema).subscriptions SET
                consecutive_failures = consecutive_failures + 1, failing_since = COALESCE(failing_since, \(now)), last_error = \(error)
            WHERE id = \(delivery.subscriptionId)
            RETURNING consecutive_failures, failing_since, state
            """,
            logger: logger)
        var record = FailureRecord(retryAt: retryAt, pausedReason: nil)
        for try await (failures, since, state) in streak.decode((Int, Date, String).self) {
            guard state == Subscription.State.active.rawValue,
                  let reason = policy.pauseReason(consecutiveFailures: failures, failingSince: since, now: now)
            else { continue }
            try await connection.query(
                """
                UPDATE \(unescaped: schema).subscriptions SET state = 'paused', paused_reason = \(reason), paused_at = \(now)
                WHERE id = \(delivery.subscriptionId) AND state = 'active'
                """,
                logger: logger)
            record.pausedReason = reason
        }
        return record
    }

    /// Deliveries of a subscription, newest first, before sequence `before` (paging).
    func deliveries(
        of subscriptionId: UUID, state: String?, before: Int64?, limit: Int, on connection: PostgresConnection, logger: Logger
    ) async throws -> [SubscriptionDeliveryView] {
        let rows = try await connection.query(
            """
            SELECT id, seq, event_id, event_type, lead_id, occurred_at, state, attempts, next_attempt_at, last_attempt_at,
                   last_error, last_status_code, last_duration_ms, delivered_at, created_at
            FROM \(unescaped: schema).subscription_deliveries
            WHERE subscription_id = \(subscriptionId) AND (\(state)::text IS NULL OR state = \(state))
              AND (\(before)::bigint IS NULL OR seq < \(before))
            ORDER BY seq DESC
            LIMIT \(limit)
            """,
            logger: logger)
        var result: [SubscriptionDeliveryView] = []
        for try await row in rows {
            let row = row.makeRandomAccess()
            let state = try row["state"].decode(String.self)
            result.append(SubscriptionDeliveryView(
                id: try row["id"].decode(UUID.self).uuidString.lowercased(),
                sequence: try row["seq"].decode(Int64.self),
                eventId: try row["event_id"].decode(UUID.self).uuidString.lowercased(),
                eventType: try row["event_type"].decode(String.self),
                leadId: LeadID(try row["lead_id"].decode(UUID.self)),
                occurredAt: try row["occurred_at"].decode(Date.self),
                state: state,
                attempts: try row["attempts"].decode(Int.self),
                nextAttemptAt: state == "delivered" ? nil : try row["next_attempt_at"].decode(Date.self),
                lastAttemptAt: try row["last_attempt_at"].decode(Date?.self),
                lastError: try row["last_error"].decode(String?.self),
                lastStatusCode: try row["last_status_code"].decode(Int?.self),
                lastDurationMs: try row["last_duration_ms"].decode(Int?.self),
                deliveredAt: try row["delivered_at"].decode(Date?.self),
                createdAt: try row["created_at"].decode(Date.self)))
        }
        return result
    }

    /// Open deliveries per subscription (every subscription listed, 0 included) and how many are paused.
    func gauges(on connection: PostgresConnection, logger: Logger) async throws -> (backlog: [UUID: Int], paused: Int) {
        let rows = try await connection.query(
            """
            SELECT s.id, s.state, (SELECT count(*)::int FROM \(unescaped: schema).subscription_deliveries d
                                   WHERE d.subscription_id = s.id AND d.state IN ('pending', 'sending'))
            FROM \(unescaped: schema).subscriptions s
            """,
            logger: logger)
        var backlog: [UUID: Int] = [:]
        var paused = 0
        for try await (id, state, count) in rows.decode((UUID, String, Int).self) {
            backlog[id] = count
            if state == Subscription.State.paused.rawValue { paused += 1 }
        }
        return (backlog, paused)
    }
}
