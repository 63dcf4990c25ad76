import Foundation
import Logging
import PostgresNIO

/// Where and how to reach PostgreSQL. Built from `LEADFLOW_PG_*` environment variables by the
/// service configuration; the defaults match the embedded stack of DESIGN.md.
public struct DatabaseConfiguration: Sendable, Hashable {
    /// Host name or address.
    public var host: String
    /// TCP port.
    public var port: Int
    /// Database name.
    public var database: String
    /// Role to log in as.
    public var username: String
    /// Password of that role.
    public var password: String
    /// Most connections one process keeps open.
    public var maximumConnections: Int
    /// How long start-up waits for the server before giving up.
    public var connectTimeout: Duration

    /// Creates a configuration; the defaults are the embedded stack's.
    public init(
        host: String = "127.0.0.1",
        port: Int = 54329,
        database: String = "leadflow",
        username: String = "leadflow",
        password: String = "leadflow",
        maximumConnections: Int = 20,
        connectTimeout: Duration = .seconds(30)
    ) {
        self.host = host
        self.port = port
        self.database = database
        self.username = username
        self.password = password
        self.maximumConnections = maximumConnections
        self.connectTimeout = connectTimeout
    }

    /// A postgres-nio client for this configuration. Run it in a `ServiceGroup` (first, so it stops last).
    public func makeClient(logger: Logger) -> PostgresClient {
        var config = PostgresClient.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: .disable
        )
        config.options.maximumConnections = maximumConnections
        config.options.minimumConnections = 0
        config.options.connectTimeout = connectTimeout
        return PostgresClient(configuration: config, backgroundLogger: logger)
    }
}

extension PostgresClient {
    /// Fails unless `SELECT 1` answers within `timeout`. postgres-nio waits silently for a server that
    /// is down or a wrong password, so start-up must bound the wait and say what went wrong.
    public func waitUntilReachable(timeout: Duration, logger: Logger) async throws {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        var lastError: (any Error)?
        while ContinuousClock.now < deadline {
            do {
                _ = try await withTimeout(.seconds(3)) {
                    try await self.query("SELECT 1", logger: logger)
                }
                return
            } catch {
                lastError = error
                logger.debug("database not reachable yet", metadata: ["error": "\(String(reflecting: error))"])
                try await Task.sleep(for: .milliseconds(250))
            }
        }
        throw StorageError.unreachable(reason: lastError.map { String(reflecting: $0) } ?? "timed out")
    }
}
