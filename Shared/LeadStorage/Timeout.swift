/// The operation did not finish within its time limit.
public struct TimeoutError: Error, CustomStringConvertible, Sendable {
    /// Creates the error.
    public init() {}

    public var description: String { "timed out" }
}

/// Runs `body`, throwing ``TimeoutError`` when it takes longer than `limit` (and cancelling it).
public func withTimeout<T: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            throw TimeoutError()
        }
        defer { group.cancelAll() }
        guard let first = try await group.next() else { throw TimeoutError() }
        return first
    }
}
