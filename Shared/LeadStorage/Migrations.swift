import Foundation
import Logging
import PostgresNIO

/// One versioned, forward-only schema change: a list of SQL statements applied in one transaction.
public struct Migration: Sendable {
    /// Position in its set; applied in ascending order, once.
    public let version: Int
    /// What it does, for people reading `leadflow_meta.schema_migrations`.
    public let name: String
    /// The statements, each sent on its own (the extended protocol takes one statement at a time).
    public let statements: [String]

    /// Creates a migration.
    public init(version: Int, name: String, statements: [String]) {
        self.version = version
        self.name = name
        self.statements = statements
    }

    /// A fingerprint of the SQL, so a migration edited after it was applied is noticed.
    var checksum: String {
        // FNV-1a over the statements: stable across runs and platforms, unlike `hashValue`.
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in statements.joined(separator: "\u{1F}").utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return String(hash, radix: 16)
    }
}

/// The migrations of one component (a service's schema, or the shared messaging tables in it).
public struct MigrationSet: Sendable {
    /// Unique name of the set, e.g. `ingest` or `ingest.messaging`.
    public let name: String
    /// The schema the set creates and changes.
    public let schema: SQLIdentifier
    /// The migrations, in any order; versions must be unique.
    public let migrations: [Migration]

    /// Creates a set.
    public init(name: String, schema: SQLIdentifier, migrations: [Migration]) {
        self.name = name
        self.schema = schema
        self.migrations = migrations.sorted { $0.version < $1.version }
    }
}

/// Applies migration sets at start-up. Several instances may start at once: each set is applied under
/// a transaction-scoped advisory lock, and every applied version is recorded, so a second run is a no-op.
public struct Migrator: Sendable {
    private let client: PostgresClient
    private let logger: Logger

    /// Creates a migrator using `client`.
    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Applies every migration of `sets` not yet applied; returns how many ran.
    @discardableResult
    public func migrate(_ sets: [MigrationSet]) async throws -> Int {
        var applied = 0
        for set in sets {
            applied += try await migrate(set)
        }
        return applied
    }

    private func migrate(_ set: MigrationSet) async throws -> Int {
        let logger = self.logger
        return try await client.transaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(hashtext('leadflow.migrations'))", logger: logger)
            try await connection.query("CREATE SCHEMA IF NOT EXISTS leadflow_meta", logger: logger)
            try await connection.query(
                """
                CREATE TABLE IF NOT EXISTS leadflow_meta.schema_migrations (
                    set_name text NOT NULL,
                    version integer NOT NULL,
                    name text NOT NULL,
                    checksum text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now(),
                    PRIMARY KEY (set_name, version)
                )
                """,
                logger: logger
            )
            try await connection.query("CREATE SCHEMA IF NOT EXISTS \(unescaped: set.schema.name)", logger: logger)

            var known: [Int: String] = [:]
            let rows = try await connection.query(
                "SELECT version, checksum FROM leadflow_meta.schema_migrations WHERE set_name = \(set.name)",
                logger: logger
            )
            for try await (version, checksum) in rows.decode((Int, String).self) {
                known[version] = checksum
            }

            var count = 0
            for migration in set.migrations {
                if let checksum = known[migration.version] {
                    guard checksum == migration.checksum else {
                        throw StorageError.migrationChanged(set: set.name, version: migration.version)
                    }
                    continue
                }
                logger.info("applying migration", metadata: [
                    "set": "\(set.name)", "version": "\(migration.version)", "name": "\(migration.name)",
                ])
                for statement in migration.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query(
                    """
                    INSERT INTO leadflow_meta.schema_migrations (set_name, version, name, checksum)
                    VALUES (\(set.name), \(migration.version), \(migration.name), \(migration.checksum))
                    """,
                    logger: logger
                )
                count += 1
            }
            return count
        }
    }
}
