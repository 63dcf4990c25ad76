import Foundation

/// A bounded, lossless hand-off from one producer thread to async receivers.
///
/// ``trySend(_:)`` never blocks: a full buffer answers ``SendResult/full`` and the producer
/// decides what to do (the consumer's poll thread pauses fetching and keeps polling).
/// ``receive()`` suspends without blocking a thread. After ``finish()`` senders are refused and
/// receivers get `nil`; buffered elements are dropped.
final class BoundedChannel<Element: Sendable>: @unchecked Sendable {
    private typealias Receiver = CheckedContinuation<Element?, Never>

    private let condition = NSCondition()
    /// Most elements buffered.
    let capacity: Int
    private var buffer: [Element] = []
    private var head = 0
    private var receivers: [(id: UInt, continuation: Receiver)] = []
    private var nextReceiverID: UInt = 0
    private var finished = false

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    private var count: Int { buffer.count - head }

    /// What ``trySend(_:)`` did with an element.
    enum SendResult: Equatable {
        /// Handed to a receiver or buffered.
        case sent
        /// Not taken: the buffer is full.
        case full
        /// Not taken: the channel is finished.
        case finished
    }

    /// Hands `element` to a waiting receiver or buffers it, unless the buffer is full.
    func trySend(_ element: Element) -> SendResult {
        condition.lock()
        if finished {
            condition.unlock()
            return .finished
        }
        if !receivers.isEmpty {
            let receiver = receivers.removeFirst()
            condition.unlock()
            receiver.continuation.resume(returning: element)
            return .sent
        }
        guard count < capacity else {
            condition.unlock()
            return .full
        }
        buffer.append(element)
        condition.unlock()
        return .sent
    }

    /// Whether the buffer holds at most `level` elements (the producer resumes below a low-water mark).
    func isAtOrBelow(_ level: Int) -> Bool {
        condition.withLock { count <= level }
    }

    /// The next element, or `nil` once the channel is finished or the task is cancelled.
    func receive() async -> Element? {
        let id: UInt = condition.withLock {
            nextReceiverID &+= 1
            return nextReceiverID
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: Receiver) in
                condition.lock()
                if count > 0 {
                    let element = popFirst()
                    condition.unlock()
                    continuation.resume(returning: element)
                } else if finished || Task.isCancelled {
                    condition.unlock()
                    continuation.resume(returning: nil)
                } else {
                    receivers.append((id, continuation))
                    condition.unlock()
                }
            }
        } onCancel: {
            let receiver: Receiver? = condition.withLock {
                guard let index = receivers.firstIndex(where: { $0.id == id }) else { return nil }
                return receivers.remove(at: index).continuation
            }
            receiver?.resume(returning: nil)
        }
    }

    /// Drops buffered elements matching `predicate` (for example those of revoked partitions).
    /// - Returns: how many were dropped.
    @discardableResult
    func removeAll(where predicate: (Element) -> Bool) -> Int {
        condition.lock()
        defer { condition.unlock() }
        let before = count
        buffer = buffer[head...].filter { !predicate($0) }
        head = 0
        let removed = before - count
        return removed
    }

    /// Ends the channel: later sends are refused and all receivers get `nil`.
    func finish() {
        condition.lock()
        finished = true
        buffer = []
        head = 0
        let waiting = receivers
        receivers = []
        condition.unlock()
        for receiver in waiting { receiver.continuation.resume(returning: nil) }
    }

    private func popFirst() -> Element {
        let element = buffer[head]
        head += 1
        if head >= 64 && head * 2 >= buffer.count {
            buffer.removeFirst(head)
            head = 0
        }
        return element
    }
}
