import Foundation
import LeadModel
import Logging
import PostgresNIO

/// A CSV import job as `GET /v1/imports/{id}` shows it.
public struct ImportJob: Sendable, Codable, Hashable {
    /// `running`, `completed` or `failed`.
    public enum Status: String, Sendable, Codable, Hashable {
        case running, completed, failed
    }

    /// One refused row.
    public struct RowError: Sendable, Codable, Hashable {
        /// 1-based data row (the header is row 0).
        public var row: Int
        /// The line of the file it started on.
        public var line: Int
        public var code: String
        public var field: String?
        public var rule: String?
        public var detail: String
    }

    public var id: UUID
    public var sourceId: String
    public var createdBy: String
    public var status: Status
    public var bytesRead: Int64
    public var rowsRead: Int
    public var accepted: Int
    public var merged: Int
    public var redelivered: Int
    public var rejected: Int
    public var failure: String?
    public var createdAt: Date
    public var updatedAt: Date
    public var finishedAt: Date?
    /// The per-row errors (capped; `rejected` counts them all).
    public var errors: [RowError]
}

/// The `imports` and `import_errors` tables.
struct ImportStore: Sendable {
    let client: PostgresClient
    let logger: Logger

    /// Creates a running job; `false` when the id is taken.
    func create(id: UUID, sourceId: String, createdBy: String, now: Date) async throws -> Bool {
        let rows = try await client.query(
            """
            INSERT INTO ingest.imports (id, source_id, created_by, status, created_at, updated_at)
            VALUES (\(id), \(sourceId), \(createdBy), 'running', \(now), \(now)) ON CONFLICT DO NOTHING RETURNING 1
            """, logger: logger)
        for try await _ in rows { return true }
        return false
    }

    /// Writes the counters and new row errors.
    func progress(_ job: ImportJob, newErrors: [ImportJob.RowError], now: Date) async throws {
        let logger = self.logger
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query(
                """
                UPDATE ingest.imports SET status = \(job.status.rawValue), bytes_read = \(job.bytesRead), rows_read = \(job.rowsRead),
                    accepted = \(job.accepted), merged = \(job.merged), redelivered = \(job.redelivered), rejected = \(job.rejected),
                    failure = \(job.failure), updated_at = \(now), finished_at = \(job.finishedAt)
                WHERE id = \(job.id)
                """, logger: logger)
            if !newErrors.isEmpty {
                try await connection.query(
                    """
                    INSERT INTO ingest.import_errors (import_id, row_number, line, code, field, rule, detail)
                    SELECT \(job.id), r, l, c, NULLIF(f, ''), NULLIF(ru, ''), d FROM unnest(
                        \(newErrors.map(\.row))::int[], \(newErrors.map(\.line))::int[], \(newErrors.map(\.code))::text[],
                        \(newErrors.map { $0.field ?? "" })::text[], \(newErrors.map { $0.rule ?? "" })::text[], \(newErrors.map(\.detail))::text[]
                    ) AS e(r, l, c, f, ru, d) ON CONFLICT DO NOTHING
                    """, logger: logger)
            }
        }
    }

    func find(_ id: UUID) async throws -> ImportJob? {
        let rows = try await client.query(
            """
            SELECT id, source_id, created_by, status, bytes_read, rows_read, accepted, merged, redelivered, rejected,
                   failure, created_at, updated_at, finished_at
            FROM ingest.imports WHERE id = \(id)
            """, logger: logger)
        var job: ImportJob?
        for try await row in rows {
            let (id, source, creator, status, bytes, read, accepted, merged, redelivered, rejected, failure, created, updated, finished) =
                try row.decode((UUID, String, String, String, Int64, Int, Int, Int, Int, Int, String?, Date, Date, Date?).self)
            job = ImportJob(
                id: id, sourceId: source, createdBy: creator, status: ImportJob.Status(rawValue: status) ?? .failed,
                bytesRead: bytes, rowsRead: read, accepted: accepted, merged: merged, redelivered: redelivered, rejected: rejected,
                failure: failure, createdAt: created, updatedAt: updated, finishedAt: finished, errors: [])
        }
        guard var found = job else { return nil }
        let errors = try await client.query(
            """
            SELECT row_number, line, code, field, rule, detail FROM ingest.import_errors
            WHERE import_id = \(id) ORDER BY row_number
            """, logger: logger)
        for try await (row, line, code, field, rule, detail) in errors.decode((Int, Int, String, String?, String?, String).self) {
            found.errors.append(ImportJob.RowError(row: row, line: line, code: code, field: field, rule: rule, detail: detail))
        }
        return found
    }
}
