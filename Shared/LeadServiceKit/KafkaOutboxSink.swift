import LeadMessaging
import LeadStorage

/// Publishes outbox records with the idempotent producer, awaiting every acknowledgement.
public struct KafkaOutboxSink: OutboxSink {
    private let producer: KafkaProducer

    /// Creates a sink over `producer`.
    public init(producer: KafkaProducer) {
        self.producer = producer
    }

    public func publish(_ records: [OutboxRecord]) async throws {
        let messages = records.map { record in
            OutgoingMessage(
                topic: record.topic,
                key: record.key.map { Array($0.utf8) },
                value: record.payload,
                headers: record.headers.map { KafkaHeader(key: $0.key, string: $0.value) }
            )
        }
        _ = try await producer.send(messages)
    }
}
