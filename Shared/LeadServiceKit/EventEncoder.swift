import LeadModel
import LeadStorage

/// Turns Leadflow events into outbox records: the CloudEvents binary-mode headers, the JSON body,
/// the lead id as key, and the topic name with the process's configured prefix.
public struct EventEncoder: Sendable {
    /// The CloudEvents `source` of every event this process emits, e.g. `/leadflow/ingest`.
    public let source: String
    /// Prefix put in front of every topic name (test isolation, shared clusters).
    public let topicPrefix: String

    /// Creates an encoder for events emitted by `source`.
    public init(source: String, topicPrefix: String = "") {
        self.source = source
        self.topicPrefix = topicPrefix
    }

    /// The outbox record publishing `event`, carrying the current ``Correlation/id`` (or, when
    /// there is none, the event's own id, which starts a new correlation).
    public func record<Event: LeadflowEvent>(_ event: Event, extraHeaders: [(key: String, value: String)] = []) throws -> OutboxRecord {
        let envelope = try EventEnvelope(event, source: source)
        let correlation = (key: Correlation.kafkaHeader, value: Correlation.id ?? envelope.id)
        return OutboxRecord(
            topic: topicPrefix + envelope.topic,
            key: envelope.key,
            payload: envelope.body,
            headers: Self.orderedHeaders(envelope) + [correlation] + extraHeaders
        )
    }

    /// The outbox record publishing `event`, whichever type it is.
    public func record(_ event: AnyLeadflowEvent) throws -> OutboxRecord {
        switch event {
        case .received(let e): try record(e)
        case .lifecycle(let e): try record(e)
        case .scored(let e): try record(e)
        case .assigned(let e): try record(e)
        case .notification(let e): try record(e)
        case .metrics(let e): try record(e)
        case .deadLetter(let e): try record(e)
        }
    }

    /// The full topic name of `topic` in this process.
    public func topicName(_ topic: Topic) -> String { topicPrefix + topic.name }

    /// The envelope's headers in a stable order (the CloudEvents attributes first).
    static func orderedHeaders(_ envelope: EventEnvelope) -> [(key: String, value: String)] {
        let order = [
            EventEnvelope.Header.specVersion, EventEnvelope.Header.id, EventEnvelope.Header.type,
            EventEnvelope.Header.source, EventEnvelope.Header.time, EventEnvelope.Header.subject,
            EventEnvelope.Header.dataSchema, EventEnvelope.Header.contentType,
        ]
        let headers = envelope.headers
        return order.compactMap { name in headers[name].map { (key: name, value: $0) } }
    }
}
