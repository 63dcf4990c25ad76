import Foundation
import LeadModel
import LeadServiceKit
import Logging
import PostgresNIO

/// A lead as ingest keeps it: the authoritative snapshot plus the access facts that only
/// `leads.assigned` tells (the team).
struct StoredLead: Sendable {
    var lead: Lead
    var teamId: String?
    var erasedAt: Date?

    /// What access checks need.
    var facts: LeadAccessFacts { LeadAccessFacts(lead: lead, teamId: teamId) }
}

/// The leads tables (`leads`, `dedup_keys`, `source_lead_ids`, `lead_tasks`,
/// `lead_appointments`), always used inside the caller's transaction.
struct LeadStore: Sendable {
    let logger: Logger

    // MARK: Locks and lookups

    /// Takes transaction-scoped advisory locks on `keys` in one global order, so two
    /// instances handling the same person serialize instead of both creating a lead.
    func lock(_ keys: [String], on connection: PostgresConnection) async throws {
        guard !keys.isEmpty else { return }
        try await connection.query(
            """
            SELECT pg_advisory_xact_lock(h) FROM (
                SELECT DISTINCT hashtextextended(k, 7211) AS h FROM unnest(\(keys)::text[]) AS k ORDER BY 1
            ) AS locks
            """, logger: logger)
    }

    /// The lead a source-native id already produced.
    func leadId(sourceId: String, sourceLeadId: String, on connection: PostgresConnection) async throws -> LeadID? {
        let rows = try await connection.query(
            "SELECT lead_id FROM ingest.source_lead_ids WHERE source_id = \(sourceId) AND source_lead_id = \(sourceLeadId)",
            logger: logger)
        for try await id in rows.decode(UUID.self) { return LeadID(id) }
        return nil
    }

    /// The live leads `keys` point to, seen since `since`, as key → lead id.
    func matches(_ keys: [String], since: Date, on connection: PostgresConnection) async throws -> [String: LeadID] {
        guard !keys.isEmpty else { return [:] }
        let rows = try await connection.query(
            """
            SELECT k.key, k.lead_id FROM ingest.dedup_keys k JOIN ingest.leads l ON l.id = k.lead_id
            WHERE k.key = ANY(\(keys)::text[]) AND k.last_seen_at >= \(since) AND l.erased_at IS NULL
            """, logger: logger)
        var result: [String: LeadID] = [:]
        for try await (key, id) in rows.decode((String, UUID).self) { result[key] = LeadID(id) }
        return result
    }

    /// Loads a lead, locking its row for the rest of the transaction when `forUpdate`.
    func load(_ id: LeadID, forUpdate: Bool, on connection: PostgresConnection) async throws -> StoredLead? {
        let rows = try await connection.query(
            """
            SELECT snapshot::text, team_id, erased_at FROM ingest.leads WHERE id = \(id.uuid)
            \(unescaped: forUpdate ? "FOR UPDATE" : "")
            """, logger: logger)
        for try await (snapshot, teamId, erasedAt) in rows.decode((String, String?, Date?).self) {
            let lead = try LeadflowJSON.decode(Lead.self, from: Array(snapshot.utf8))
            return StoredLead(lead: lead, teamId: teamId, erasedAt: erasedAt)
        }
        return nil
    }

    // MARK: Writes

    /// Stores a new lead.
    func insert(_ lead: Lead, now: Date, on connection: PostgresConnection) async throws {
        let snapshot = String(decoding: try LeadflowJSON.encode(lead), as: UTF8.self)
        try await connection.query(
            """
            INSERT INTO ingest.leads (id, source_id, snapshot, location_id, owner_id, collaborators, is_test, created_at, updated_at)
            VALUES (\(lead.id.uuid), \(lead.source.id), \(snapshot)::jsonb, \(lead.locationId), \(lead.ownerId),
                    \(lead.collaborators)::text[], \(lead.isTest), \(lead.createdAt), \(now))
            """, logger: logger)
    }

    /// Writes a changed lead (snapshot and access facts); `team` replaces the team when given.
    func update(_ lead: Lead, team: String?? = nil, now: Date, on connection: PostgresConnection) async throws {
        let snapshot = String(decoding: try LeadflowJSON.encode(lead), as: UTF8.self)
        try await connection.query(
            """
            UPDATE ingest.leads SET snapshot = \(snapshot)::jsonb, location_id = \(lead.locationId), owner_id = \(lead.ownerId),
                collaborators = \(lead.collaborators)::text[], updated_at = \(now)
            WHERE id = \(lead.id.uuid)
            """, logger: logger)
        if let team {
            try await connection.query(
                "UPDATE ingest.leads SET team_id = \(team) WHERE id = \(lead.id.uuid)", logger: logger)
        }
    }

    /// Points `keys` at `leadId`, seen `now`.
    func upsertKeys(_ keys: [String], leadId: LeadID, now: Date, on connection: PostgresConnection) async throws {
        guard !keys.isEmpty else { return }
        try await connection.query(
            """
            INSERT INTO ingest.dedup_keys (key, lead_id, last_seen_at)
            SELECT k, \(leadId.uuid), \(now) FROM unnest(\(keys)::text[]) AS k
            ON CONFLICT (key) DO UPDATE SET lead_id = EXCLUDED.lead_id, last_seen_at = EXCLUDED.last_seen_at
            """, logger: logger)
    }

    /// Records that `sourceLeadId` of `sourceId` produced `leadId`.
    func recordSourceLeadId(sourceId: String, sourceLeadId: String, leadId: LeadID, now: Date, on connection: PostgresConnection) async throws {
        try await connection.query(
            """
            INSERT INTO ingest.source_lead_ids (source_id, source_lead_id, lead_id, received_at)
            VALUES (\(sourceId), \(sourceLeadId), \(leadId.uuid), \(now)) ON CONFLICT DO NOTHING
            """, logger: logger)
    }

    /// Erases a lead's personal data from every ingest table: the snapshot keeps only
    /// anonymous facts, de-duplication keys go, and published outbox rows about it are purged.
    func erase(_ erased: Lead, now: Date, on connection: PostgresConnection) async throws {
        let snapshot = String(decoding: try LeadflowJSON.encode(erased), as: UTF8.self)
        try await connection.query(
            "UPDATE ingest.leads SET snapshot = \(snapshot)::jsonb, erased_at = \(now), updated_at = \(now) WHERE id = \(erased.id.uuid)",
            logger: logger)
        try await connection.query("DELETE FROM ingest.dedup_keys WHERE lead_id = \(erased.id.uuid)", logger: logger)
        try await connection.query(
            "DELETE FROM ingest.outbox WHERE message_key = \(erased.id.description) AND published_at IS NOT NULL",
            logger: logger)
    }

    // MARK: Tasks and appointments

    func insertTask(_ task: LeadTask, leadId: LeadID, on connection: PostgresConnection) async throws -> Bool {
        let rows = try await connection.query(
            """
            INSERT INTO ingest.lead_tasks (lead_id, task_id, due_at) VALUES (\(leadId.uuid), \(task.id), \(task.dueAt))
            ON CONFLICT DO NOTHING RETURNING 1
            """, logger: logger)
        for try await _ in rows { return true }
        return false
    }

    /// The task's completion time, `.some(nil)` when open, `nil` when unknown.
    func taskCompletion(_ taskId: String, leadId: LeadID, on connection: PostgresConnection) async throws -> Date?? {
        let rows = try await connection.query(
            "SELECT completed_at FROM ingest.lead_tasks WHERE lead_id = \(leadId.uuid) AND task_id = \(taskId) FOR UPDATE",
            logger: logger)
        for try await completed in rows.decode(Date?.self) { return .some(completed) }
        return nil
    }

    func completeTask(_ taskId: String, leadId: LeadID, now: Date, on connection: PostgresConnection) async throws {
        try await connection.query(
            "UPDATE ingest.lead_tasks SET completed_at = \(now) WHERE lead_id = \(leadId.uuid) AND task_id = \(taskId)",
            logger: logger)
    }

    func insertAppointment(_ appointment: Appointment, leadId: LeadID, on connection: PostgresConnection) async throws -> Bool {
        let rows = try await connection.query(
            """
            INSERT INTO ingest.lead_appointments (lead_id, appointment_id, at)
            VALUES (\(leadId.uuid), \(appointment.id), \(appointment.at)) ON CONFLICT DO NOTHING RETURNING 1
            """, logger: logger)
        for try await _ in rows { return true }
        return false
    }

    /// The recorded outcome, `.some(nil)` when none yet, `nil` when the appointment is unknown.
    func appointmentOutcome(_ id: String, leadId: LeadID, on connection: PostgresConnection) async throws -> Bool?? {
        let rows = try await connection.query(
            "SELECT kept FROM ingest.lead_appointments WHERE lead_id = \(leadId.uuid) AND appointment_id = \(id) FOR UPDATE",
            logger: logger)
        for try await kept in rows.decode(Bool?.self) { return .some(kept) }
        return nil
    }

    func recordAppointmentOutcome(_ id: String, kept: Bool, leadId: LeadID, on connection: PostgresConnection) async throws {
        try await connection.query(
            "UPDATE ingest.lead_appointments SET kept = \(kept) WHERE lead_id = \(leadId.uuid) AND appointment_id = \(id)",
            logger: logger)
    }
}
