import LeadStorage
import LeadTestSupport
import Logging
import PostgresNIO

/// Test access to the embedded PostgreSQL that `make test` started.
public enum TestDatabase {
    /// The configuration of the test cluster (from the environment scripts/test exports).
    public static func configuration(database: String = TestEnvironment.postgresDatabase) -> DatabaseConfiguration {
        DatabaseConfiguration(
            host: TestEnvironment.postgresHost,
            port: TestEnvironment.postgresPort,
            database: database,
            username: TestEnvironment.postgresUser,
            password: TestEnvironment.postgresPassword,
            maximumConnections: 10,
            connectTimeout: .seconds(10)
        )
    }

    /// Runs `body` with a running client; fails (never skips) when the database is unreachable.
    public static func withClient<T: Sendable>(
        database: String = TestEnvironment.postgresDatabase,
        _ body: @Sendable (PostgresClient) async throws -> T
    ) async throws -> T {
        let logger = Logger(label: "test.postgres")
        let client = configuration(database: database).makeClient(logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            try await client.waitUntilReachable(timeout: .seconds(20), logger: logger)
            return try await body(client)
        }
    }

    /// Creates a fresh database for one test (dropped by `dropDatabase`); returns its name.
    public static func createDatabase() async throws -> String {
        let name = TestEnvironment.uniqueName("test")
        _ = try await withClient(database: "postgres") { client in
            try await client.query("CREATE DATABASE \(unescaped: name)")
        }
        return name
    }

    /// Drops a database made by `createDatabase`, disconnecting whoever still uses it.
    public static func dropDatabase(_ name: String) async throws {
        let identifier = try SQLIdentifier(name)
        _ = try await withClient(database: "postgres") { client in
            try await client.query("DROP DATABASE IF EXISTS \(unescaped: identifier.name) WITH (FORCE)")
        }
    }

    /// A schema name no other test uses.
    public static func uniqueSchema() throws -> SQLIdentifier {
        try SQLIdentifier(TestEnvironment.uniqueName("t"))
    }
}
