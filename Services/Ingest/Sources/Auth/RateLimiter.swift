import Foundation
import Synchronization

/// A token bucket per key (the source id): `perMinute` requests a minute on average, bursts of
/// up to `burst` (never more than a minute's worth). In memory per instance, so N instances
/// admit up to N times the rate.
public final class RateLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: Date
    }

    private let defaultPerMinute: Int
    private let burst: Int
    private let clock: @Sendable () -> Date
    private let buckets = Mutex<[String: Bucket]>([:])

    /// Creates a limiter.
    public init(perMinute: Int, burst: Int, clock: @escaping @Sendable () -> Date = Date.init) {
        self.defaultPerMinute = max(1, perMinute)
        self.burst = max(1, burst)
        self.clock = clock
    }

    /// Takes `cost` tokens for `key`; returns the seconds to wait when the bucket is empty.
    public func acquire(_ key: String, cost: Int = 1, perMinute: Int? = nil) -> TimeInterval? {
        let minute = max(1, perMinute ?? defaultPerMinute)
        let rate = Double(minute) / 60
        let capacity = Double(max(min(burst, minute), cost))
        let now = clock()
        return buckets.withLock { table -> TimeInterval? in
            var bucket = table[key] ?? Bucket(tokens: capacity, updated: now)
            bucket.tokens = min(capacity, bucket.tokens + max(0, now.timeIntervalSince(bucket.updated)) * rate)
            bucket.updated = now
            defer {
                table[key] = bucket
                if table.count > 100_000 { table.removeAll() }
            }
            if bucket.tokens >= Double(cost) {
                bucket.tokens -= Double(cost)
                return nil
            }
            return (Double(cost) - bucket.tokens) / rate
        }
    }
}
