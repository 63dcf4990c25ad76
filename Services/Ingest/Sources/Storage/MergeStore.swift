import Foundation
import LeadModel
import Logging
import PostgresNIO

/// One active merge as stored: the merged lead, its survivor and what an unmerge puts back.
struct StoredMerge: Sendable {
    var mergedLeadId: LeadID
    var survivorId: LeadID
    var mergedAt: Date
    var position: Int
    var record: MergeRecord
    var dedupKeys: [String]
    var taskIds: [String]
    var appointmentIds: [String]
}

/// The `lead_merges` table and the rows a merge moves (de-duplication keys, tasks,
/// appointments), always inside the caller's transaction.
struct MergeStore: Sendable {
    let logger: Logger

    /// The survivor `leadId` was merged into, if it was.
    func survivor(of leadId: LeadID, on connection: PostgresConnection) async throws -> LeadID? {
        let rows = try await connection.query(
            "SELECT survivor_id FROM ingest.lead_merges WHERE merged_lead_id = \(leadId.uuid)", logger: logger)
        for try await id in rows.decode(UUID.self) { return LeadID(id) }
        return nil
    }

    /// The lead commands on `leadId` act on: its survivor when it was merged, else itself.
    func resolve(_ leadId: LeadID, on connection: PostgresConnection) async throws -> LeadID {
        try await survivor(of: leadId, on: connection) ?? leadId
    }

    /// The leads merged into `survivorId`, oldest merge first, locked for the transaction.
    func merges(into survivorId: LeadID, on connection: PostgresConnection) async throws -> [StoredMerge] {
        let rows = try await connection.query(
            """
            SELECT merged_lead_id, merged_at, position, snapshot::text, survivor_before::text, survivor_after::text,
                   dedup_keys, task_ids, appointment_ids
            FROM ingest.lead_merges WHERE survivor_id = \(survivorId.uuid)
            ORDER BY merged_at, position FOR UPDATE
            """, logger: logger)
        var merges: [StoredMerge] = []
        for try await row in rows.decode((UUID, Date, Int, String, String, String, [String], [String], [String]).self) {
            let decode = { (text: String) in try LeadflowJSON.decode(Lead.self, from: Array(text.utf8)) }
            merges.append(StoredMerge(
                mergedLeadId: LeadID(row.0), survivorId: survivorId, mergedAt: row.1, position: row.2,
                record: MergeRecord(snapshot: try decode(row.3), survivorBefore: try decode(row.4), survivorAfter: try decode(row.5)),
                dedupKeys: row.6, taskIds: row.7, appointmentIds: row.8))
        }
        return merges
    }

    /// Forgets every merge into `survivorId` — their snapshots hold the person's data — and
    /// returns the merged leads (for an erasure, which takes them along).
    func forgetMerges(into survivorId: LeadID, on connection: PostgresConnection) async throws -> [LeadID] {
        let rows = try await connection.query(
            "DELETE FROM ingest.lead_merges WHERE survivor_id = \(survivorId.uuid) RETURNING merged_lead_id", logger: logger)
        var merged: [LeadID] = []
        for try await id in rows.decode(UUID.self) { merged.append(LeadID(id)) }
        return merged.sorted { $0.description < $1.description }
    }

    /// Whether other leads are merged into `leadId`.
    func hasMergedLeads(_ leadId: LeadID, on connection: PostgresConnection) async throws -> Bool {
        let rows = try await connection.query(
            "SELECT 1 FROM ingest.lead_merges WHERE survivor_id = \(leadId.uuid) LIMIT 1", logger: logger)
        for try await _ in rows { return true }
        return false
    }

    /// Records that `record.snapshot` was merged into `survivorId` and moves its de-duplication
    /// keys, tasks and appointments to the survivor (a task or appointment id the survivor already
    /// uses stays with the merged lead).
    func recordMerge(
        _ record: MergeRecord, into survivorId: LeadID, eventId: UUID, position: Int, actor: Actor, now: Date,
        on connection: PostgresConnection
    ) async throws {
        let merged = record.snapshot.id.uuid, survivor = survivorId.uuid
        let keys = try await strings(connection.query(
            "UPDATE ingest.dedup_keys SET lead_id = \(survivor) WHERE lead_id = \(merged) RETURNING key", logger: logger))
        let tasks = try await strings(connection.query(
            """
            UPDATE ingest.lead_tasks SET lead_id = \(survivor) WHERE lead_id = \(merged)
            AND task_id NOT IN (SELECT task_id FROM ingest.lead_tasks WHERE lead_id = \(survivor)) RETURNING task_id
            """, logger: logger))
        let appointments = try await strings(connection.query(
            """
            UPDATE ingest.lead_appointments SET lead_id = \(survivor) WHERE lead_id = \(merged)
            AND appointment_id NOT IN (SELECT appointment_id FROM ingest.lead_appointments WHERE lead_id = \(survivor))
            RETURNING appointment_id
            """, logger: logger))
        let json = { (lead: Lead) in String(decoding: try LeadflowJSON.encode(lead), as: UTF8.self) }
        try await connection.query(
            """
            INSERT INTO ingest.lead_merges (merged_lead_id, survivor_id, merge_event_id, position, merged_at, merged_by,
                snapshot, survivor_before, survivor_after, dedup_keys, task_ids, appointment_ids)
            VALUES (\(merged), \(survivor), \(eventId), \(position), \(now), \("\(actor.role.rawValue):\(actor.id)"),
                \(try json(record.snapshot))::jsonb, \(try json(record.survivorBefore))::jsonb, \(try json(record.survivorAfter))::jsonb,
                \(keys)::text[], \(tasks)::text[], \(appointments)::text[])
            """, logger: logger)
    }

    /// Undoes `merge`'s row moves (keys, tasks and appointments still on the survivor go back)
    /// and forgets the merge.
    func undo(_ merge: StoredMerge, on connection: PostgresConnection) async throws {
        let merged = merge.mergedLeadId.uuid, survivor = merge.survivorId.uuid
        try await connection.query(
            "UPDATE ingest.dedup_keys SET lead_id = \(merged) WHERE lead_id = \(survivor) AND key = ANY(\(merge.dedupKeys)::text[])",
            logger: logger)
        try await connection.query(
            "UPDATE ingest.lead_tasks SET lead_id = \(merged) WHERE lead_id = \(survivor) AND task_id = ANY(\(merge.taskIds)::text[])",
            logger: logger)
        try await connection.query(
            """
            UPDATE ingest.lead_appointments SET lead_id = \(merged)
            WHERE lead_id = \(survivor) AND appointment_id = ANY(\(merge.appointmentIds)::text[])
            """, logger: logger)
        try await connection.query("DELETE FROM ingest.lead_merges WHERE merged_lead_id = \(merged)", logger: logger)
    }

    private func strings(_ rows: PostgresRowSequence) async throws -> [String] {
        var values: [String] = []
        for try await value in rows.decode(String.self) { values.append(value) }
        return values
    }
}
