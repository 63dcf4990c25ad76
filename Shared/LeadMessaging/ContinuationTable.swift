/// Maps the per-message opaque id given to librdkafka to the `send` waiting for that
/// message's delivery report.
///
/// An id is reserved *before* the message is enqueued, so a delivery report that arrives before
/// the sender starts waiting is kept and handed over when it does. After ``failAll(_:)`` the
/// table refuses new ids and completes everything still pending with that error.
final class ContinuationTable: Sendable {
    typealias Continuation = CheckedContinuation<DeliveryReceipt, any Error>

    private enum Entry {
        case reserved
        case waiting(Continuation)
        case completed(Result<DeliveryReceipt, KafkaError>)
    }

    private struct State {
        var nextID: UInt = 1
        var entries: [UInt: Entry] = [:]
        var closedError: KafkaError?
    }

    private let state = Locked(State())

    /// Number of messages reserved but not yet handed to their senders.
    var pendingCount: Int { state.withLock { $0.entries.count } }

    /// Reserves an id for a message about to be enqueued.
    func reserve() throws -> UInt {
        try state.withLock { state in
            if let error = state.closedError { throw error }
            let id = state.nextID
            state.nextID &+= 1
            state.entries[id] = .reserved
            return id
        }
    }

    /// Forgets an id whose message could not be enqueued.
    func cancel(_ id: UInt) {
        _ = state.withLock { $0.entries.removeValue(forKey: id) }
    }

    /// Waits for the delivery report of message `id`.
    func wait(for id: UInt) async throws -> DeliveryReceipt {
        try await withCheckedThrowingContinuation { (continuation: Continuation) in
            let ready: Result<DeliveryReceipt, KafkaError>? = state.withLock { state in
                switch state.entries[id] {
                case .completed(let result):
                    state.entries[id] = nil
                    return result
                case .reserved:
                    state.entries[id] = .waiting(continuation)
                    return nil
                case .waiting, .none:
                    return .failure(KafkaError.closed("no pending delivery for message \(id)"))
                }
            }
            if let ready { continuation.resume(with: ready.mapError { $0 as any Error }) }
        }
    }

    /// Records the delivery report of message `id` and wakes its sender (outside the lock).
    func complete(_ id: UInt, with result: Result<DeliveryReceipt, KafkaError>) {
        let continuation: Continuation? = state.withLock { state in
            switch state.entries[id] {
            case .waiting(let continuation):
                state.entries[id] = nil
                return continuation
            case .reserved:
                state.entries[id] = .completed(result)
                return nil
            case .completed, .none:
                return nil
            }
        }
        continuation?.resume(with: result.mapError { $0 as any Error })
    }

    /// Refuses new reservations and fails every pending send with `error`.
    func failAll(_ error: KafkaError) {
        let waiting: [Continuation] = state.withLock { state in
            if state.closedError == nil { state.closedError = error }
            var waiting: [Continuation] = []
            for (id, entry) in state.entries {
                switch entry {
                case .waiting(let continuation):
                    waiting.append(continuation)
                    state.entries[id] = nil
                case .reserved:
                    state.entries[id] = .completed(.failure(error))
                case .completed:
                    break
                }
            }
            return waiting
        }
        for continuation in waiting { continuation.resume(throwing: error) }
    }
}
