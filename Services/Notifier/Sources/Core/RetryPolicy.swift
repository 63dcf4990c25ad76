import Foundation

/// When a failed delivery is tried again: exponential backoff with jitter, up to a number of
/// attempts, after which the delivery is reported `failed` and dead-lettered.
public struct RetryPolicy: Hashable, Sendable {
    /// Attempts in total (the first one included).
    public var maxAttempts: Int
    /// The wait after the first failure.
    public var baseDelay: TimeInterval
    /// The longest wait.
    public var maxDelay: TimeInterval
    /// Fraction of the delay randomized (0.2: ±20 %), so retries of many deliveries spread out.
    public var jitter: Double

    /// Creates a policy.
    public init(maxAttempts: Int = 8, baseDelay: TimeInterval = 5, maxDelay: TimeInterval = 3600, jitter: Double = 0.2) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.jitter = jitter
    }

    /// What to do after attempt number `attempt` (1-based) failed.
    public func decision(afterAttempt attempt: Int, permanent: Bool, random: Double = Double.random(in: 0...1)) -> RetryDecision {
        if permanent || attempt >= maxAttempts { return .giveUp }
        let exponential = baseDelay * pow(2, Double(max(attempt - 1, 0)))
        let capped = min(exponential, maxDelay)
        let factor = 1 + jitter * (2 * min(max(random, 0), 1) - 1)
        return .retry(after: max(capped * factor, 0.001))
    }
}

/// The result of ``RetryPolicy/decision(afterAttempt:permanent:random:)``.
public enum RetryDecision: Hashable, Sendable {
    /// Try again after this many seconds.
    case retry(after: TimeInterval)
    /// Stop: report `failed` and dead-letter.
    case giveUp
}
