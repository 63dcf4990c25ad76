import Foundation
import LeadMessaging
import LeadModel

/// Publishes messages that cannot be processed to `leads.deadletter`, with the original bytes,
/// headers, position, the failing stage, a stable error code and a human-readable reason.
///
/// Writes go straight to the idempotent producer and return only once the broker acknowledged
/// them, so the consumer may then skip the original message without losing it.
public struct DeadLetterWriter: Sendable {
    private let producer: KafkaProducer
    private let topic: String
    private let encoder: EventEncoder

    /// Creates a writer publishing to `topic` (the full, prefixed name).
    public init(producer: KafkaProducer, topic: String, encoder: EventEncoder) {
        self.producer = producer
        self.topic = topic
        self.encoder = encoder
    }

    /// Dead-letters a consumed message.
    public func write(message: ConsumedMessage, stage: String, code: String, reason: String, attempts: Int) async throws {
        var headers: [String: String] = [:]
        for header in message.headers where headers[header.key] == nil {
            headers[header.key] = header.stringValue ?? ""
        }
        let letter = DeadLetter(
            leadId: message.header(EventEnvelope.Header.subject).flatMap(LeadID.init),
            originalTopic: message.topic,
            originalPartition: Int(message.partition),
            originalOffset: message.offset,
            originalKey: message.keyString,
            originalHeaders: headers,
            originalValue: message.value,
            stage: ProcessingStage(rawValue: stage) ?? .ingest,
            errorCode: code,
            reason: reason,
            failedAt: Date(),
            attempts: attempts
        )
        try await write(letter)
    }

    /// Publishes a dead letter built by the caller (for example for a rejected HTTP request).
    public func write(_ letter: DeadLetter) async throws {
        let record = try encoder.record(letter)
        _ = try await producer.send(OutgoingMessage(
            topic: topic,
            key: record.key.map { Array($0.utf8) },
            value: record.payload,
            headers: record.headers.map { KafkaHeader(key: $0.key, string: $0.value) }
        ))
    }
}
