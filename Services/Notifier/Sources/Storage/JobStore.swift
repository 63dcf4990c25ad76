import Foundation
import LeadModel
import Logging
import PostgresNIO

/// Scheduled work (`<schema>.jobs`), claimed by one instance at a time with `FOR UPDATE SKIP LOCKED`.
struct JobStore: Sendable {
    let schema: String

    /// A job as listed by the API.
    struct Listing: Sendable, Codable {
        var id: UUID
        var kind: JobKind
        var dueAt: Date
        var occurrence: Int
        var subject: String?
        var payload: JobPayload
        var state: String
        var createdBy: String
    }

    /// Creates jobs in one statement (a job whose key exists is left alone); returns the ids created.
    @discardableResult
    func create(_ jobs: [JobRequest], leadId: LeadID, by creator: String, on connection: PostgresConnection, logger: Logger) async throws -> [UUID] {
        guard !jobs.isEmpty else { return [] }
        let columns = 8
        var binds = PostgresBindings(capacity: jobs.count * columns)
        var rows: [String] = []
        for (index, job) in jobs.enumerated() {
            let base = index * columns
            rows.append("($\(base + 1), $\(base + 2), $\(base + 3), $\(base + 4), $\(base + 5), $\(base + 6)::jsonb, $\(base + 7), $\(base + 8))")
            binds.append(UUID())
            binds.append(job.jobKey)
            binds.append(leadId.uuid)
            binds.append(job.kind.rawValue)
            binds.append(job.subject)
            binds.append(String(decoding: try LeadflowJSON.encode(job.payload), as: UTF8.self))
            binds.append(job.dueAt)
            binds.append(creator)
        }
        let sql = """
            INSERT INTO \(schema).jobs (id, job_key, lead_id, kind, subject, payload, due_at, created_by)
            VALUES \(rows.joined(separator: ", "))
            ON CONFLICT (job_key) DO NOTHING
            RETURNING id
            """
        var created: [UUID] = []
        for try await id in try await connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger).decode(UUID.self) {
            created.append(id)
        }
        return created
    }

    /// Cancels the lead's scheduled jobs matching any of `cancellations`, in one statement.
    func cancel(_ cancellations: [JobCancellation], leadId: LeadID, on connection: PostgresConnection, logger: Logger) async throws {
        let pairs = cancellations.flatMap { cancellation in cancellation.kinds.map { ($0.rawValue, cancellation.subject ?? "") } }
        guard !pairs.isEmpty else { return }
        try await connection.query(
            """
            UPDATE \(unescaped: schema).jobs SET state = 'cancelled', updated_at = now()
            WHERE lead_id = \(leadId.uuid) AND state = 'scheduled'
              AND EXISTS (SELECT 1 FROM unnest(\(pairs.map(\.0))::text[], \(pairs.map(\.1))::text[]) AS c(kind, subject)
                          WHERE c.kind = jobs.kind AND (c.subject = '' OR c.subject = jobs.subject))
            """,
            logger: logger)
    }

    /// Hands the scheduled jobs of `kinds` of the merged lead `from` that belong to an explicit task
    /// or appointment (not a default task, which every lead has) to the survivor `to`, unless it
    /// already has the same one; remembers where they came from (an unmerge hands them back).
    func carryOver(_ kinds: Set<JobKind>, from: LeadID, to: LeadID, on connection: PostgresConnection, logger: Logger) async throws {
        let defaultTasks = Planner.defaultTaskSubjectPrefix + "%"
        try await connection.query(
            """
            UPDATE \(unescaped: schema).jobs SET lead_id = \(to.uuid), moved_from_lead = \(from.uuid), updated_at = now()
            WHERE lead_id = \(from.uuid) AND state = 'scheduled' AND kind = ANY(\(kinds.map(\.rawValue).sorted())::text[])
              AND coalesce(subject, '') NOT LIKE \(defaultTasks)
              AND NOT EXISTS (SELECT 1 FROM \(unescaped: schema).jobs AS own
                              WHERE own.lead_id = \(to.uuid) AND own.state = 'scheduled'
                                AND own.kind = jobs.kind AND own.subject IS NOT DISTINCT FROM jobs.subject)
            """,
            logger: logger)
    }

    /// Hands the scheduled jobs carried over from `restored` back to it.
    func handBack(to restored: LeadID, from survivor: LeadID, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query(
            """
            UPDATE \(unescaped: schema).jobs SET lead_id = \(restored.uuid), moved_from_lead = NULL, updated_at = now()
            WHERE moved_from_lead = \(restored.uuid) AND lead_id = \(survivor.uuid) AND state = 'scheduled'
            """,
            logger: logger)
    }

    /// Due jobs with their leads, locked (jobs and leads another transaction holds are skipped).
    func claimDue(now: Date, limit: Int, on connection: PostgresConnection, logger: Logger) async throws -> [(ScheduledJob, TrackedLead)] {
        let leadColumns = LeadStore.columns.split(separator: ",").map { column -> String in
            let name = column.trimmingCharacters(in: .whitespacesAndNewlines)
            if let alias = name.range(of: " AS ") {
                return "l.\(name[..<alias.lowerBound]) AS l_\(name[alias.upperBound...])"
            }
            return "l.\(name) AS l_\(name)"
        }.joined(separator: ", ")
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: """
                SELECT j.id, j.lead_id, j.kind, j.due_at, j.occurrence, j.subject, j.payload::text AS payload, \(leadColumns)
                FROM \(schema).jobs j JOIN \(schema).leads l ON l.lead_id = j.lead_id
                WHERE j.state = 'scheduled' AND j.due_at <= $1
                ORDER BY j.due_at
                LIMIT $2
                FOR UPDATE OF j, l SKIP LOCKED
                """, binds: try Self.binds(now, limit)),
            logger: logger)
        var claimed: [(ScheduledJob, TrackedLead)] = []
        for try await row in rows {
            let row = row.makeRandomAccess()
            guard let kind = JobKind(rawValue: try row["kind"].decode(String.self)) else { continue }
            let job = ScheduledJob(
                id: try row["id"].decode(UUID.self), leadId: LeadID(try row["lead_id"].decode(UUID.self)), kind: kind,
                dueAt: try row["due_at"].decode(Date.self), occurrence: try row["occurrence"].decode(Int.self),
                subject: try row["subject"].decode(String?.self),
                payload: try LeadflowJSON.decode(JobPayload.self, from: Array(try row["payload"].decode(String.self).utf8)))
            claimed.append((job, try LeadStore.decode(row, prefix: "l_")))
        }
        return claimed
    }

    /// Records that a job fired: it is done, or due again at `next`.
    func fired(_ job: ScheduledJob, next: Date?, by instance: String, now: Date, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query(
            """
            UPDATE \(unescaped: schema).jobs SET
                occurrence = occurrence + 1, due_at = COALESCE(\(next), due_at),
                state = CASE WHEN \(next)::timestamptz IS NULL THEN 'done' ELSE 'scheduled' END,
                fired_by = \(instance), last_fired_at = \(now), updated_at = now()
            WHERE id = \(job.id)
            """,
            logger: logger)
    }

    /// The lead's jobs, newest first (scheduled ones only unless `all`).
    func list(leadId: LeadID, includeFinished: Bool, on connection: PostgresConnection, logger: Logger) async throws -> [Listing] {
        let rows = try await connection.query(
            """
            SELECT id, kind, due_at, occurrence, subject, payload::text, state, created_by FROM \(unescaped: schema).jobs
            WHERE lead_id = \(leadId.uuid) AND (\(includeFinished) OR state = 'scheduled')
            ORDER BY due_at LIMIT 500
            """,
            logger: logger)
        var listings: [Listing] = []
        for try await (id, kind, due, occurrence, subject, payload, state, createdBy)
            in rows.decode((UUID, String, Date, Int, String?, String, String, String).self) {
            guard let kind = JobKind(rawValue: kind) else { continue }
            listings.append(Listing(
                id: id, kind: kind, dueAt: due, occurrence: occurrence, subject: subject,
                payload: try LeadflowJSON.decode(JobPayload.self, from: Array(payload.utf8)), state: state, createdBy: createdBy))
        }
        return listings
    }

    /// Cancels one scheduled follow-up reminder of the lead (only one for `recipient` when given);
    /// returns whether there was one.
    func cancelReminder(_ id: UUID, leadId: LeadID, onlyFor recipient: String?, on connection: PostgresConnection, logger: Logger) async throws -> Bool {
        let rows = try await connection.query(
            """
            UPDATE \(unescaped: schema).jobs SET state = 'cancelled', updated_at = now()
            WHERE id = \(id) AND lead_id = \(leadId.uuid) AND kind = 'follow_up_reminder' AND state = 'scheduled'
              AND (\(recipient)::text IS NULL OR payload->>'recipientId' = \(recipient))
            RETURNING 1
            """,
            logger: logger)
        for try await _ in rows { return true }
        return false
    }

    private static func binds(_ now: Date, _ limit: Int) throws -> PostgresBindings {
        var binds = PostgresBindings()
        binds.append(now)
        binds.append(limit)
        return binds
    }
}
