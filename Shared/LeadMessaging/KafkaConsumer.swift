import CRdKafka
import Logging

/// A member of a Kafka consumer group (cooperative-sticky assignment).
///
/// A dedicated thread polls librdkafka and copies each message into a bounded buffer that
/// ``messages`` drains; when the buffer is full the thread pauses fetching but keeps polling
/// (the member stays in its group however long the application takes), and nothing is dropped.
/// Offsets are at-least-once: nothing counts as consumed until ``markProcessed(_:)`` stores its
/// offset, and stored offsets are committed every `autoCommitIntervalMs`, before partitions are
/// revoked, on ``close()`` and by ``commit()``. After a rebalance, messages not yet marked are
/// delivered again (to whichever member owns the partition then).
public final class KafkaConsumer: Sendable {
    private let core: ConsumerCore

    /// Creates the consumer, subscribes to the topics and starts polling.
    ///
    /// - Throws: ``KafkaError`` when a configuration property is rejected or subscribing fails.
    public init(configuration: KafkaConsumerConfiguration, logger: Logger) throws {
        core = try ConsumerCore(configuration: configuration, logger: logger)
        let core = self.core
        PollLifecycle.startThread(named: "kafka-consumer-poll") { core.runPollLoop() }
    }

    deinit {
        core.requestClose()
    }

    /// The consumed messages; the sequence ends after ``close()``.
    public var messages: KafkaMessages { KafkaMessages(channel: core.channel) }

    /// Marks `message` as fully processed by storing its offset + 1 for the next commit.
    ///
    /// A message of a partition this consumer no longer owns is ignored: the new owner reads
    /// it again.
    /// - Throws: ``KafkaError`` when librdkafka rejects the offset or the consumer is closed.
    public func markProcessed(_ message: ConsumedMessage) throws {
        try markProcessed([message])
    }

    /// Marks several messages as processed; for each partition the highest offset counts.
    public func markProcessed(_ messages: [ConsumedMessage]) throws {
        var highest: [TopicPartition: Int64] = [:]
        for message in messages {
            highest[message.topicPartition] = max(highest[message.topicPartition] ?? -1, message.offset)
        }
        guard !highest.isEmpty else { return }
        let entries = highest.map { (topic: $0.key.topic, partition: $0.key.partition, offset: $0.value + 1) }
        try core.handle.use { rk in
            try PartitionList.with(entries) { list in
                let err = rd_kafka_offsets_store(rk, list)
                for index in 0..<Int(list.pointee.cnt) {
                    let element = list.pointee.elems[index]
                    if element.err == RD_KAFKA_RESP_ERR__STATE || element.err == RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION {
                        continue  // not assigned (any more): the partition's owner will redeliver it
                    }
                    if element.err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError.rdkafka(element.err) }
                }
                if err != RD_KAFKA_RESP_ERR_NO_ERROR, err != RD_KAFKA_RESP_ERR__STATE {
                    throw KafkaError.rdkafka(err)
                }
            }
        }
    }

    /// Commits the stored offsets now and waits for the broker's answer (on a thread outside
    /// the cooperative pool). Succeeds when nothing is stored.
    public func commit() async throws {
        let handle = core.handle
        try await BlockingExecutor.run {
            try handle.use { rk in
                let err = rd_kafka_commit(rk, nil, 0)
                if err != RD_KAFKA_RESP_ERR_NO_ERROR, err != RD_KAFKA_RESP_ERR__NO_OFFSET {
                    throw KafkaError.rdkafka(err)
                }
            }
        }
    }

    /// The partitions currently assigned to this member.
    public func assignment() -> [TopicPartition] {
        core.assigned.withLock { Array($0) }.sorted { ($0.topic, $0.partition) < ($1.topic, $1.partition) }
    }

    /// Leaves the group: commits stored offsets, hands the partitions back, ends ``messages``
    /// (dropping buffered messages, which will be redelivered) and destroys the client.
    /// Safe to call more than once.
    public func close() async {
        core.requestClose()
        await core.lifecycle.waitUntilFinished()
    }
}
