import Foundation

/// A bounded, lossless hand-off from one blocking producer thread to async receivers.
///
/// ``send(_:)`` blocks the calling (dedicated, non-cooperative) thread while the buffer is full,
/// which is the consumer's backpressure; ``receive()`` suspends without blocking a thread.
/// After ``finish()`` senders are refused and receivers get `nil`; buffered elements are dropped.
final class BoundedChannel<Element: Sendable>: @unchecked Sendable {
    private typealias Receiver = CheckedContinuation<Element?, Never>

    private let condition = NSCondition()
    private let capacity: Int
    private var buffer: [Element] = []
    private var head = 0
    private var receivers: [(id: UInt, continuation: Receiver)] = []
    private var nextReceiverID: UInt = 0
    private var finished = false

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    private var count: Int { buffer.count - head }

    /// Hands `element` to a waiting receiver or buffers it, blocking while the buffer is full.
    /// - Returns: `false` when the channel is finished (the element is dropped).
    func send(_ element: Element) -> Bool {
        condition.lock()
        while !finished && count >= capacity { condition.wait() }
        if finished {
            condition.unlock()
            return false
        }
        if !receivers.isEmpty {
            let receiver = receivers.removeFirst()
            condition.unlock()
            receiver.continuation.resume(returning: element)
            return true
        }
        buffer.append(element)
        condition.unlock()
        return true
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
                    condition.broadcast()
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
        if removed > 0 { condition.broadcast() }
        return removed
    }

    /// Ends the channel: wakes a blocked sender (refused) and all receivers (`nil`).
    func finish() {
        condition.lock()
        finished = true
        buffer = []
        head = 0
        let waiting = receivers
        receivers = []
        condition.broadcast()
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
