import LeadMessaging
import Synchronization

/// Hands consumed messages from the reading task to the projecting task in batches, holding at
/// most `capacity` (the reader waits when it is full, so the consumer's own bounded buffer — and
/// with it librdkafka's fetching — keeps its back-pressure).
///
/// A state machine behind a lock decides; continuations are resumed outside it.
final class BatchQueue: Sendable {
    private struct State {
        var items: [ConsumedMessage] = []
        var finished = false
        var waitingTaker: CheckedContinuation<Void, Never>?
        var waitingPusher: CheckedContinuation<Void, Never>?
    }

    private let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// Adds a message, waiting while the queue is full.
    func push(_ message: ConsumedMessage) async {
        while true {
            let (added, taker) = state.withLock { state -> (Bool, CheckedContinuation<Void, Never>?) in
                guard state.items.count < capacity || state.finished else { return (false, nil) }
                state.items.append(message)
                defer { state.waitingTaker = nil }
                return (true, state.waitingTaker)
            }
            if added {
                taker?.resume()
                return
            }
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    if state.items.count < capacity || state.finished { return true }
                    state.waitingPusher = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        }
    }

    /// No more messages will come; a waiting taker gets what is left, then `nil`.
    func finish() {
        let (taker, pusher) = state.withLock { state in
            state.finished = true
            defer { state.waitingTaker = nil; state.waitingPusher = nil }
            return (state.waitingTaker, state.waitingPusher)
        }
        taker?.resume()
        pusher?.resume()
    }

    /// Up to `limit` queued messages, in order, waiting while none are queued; `nil` once
    /// finished and drained.
    func take(limit: Int) async -> [ConsumedMessage]? {
        while true {
            let (batch, done, pusher) = state.withLock { state -> ([ConsumedMessage], Bool, CheckedContinuation<Void, Never>?) in
                guard !state.items.isEmpty else { return ([], state.finished, nil) }
                let batch = Array(state.items.prefix(limit))
                state.items.removeFirst(batch.count)
                defer { state.waitingPusher = nil }
                return (batch, false, state.waitingPusher)
            }
            if !batch.isEmpty {
                pusher?.resume()
                return batch
            }
            if done { return nil }
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    if !state.items.isEmpty || state.finished { return true }
                    state.waitingTaker = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        }
    }
}
