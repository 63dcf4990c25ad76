import Synchronization

/// A value loaded from the database and kept for a short time: templates and default tasks are
/// read on every event, but change rarely. Changes made through this process invalidate at once;
/// other instances see them within the time to live.
final class ExpiringCache<Value: Sendable>: Sendable {
    private struct Entry {
        var value: Value
        var loadedAt: ContinuousClock.Instant
    }

    private let entry = Mutex<Entry?>(nil)
    private let timeToLive: Duration

    init(timeToLive: Duration) {
        self.timeToLive = timeToLive
    }

    /// The cached value, or a freshly loaded one when none is cached or it is too old.
    func value(load: () async throws -> Value) async throws -> Value {
        let now = ContinuousClock.now
        if let cached = entry.withLock({ $0 }), now - cached.loadedAt < timeToLive { return cached.value }
        let value = try await load()
        entry.withLock { $0 = Entry(value: value, loadedAt: now) }
        return value
    }

    /// Forgets the cached value.
    func invalidate() {
        entry.withLock { $0 = nil }
    }
}
