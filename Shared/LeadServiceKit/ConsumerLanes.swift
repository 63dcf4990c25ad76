import LeadMessaging
import Synchronization

/// Limits how many consumed messages are being processed at once (the consumer's backpressure:
/// while the limit is reached the dispatcher stops taking messages, and librdkafka's buffer fills).
final class InFlightLimit: Sendable {
    private struct State {
        var available: Int
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state: Mutex<State>

    init(_ limit: Int) {
        state = Mutex(State(available: max(1, limit)))
    }

    /// Waits for a free slot.
    func acquire() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let granted = state.withLock { state -> Bool in
                if state.available > 0 {
                    state.available -= 1
                    return true
                }
                state.waiters.append(continuation)
                return false
            }
            if granted { continuation.resume() }
        }
    }

    /// Frees a slot (hands it to the longest waiter, if any).
    func release() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if !state.waiters.isEmpty { return state.waiters.removeFirst() }
            state.available += 1
            return nil
        }
        waiter?.resume()
    }
}

/// Keeps offsets honest when messages of one partition finish out of order (they run in several
/// lanes): a partition's offset only advances over a contiguous run of finished messages, so a
/// crash never skips a message that was still being processed.
final class OffsetTracker: Sendable {
    private struct Entry {
        let offset: Int64
        var done = false
    }

    private let partitions = Mutex<[TopicPartition: [Entry]]>([:])

    /// Records that `message` was handed to a lane (messages arrive in offset order per partition).
    func register(_ message: ConsumedMessage) {
        partitions.withLock { table in
            var entries = table[message.topicPartition, default: []]
            // A lower or repeated offset means the partition was reassigned and is being read again.
            if let last = entries.last, last.offset >= message.offset { entries.removeAll() }
            entries.append(Entry(offset: message.offset))
            table[message.topicPartition] = entries
        }
    }

    /// Records that `message` finished; returns the position whose offset may now be stored
    /// (the last message of the contiguous finished run at the head), if it moved.
    func complete(_ message: ConsumedMessage) -> ConsumedMessage? {
        partitions.withLock { table -> ConsumedMessage? in
            guard var entries = table[message.topicPartition],
                  let index = entries.firstIndex(where: { $0.offset == message.offset })
            else { return nil }
            entries[index].done = true
            var finished: Int64?
            var head = 0
            while head < entries.count, entries[head].done {
                finished = entries[head].offset
                head += 1
            }
            if head > 0 { entries.removeFirst(head) }
            table[message.topicPartition] = entries
            return finished.map {
                ConsumedMessage(topic: message.topic, partition: message.partition, offset: $0, key: nil, value: [])
            }
        }
    }
}

/// Where a message is processed: messages with the same key (the lead id) always share a lane, so
/// one lead's events are applied one at a time and in order; different leads run in parallel.
enum LaneChooser {
    static func lane(for message: ConsumedMessage, count: Int) -> Int {
        guard count > 1 else { return 0 }
        // FNV-1a over the key (stable across processes, unlike Hasher); keyless messages by partition.
        guard let key = message.key, !key.isEmpty else { return Int(message.partition) % count }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return Int(hash % UInt64(count))
    }
}
