import LeadStorage
import Synchronization
import Testing

/// A call that ignores cancellation until the test releases it (like a database request stuck
/// on a dead connection).
private final class Stuck: Sendable {
    private let waiter = Mutex<CheckedContinuation<Void, Never>?>(nil)
    private let released = Atomic<Bool>(false)
    private let done = Atomic<Bool>(false)

    /// Whether the call has returned.
    var finished: Bool { done.load(ordering: .sequentiallyConsistent) }

    func call() async -> Int {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = waiter.withLock { slot -> Bool in
                if released.load(ordering: .sequentiallyConsistent) { return true }
                slot = continuation
                return false
            }
            if resumeNow { continuation.resume() }
        }
        done.store(true, ordering: .sequentiallyConsistent)
        return 42
    }

    func release() {
        released.store(true, ordering: .sequentiallyConsistent)
        waiter.withLock { slot in
            slot?.resume()
            slot = nil
        }
    }
}

@TaskLocal private var tracing: String?

@Suite("withTimeout: the caller resumes at the deadline")
struct TimeoutTests {
    @Test("a result in time is returned, and task-local values reach the body")
    func inTime() async throws {
        let value = try await $tracing.withValue("corr-1") {
            try await withTimeout(.seconds(5)) { tracing ?? "none" }
        }
        #expect(value == "corr-1")
    }

    @Test("the body's own error is rethrown")
    func bodyError() async {
        struct Boom: Error {}
        await #expect(throws: Boom.self) {
            try await withTimeout(.seconds(5)) { () async throws -> Int in throw Boom() }
        }
    }

    @Test("a body that honours cancellation is cut off at the deadline")
    func cancellable() async {
        let started = ContinuousClock.now
        await #expect(throws: TimeoutError.self) {
            try await withTimeout(.milliseconds(200)) { try await Task.sleep(for: .seconds(60)) }
        }
        #expect(ContinuousClock.now - started < .seconds(30))
    }

    @Test("a body that ignores cancellation no longer holds the caller past the deadline")
    func ignoresCancellation() async throws {
        let stuck = Stuck()
        await #expect(throws: TimeoutError.self) {
            try await withTimeout(.milliseconds(200)) { await stuck.call() }
        }
        // The caller got its error while the body is still stuck; releasing it later is harmless.
        #expect(!stuck.finished)
        stuck.release()
        for _ in 0..<200 where !stuck.finished {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(stuck.finished)
    }

    @Test("cancelling the caller cancels the wait")
    func callerCancelled() async {
        let stuck = Stuck()
        let caller = Task { try await withTimeout(.seconds(60)) { await stuck.call() } }
        try? await Task.sleep(for: .milliseconds(100))
        caller.cancel()
        let outcome = await caller.result
        #expect(throws: CancellationError.self) { try outcome.get() }
        stuck.release()
    }
}
