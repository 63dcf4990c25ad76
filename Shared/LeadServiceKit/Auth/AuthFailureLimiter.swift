import Foundation
import Metrics
import Synchronization

/// Counts failed authentications per client in a sliding window and refuses a client that
/// failed too often, so credentials cannot be guessed at speed. Counted in
/// `leadflow_auth_failures_total{reason}` and `leadflow_auth_rate_limited_total`.
public final class AuthFailureLimiter: Sendable {
    private let limit: Int
    private let window: Duration
    private let failures = Mutex<[String: [ContinuousClock.Instant]]>([:])

    /// Creates a limiter allowing `limit` failures per client within `window`.
    public init(limit: Int, window: Duration) {
        self.limit = max(1, limit)
        self.window = window
    }

    /// Whether `client` has used up its failures; when it has, how long until it may try again.
    public func retryAfter(client: String, now: ContinuousClock.Instant = .now) -> Duration? {
        failures.withLock { table -> Duration? in
            guard var times = table[client] else { return nil }
            times.removeAll { now - $0 >= window }
            table[client] = times.isEmpty ? nil : times
            guard times.count >= limit, let oldest = times.first else { return nil }
            return window - (now - oldest)
        }
    }

    /// Records one failed authentication of `client`.
    public func recordFailure(client: String, reason: String, now: ContinuousClock.Instant = .now) {
        Counter(label: "leadflow_auth_failures_total", dimensions: [("reason", reason)]).increment()
        failures.withLock { table in
            var times = table[client, default: []]
            times.removeAll { now - $0 >= window }
            times.append(now)
            if times.count > limit { times.removeFirst(times.count - limit) }
            table[client] = times
            if table.count > 100_000 { table.removeAll() }  // bounded memory under a spray of addresses
        }
    }

    /// Counts a refused (rate-limited) request.
    public func recordRefusal() {
        Counter(label: "leadflow_auth_rate_limited_total").increment()
    }
}
