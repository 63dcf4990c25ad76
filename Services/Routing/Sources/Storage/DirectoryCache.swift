import LeadStorage
import PostgresNIO
import Synchronization

/// The routing configuration cached in memory and reloaded when its version in PostgreSQL moves
/// (every configuration write bumps it), so each decision reads the configuration current at
/// its transaction for the price of one small query.
public final class DirectoryCache: Sendable {
    private let repository: ConfigRepository
    private let cached = Mutex<(version: Int64, directory: RoutingDirectory)?>(nil)

    /// Creates an empty cache over `repository`.
    public init(repository: ConfigRepository) {
        self.repository = repository
    }

    /// The configuration as of now, on `connection`.
    public func directory(on connection: PostgresConnection) async throws -> RoutingDirectory {
        try await directory(version: try await repository.configVersion(on: connection), on: connection)
    }

    /// The configuration at `version` (already read in the caller's transaction).
    public func directory(version: Int64, on connection: PostgresConnection) async throws -> RoutingDirectory {
        if let hit = cached.withLock({ $0 }), hit.version == version { return hit.directory }
        let loaded = try await repository.loadDirectory(on: connection)
        cached.withLock { $0 = (loaded.version, loaded.directory) }
        return loaded.directory
    }
}
