import Foundation

/// Start/stop bookkeeping shared by the producer's and consumer's dedicated poll threads.
///
/// The poll thread owns the librdkafka handle: it checks ``stopRequested`` between polls,
/// tears the handle down itself and then calls ``markFinished()``, which wakes everyone
/// waiting in ``waitUntilFinished()``. Stopping never blocks the cooperative pool.
final class PollLifecycle: Sendable {
    private struct State {
        var stopRequested = false
        var finished = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Locked(State())

    /// Whether someone asked the poll thread to stop.
    var stopRequested: Bool { state.withLock { $0.stopRequested } }

    /// Whether the poll thread has torn the handle down.
    var isFinished: Bool { state.withLock { $0.finished } }

    /// Asks the poll thread to stop; returns `false` when it was already asked.
    @discardableResult
    func requestStop() -> Bool {
        state.withLock { state in
            defer { state.stopRequested = true }
            return !state.stopRequested
        }
    }

    /// Called by the poll thread once the handle is destroyed.
    func markFinished() {
        let waiters: [CheckedContinuation<Void, Never>] = state.withLock { state in
            state.finished = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Suspends until ``markFinished()`` has run.
    func waitUntilFinished() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done: Bool = state.withLock { state in
                if state.finished { return true }
                state.waiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }

    /// Starts `body` on a new dedicated thread (not part of the Swift cooperative pool).
    static func startThread(named name: String, _ body: @escaping @Sendable () -> Void) {
        let thread = Thread(block: body)
        thread.name = name
        thread.stackSize = 1 << 20
        thread.start()
    }
}
