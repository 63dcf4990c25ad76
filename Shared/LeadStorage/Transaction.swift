import Logging
import PostgresNIO

extension PostgresClient {
    /// Runs `body` in a transaction (BEGIN … COMMIT, ROLLBACK when it throws) and rethrows the
    /// body's own error as itself, not wrapped in `PostgresTransactionError`, so callers can catch
    /// their domain errors. Failures of BEGIN, COMMIT or ROLLBACK still arrive wrapped.
    public func transaction<Result>(
        logger: Logger,
        isolation: isolated (any Actor)? = #isolation,
        _ body: (PostgresConnection) async throws -> sending Result
    ) async throws -> sending Result {
        do {
            return try await withTransaction(logger: logger, isolation: isolation, body)
        } catch let error as PostgresTransactionError {
            if let bodyError = error.closureError, error.rollbackError == nil { throw bodyError }
            throw error
        }
    }
}
