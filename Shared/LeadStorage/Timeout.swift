import Synchronization

/// The operation did not finish within its time limit.
public struct TimeoutError: Error, CustomStringConvertible, Sendable {
    /// Creates the error.
    public init() {}

    public var description: String { "timed out" }
}

/// Runs `body`, throwing ``TimeoutError`` when it takes longer than `limit`.
///
/// At the deadline `body` is cancelled and the caller resumes at once, whether or not `body`
/// honours the cancellation: a call that ignores it (a database request stuck on a connection
/// that died without a reset) is left to finish on its own, and its result is discarded. A task
/// group would instead wait for such a child, and so hang with it. Cancelling the caller cancels
/// `body` and throws `CancellationError` the same way. Task-local values reach `body`.
public func withTimeout<T: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    let race = TimeoutRace<T>()
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            race.start(continuation)
            let work = Task {
                let result: Result<T, any Error>
                do { result = .success(try await body()) } catch { result = .failure(error) }
                race.finish(result)
            }
            let deadline = Task {
                try? await Task.sleep(for: limit)
                race.finish(.failure(TimeoutError()))
            }
            race.track(work: work, deadline: deadline)
        }
    } onCancel: {
        race.finish(.failure(CancellationError()))
    }
}

/// The shared state of one ``withTimeout(_:_:)`` call: whichever of the work, the deadline and
/// the caller's cancellation finishes first resumes the caller; the others are cancelled.
private final class TimeoutRace<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, any Error>?
        var outcome: Result<T, any Error>?
        var work: Task<Void, Never>?
        var deadline: Task<Void, Never>?
    }

    private let state = Mutex(State())

    func start(_ continuation: CheckedContinuation<T, any Error>) {
        let early = state.withLock { state -> Result<T, any Error>? in
            if let outcome = state.outcome { return outcome }  // cancelled before it started
            state.continuation = continuation
            return nil
        }
        if let early { continuation.resume(with: early) }
    }

    func track(work: Task<Void, Never>, deadline: Task<Void, Never>) {
        let finished = state.withLock { state -> Bool in
            state.work = work
            state.deadline = deadline
            return state.outcome != nil
        }
        if finished {
            work.cancel()
            deadline.cancel()
        }
    }

    /// Records the first outcome and resumes the caller with it; later outcomes are ignored.
    func finish(_ outcome: Result<T, any Error>) {
        let (continuation, work, deadline) = state.withLock { state -> (CheckedContinuation<T, any Error>?, Task<Void, Never>?, Task<Void, Never>?) in
            guard state.outcome == nil else { return (nil, nil, nil) }
            state.outcome = outcome
            defer { state.continuation = nil }
            return (state.continuation, state.work, state.deadline)
        }
        work?.cancel()
        deadline?.cancel()
        continuation?.resume(with: outcome)
    }
}
