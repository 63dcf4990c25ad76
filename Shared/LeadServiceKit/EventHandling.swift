import LeadMessaging

/// What a service does with each consumed message. Handlers must be idempotent (see `EventApplier`):
/// after a crash or rebalance, Kafka delivers again what was not yet committed.
public protocol EventHandler: Sendable {
    /// Applies `message`. Throw ``EventRejection`` for input that can never succeed (it is
    /// dead-lettered and skipped); any other error is retried.
    func handle(_ message: ConsumedMessage) async throws
}

/// A message that can never be processed: it goes to `leads.deadletter` with this reason.
public struct EventRejection: Error, CustomStringConvertible, Sendable {
    /// Stable machine-readable reason (`invalid_json`, `unknown_event_type`, …).
    public let code: String
    /// Human-readable explanation.
    public let reason: String

    /// Creates a rejection.
    public init(code: String, reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { "\(code): \(reason)" }
}
