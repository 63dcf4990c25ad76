import PostgresNIO

/// Errors raised by Leadflow's storage layer.
public struct StorageError: Error, CustomStringConvertible, Sendable {
    private enum Code: Sendable {
        case unreachable
        case invalidIdentifier
        case migrationChanged
    }

    private let code: Code
    /// A human-readable explanation.
    public let message: String

    public var description: String { message }

    static func unreachable(reason: String) -> StorageError {
        StorageError(code: .unreachable, message: "PostgreSQL is not reachable: \(reason)")
    }

    static func invalidIdentifier(_ name: String) -> StorageError {
        StorageError(code: .invalidIdentifier, message: "'\(name)' is not a valid SQL identifier ([a-z_][a-z0-9_]*)")
    }

    static func migrationChanged(set: String, version: Int) -> StorageError {
        StorageError(
            code: .migrationChanged,
            message: "migration \(set) v\(version) was already applied with different SQL; add a new migration instead"
        )
    }
}

/// The SQLSTATE of a PostgreSQL error, looking through `PostgresTransactionError`'s wrapping.
public func sqlState(of error: any Error) -> String? {
    if let psql = error as? PSQLError { return psql.serverInfo?[.sqlState] }
    if let tx = error as? PostgresTransactionError {
        for inner in [tx.closureError, tx.commitError, tx.beginError] {
            if let inner, let state = sqlState(of: inner) { return state }
        }
    }
    return nil
}

/// Whether the error is a unique-constraint violation (SQLSTATE 23505).
public func isUniqueViolation(_ error: any Error) -> Bool { sqlState(of: error) == "23505" }

/// Whether the transaction may simply be retried (serialization failure or deadlock).
public func isRetriableTransactionFailure(_ error: any Error) -> Bool {
    ["40001", "40P01"].contains(sqlState(of: error))
}

/// A schema or table name checked to be a plain lower-case SQL identifier, safe to splice into SQL.
public struct SQLIdentifier: Sendable, Hashable, CustomStringConvertible {
    /// The identifier.
    public let name: String

    /// Validates `name`; throws unless it matches `[a-z_][a-z0-9_]*` and is at most 63 bytes.
    public init(_ name: String) throws {
        let valid = !name.isEmpty && name.utf8.count <= 63
            && name.utf8.enumerated().allSatisfy { index, byte in
                (byte >= 0x61 && byte <= 0x7A) || byte == 0x5F || (index > 0 && byte >= 0x30 && byte <= 0x39)
            }
        guard valid else { throw StorageError.invalidIdentifier(name) }
        self.name = name
    }

    public var description: String { name }
}

/// Whether `error` says the database (or the way to it) is unavailable for now, rather than that
/// the work itself is wrong: connection failures, a server shutting down or restarting, too many
/// connections, serialization failures and deadlocks, timeouts. Such work is retried without limit
/// (nothing is dead-lettered because PostgreSQL restarted); other errors count as failed attempts.
public func isTransientDatabaseFailure(_ error: any Error) -> Bool {
    if error is TimeoutError || error is CancellationError { return true }
    if let tx = error as? PostgresTransactionError {
        for inner in [tx.beginError, tx.commitError, tx.closureError, tx.rollbackError] {
            if let inner, isTransientDatabaseFailure(inner) { return true }
        }
        return false
    }
    guard let psql = error as? PSQLError else { return false }
    switch psql.code {
    case .connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown, .poolClosed,
         .queryCancelled, .sslUnsupported, .failedToAddSSLHandler:
        return true
    case .server:
        guard let state = psql.serverInfo?[.sqlState] else { return false }
        // 08: connection exception; 53: insufficient resources; 57P0x: shutdown / cannot connect now;
        // 40001 / 40P01: serialization failure / deadlock; 55P03: lock not available.
        return state.hasPrefix("08") || state.hasPrefix("53") || state.hasPrefix("57P")
            || ["40001", "40P01", "55P03"].contains(state)
    default:
        return false
    }
}
