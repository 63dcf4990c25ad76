import Foundation
import LeadModel
import LeadStorage
import Logging
import PostgresNIO

/// One stored version of the rules.
public struct RuleSetVersion: Hashable, Sendable, Codable {
    /// The version (1, 2, …); every score records the version that produced it.
    public var version: Int
    /// The rules.
    public var rules: ScoringRules
    /// When it was saved.
    public var createdAt: Date
    /// Who saved it (`role:id`, never a credential).
    public var createdBy: String
    /// Why, if the editor said.
    public var note: String?
}

/// Why a rules change was refused.
enum RulesSaveError: Error {
    /// The caller edited `expected`, but the current version is `current`.
    case versionConflict(expected: Int, current: Int)
}

/// The versioned rules in `scoring.rule_sets`. Versions are never changed or deleted: a change is
/// a new version.
struct RulesStore: Sendable {
    let schema: String
    let logger: Logger

    /// Stores the default rules as version 1 unless some version exists (safe to run on every start
    /// of every instance).
    func seedDefaults(client: PostgresClient) async throws {
        let json = try Self.encode(.defaults)
        try await client.query(
            """
            INSERT INTO \(unescaped: schema).rule_sets (version, rules, created_by, note)
            SELECT 1, \(json)::jsonb, 'system:scoring', 'default rules'
            WHERE NOT EXISTS (SELECT 1 FROM \(unescaped: schema).rule_sets)
            ON CONFLICT (version) DO NOTHING
            """,
            logger: logger
        )
    }

    /// The current (highest) version.
    func current(client: PostgresClient) async throws -> RuleSetVersion {
        let rows = try await client.query(
            """
            SELECT version, rules::text, created_at, created_by, note FROM \(unescaped: schema).rule_sets
            ORDER BY version DESC LIMIT 1
            """,
            logger: logger
        )
        for try await row in rows.decode((Int, String, Date, String, String?).self) { return try Self.version(row) }
        throw ScoringStorageError("no rules version exists; the service seeds version 1 at start")
    }

    /// One version, if it exists.
    func version(_ version: Int, on connection: PostgresConnection) async throws -> RuleSetVersion? {
        let rows = try await connection.query(
            """
            SELECT version, rules::text, created_at, created_by, note FROM \(unescaped: schema).rule_sets
            WHERE version = \(version)
            """,
            logger: logger
        )
        for try await row in rows.decode((Int, String, Date, String, String?).self) { return try Self.version(row) }
        return nil
    }

    /// Every version's number, author, time and note, newest first (at most `limit`).
    func list(limit: Int, client: PostgresClient) async throws -> [RuleSetVersion] {
        let rows = try await client.query(
            """
            SELECT version, rules::text, created_at, created_by, note FROM \(unescaped: schema).rule_sets
            ORDER BY version DESC LIMIT \(limit)
            """,
            logger: logger
        )
        var versions: [RuleSetVersion] = []
        for try await row in rows.decode((Int, String, Date, String, String?).self) { versions.append(try Self.version(row)) }
        return versions
    }

    /// Saves `rules` as the next version. With `expectedVersion`, refuses (``RulesSaveError``) when
    /// someone else saved a version since the caller read that one.
    func save(
        _ rules: ScoringRules, expectedVersion: Int?, by author: String, note: String?, on connection: PostgresConnection
    ) async throws -> RuleSetVersion {
        try await connection.query("SELECT pg_advisory_xact_lock(hashtext(\("\(schema).rule_sets")))", logger: logger)
        var current = 0
        let rows = try await connection.query("SELECT coalesce(max(version), 0) FROM \(unescaped: schema).rule_sets", logger: logger)
        for try await value in rows.decode(Int.self) { current = value }
        if let expectedVersion, expectedVersion != current {
            throw RulesSaveError.versionConflict(expected: expectedVersion, current: current)
        }
        let json = try Self.encode(rules)
        let saved = try await connection.query(
            """
            INSERT INTO \(unescaped: schema).rule_sets (version, rules, created_by, note)
            VALUES (\(current + 1), \(json)::jsonb, \(author), \(note))
            RETURNING version, rules::text, created_at, created_by, note
            """,
            logger: logger
        )
        for try await row in saved.decode((Int, String, Date, String, String?).self) { return try Self.version(row) }
        throw ScoringStorageError("saving rules returned no row")
    }

    static func encode(_ rules: ScoringRules) throws -> String {
        String(decoding: try LeadflowJSON.encode(rules), as: UTF8.self)
    }

    private static func version(_ row: (Int, String, Date, String, String?)) throws -> RuleSetVersion {
        RuleSetVersion(
            version: row.0, rules: try LeadflowJSON.decode(ScoringRules.self, from: Array(row.1.utf8)),
            createdAt: row.2, createdBy: row.3, note: row.4)
    }
}
