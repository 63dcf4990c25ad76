import Synchronization

/// Lets one waiting loop sleep until it is woken or a timeout passes, whichever comes first.
/// `wake()` before `wait` is remembered, so a wake-up is never lost between two waits.
public final class WakeSignal: Sendable {
    private struct State {
        var pending = false
        var stopped = false
        var waiter: (id: UInt64, continuation: CheckedContinuation<Void, Never>)?
        var nextId: UInt64 = 0
    }

    private let state = Mutex(State())

    /// Creates a signal.
    public init() {}

    /// Wakes the waiter now, or the next one to wait.
    public func wake() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter.continuation
            }
            state.pending = true
            return nil
        }
        waiter?.resume()
    }

    /// Wakes the waiter and every later `wait` returns at once; `isStopped` becomes true.
    public func stop() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.stopped = true
            defer { state.waiter = nil }
            return state.waiter?.continuation
        }
        waiter?.resume()
    }

    /// Whether `stop()` was called.
    public var isStopped: Bool { state.withLock { $0.stopped } }

    /// Sleeps until `wake()`, `stop()` or `timeout`.
    public func wait(timeout: Duration) async {
        let id = state.withLock { state -> UInt64 in
            state.nextId += 1
            return state.nextId
        }
        let timer = Task { [weak self] in
            try? await Task.sleep(for: timeout)
            self?.resumeWaiter(id: id)
        }
        defer { timer.cancel() }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = state.withLock { state -> Bool in
                if state.pending || state.stopped {
                    state.pending = false
                    return true
                }
                state.waiter = (id, continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    private func resumeWaiter(id: UInt64) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let waiter = state.waiter, waiter.id == id else { return nil }
            state.waiter = nil
            return waiter.continuation
        }
        waiter?.resume()
    }
}
