/// The messages of a ``KafkaConsumer``, in the order librdkafka fetched them
/// (per partition, by offset). The sequence ends after ``KafkaConsumer/close()``.
///
/// Iterate it from one task: each message is handed to exactly one `next()` call.
/// Cancelling the iterating task ends the iteration (the consumer stays open).
public struct KafkaMessages: AsyncSequence, Sendable {
    public typealias Element = ConsumedMessage
    public typealias Failure = Never

    let channel: BoundedChannel<ConsumedMessage>

    /// Iterates the consumer's messages.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let channel: BoundedChannel<ConsumedMessage>
        var done = false

        /// The next message, or `nil` when the consumer is closed or the task is cancelled.
        public mutating func next() async -> ConsumedMessage? {
            guard !done else { return nil }
            if let message = await channel.receive() { return message }
            done = true
            return nil
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(channel: channel)
    }
}
