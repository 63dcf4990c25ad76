import Foundation
import LeadModel
import LeadStorage
import Logging
import PostgresNIO

/// A pass over every open lead that rescores it with the scoring in force and re-publishes the
/// leads whose score or priority changed.
public struct RescoreJob: Hashable, Sendable, Encodable {
    /// Why it runs.
    public enum Reason: String, Hashable, Sendable, Codable {
        /// An operator asked (`POST /v1/scoring/rescore`), e.g. after changing the rules.
        case manual
        /// The periodic sweep that lets recency decay lower the scores of silent leads.
        case recency
    }

    /// The job id (the `causationEventId` of the scores it publishes).
    public var id: UUID
    /// Why it runs.
    public var reason: Reason
    /// Who asked.
    public var requestedBy: String
    /// When it was queued.
    public var requestedAt: Date
    /// Open leads looked at so far.
    public var scanned: Int
    /// Leads whose new score was published.
    public var republished: Int
    /// When its first batch ran.
    public var startedAt: Date?
    /// When its last batch ran.
    public var finishedAt: Date?

    /// `queued`, `running` or `finished`.
    public var status: String {
        finishedAt != nil ? "finished" : (startedAt != nil ? "running" : "queued")
    }

    private enum CodingKeys: String, CodingKey {
        case id, reason, requestedBy, requestedAt, scanned, republished, startedAt, finishedAt, status
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id.uuidString.lowercased(), forKey: .id)
        try c.encode(reason, forKey: .reason)
        try c.encode(requestedBy, forKey: .requestedBy)
        try c.encode(requestedAt, forKey: .requestedAt)
        try c.encode(scanned, forKey: .scanned)
        try c.encode(republished, forKey: .republished)
        try c.encodeIfPresent(startedAt, forKey: .startedAt)
        try c.encodeIfPresent(finishedAt, forKey: .finishedAt)
        try c.encode(status, forKey: .status)
    }
}

/// Rescore jobs in `scoring.rescore_jobs`. A job advances in batches: each batch locks the job row
/// (`FOR UPDATE SKIP LOCKED`, so instances share jobs without doing one twice), locks its leads,
/// rescores them, writes the events to the outbox and moves the job's cursor, in one transaction.
struct RescoreJobStore: Sendable {
    let schema: String
    let logger: Logger

    /// Queues a job.
    func enqueue(_ reason: RescoreJob.Reason, by author: String, at time: Date, client: PostgresClient) async throws -> RescoreJob {
        let id = UUID()
        try await client.query(
            """
            INSERT INTO \(unescaped: schema).rescore_jobs (id, reason, requested_by, requested_at)
            VALUES (\(id), \(reason.rawValue), \(author), \(time))
            """,
            logger: logger
        )
        return RescoreJob(id: id, reason: reason, requestedBy: author, requestedAt: time, scanned: 0, republished: 0)
    }

    /// Queues a recency sweep when none is unfinished and the last one was requested `interval` or
    /// more before `now`. One instance decides at a time (advisory lock). Returns the job queued.
    func enqueueRecencySweepIfDue(now: Date, interval: Duration, client: PostgresClient) async throws -> RescoreJob? {
        let logger = self.logger
        let schema = self.schema
        return try await client.transaction(logger: logger) { connection -> RescoreJob? in
            let locked = try await connection.query(
                "SELECT pg_try_advisory_xact_lock(hashtext(\("\(schema).recency_sweep")))", logger: logger)
            var holds = false
            for try await value in locked.decode(Bool.self) { holds = value }
            guard holds else { return nil }
            let rows = try await connection.query(
                """
                SELECT max(requested_at), count(*) FILTER (WHERE finished_at IS NULL)::bigint
                FROM \(unescaped: schema).rescore_jobs WHERE reason = 'recency'
                """,
                logger: logger
            )
            for try await (last, unfinished) in rows.decode((Date?, Int).self) {
                guard unfinished == 0 else { return nil }
                if let last, now.timeIntervalSince(last) < Double(interval.components.seconds) { return nil }
            }
            let id = UUID()
            try await connection.query(
                """
                INSERT INTO \(unescaped: schema).rescore_jobs (id, reason, requested_by, requested_at)
                VALUES (\(id), 'recency', 'system:scoring', \(now))
                """,
                logger: logger
            )
            return RescoreJob(id: id, reason: .recency, requestedBy: "system:scoring", requestedAt: now, scanned: 0, republished: 0)
        }
    }

    /// Locks the oldest unfinished job no other instance is working on.
    func claimNext(on connection: PostgresConnection) async throws -> (job: RescoreJob, cursor: UUID?)? {
        let rows = try await connection.query(
            """
            SELECT id, reason, requested_by, requested_at, scanned, republished, started_at, cursor
            FROM \(unescaped: schema).rescore_jobs WHERE finished_at IS NULL
            ORDER BY requested_at, id LIMIT 1 FOR UPDATE SKIP LOCKED
            """,
            logger: logger
        )
        for try await row in rows.decode((UUID, String, String, Date, Int, Int, Date?, UUID?).self) {
            let job = RescoreJob(
                id: row.0, reason: RescoreJob.Reason(rawValue: row.1) ?? .manual, requestedBy: row.2, requestedAt: row.3,
                scanned: row.4, republished: row.5, startedAt: row.6, finishedAt: nil)
            return (job, row.7)
        }
        return nil
    }

    /// The next open leads after `cursor`, locked, in id order.
    func lockOpenLeads(after cursor: UUID?, limit: Int, on connection: PostgresConnection) async throws -> [(LeadID, LeadRecord)] {
        let start = cursor ?? UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
        let rows = try await connection.query(
            """
            SELECT lead_id, record FROM \(unescaped: schema).leads
            WHERE known AND NOT closed AND lead_id > \(start)
            ORDER BY lead_id LIMIT \(limit) FOR UPDATE
            """,
            logger: logger
        )
        var leads: [(LeadID, LeadRecord)] = []
        for try await (id, text) in rows.decode((UUID, String).self) {
            leads.append((LeadID(id), try LeadStore.decode(text)))
        }
        return leads
    }

    /// Moves the job past `cursor` after a batch; finishes it when the batch was the last.
    func advance(
        _ jobId: UUID, cursor: UUID?, scanned: Int, republished: Int, finished: Bool, at time: Date,
        on connection: PostgresConnection
    ) async throws {
        try await connection.query(
            """
            UPDATE \(unescaped: schema).rescore_jobs SET
                cursor = coalesce(\(cursor), cursor), scanned = scanned + \(scanned),
                republished = republished + \(republished), started_at = coalesce(started_at, \(time)),
                finished_at = CASE WHEN \(finished) THEN \(time) ELSE NULL END
            WHERE id = \(jobId)
            """,
            logger: logger
        )
    }

    /// One job, if it exists.
    func job(_ id: UUID, client: PostgresClient) async throws -> RescoreJob? {
        let rows = try await client.query(
            """
            SELECT id, reason, requested_by, requested_at, scanned, republished, started_at, finished_at
            FROM \(unescaped: schema).rescore_jobs WHERE id = \(id)
            """,
            logger: logger
        )
        for try await row in rows.decode((UUID, String, String, Date, Int, Int, Date?, Date?).self) {
            return RescoreJob(
                id: row.0, reason: RescoreJob.Reason(rawValue: row.1) ?? .manual, requestedBy: row.2, requestedAt: row.3,
                scanned: row.4, republished: row.5, startedAt: row.6, finishedAt: row.7)
        }
        return nil
    }
}
