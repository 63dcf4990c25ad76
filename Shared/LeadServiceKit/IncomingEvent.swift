import Foundation
import LeadMessaging
import LeadModel

/// A consumed Kafka message read as a Leadflow CloudEvent (binary mode).
///
/// Reading it never crashes on bad input: anything that is not a well-formed Leadflow event
/// throws an ``EventRejection`` with a stable code, which ``EventConsumerService`` dead-letters.
public struct IncomingEvent: Sendable {
    /// The message as consumed.
    public let message: ConsumedMessage
    /// Its CloudEvents attributes and body.
    public let envelope: EventEnvelope
    /// The event id (`ce_id`), the key of every idempotency record.
    public let eventId: UUID
    /// The decoded event.
    public let event: AnyLeadflowEvent

    /// Reads `message`.
    /// - Throws: ``EventRejection`` with code `missing_header`, `invalid_header`,
    ///   `unsupported_spec_version`, `unknown_event_type`, `invalid_event_id`, `invalid_json`
    ///   or `event_id_mismatch`.
    public init(_ message: ConsumedMessage) throws(EventRejection) {
        self.message = message
        var headers: [String: String] = [:]
        for header in message.headers where headers[header.key] == nil {
            headers[header.key] = header.stringValue
        }
        do {
            envelope = try EventEnvelope(topic: message.topic, key: message.keyString, headers: headers, body: message.value)
        } catch {
            throw EventRejection(code: error.code.rawValue, reason: error.message)
        }
        guard let id = UUID(uuidString: envelope.id) else {
            throw EventRejection(code: "invalid_event_id", reason: "ce_id '\(envelope.id.prefix(80))' is not a UUID")
        }
        eventId = id
        let decoded: AnyLeadflowEvent?
        do {
            decoded = try AnyLeadflowEvent.decode(eventType: envelope.type, body: message.value)
        } catch {
            throw EventRejection(code: "invalid_json", reason: "the body is not a valid \(envelope.type): \(Self.describe(error))")
        }
        guard let decoded else {
            throw EventRejection(code: "unknown_event_type", reason: "unknown event type '\(envelope.type.prefix(120))'")
        }
        guard decoded.eventId == id else {
            throw EventRejection(code: "event_id_mismatch", reason: "ce_id \(id) differs from the body's eventId \(decoded.eventId)")
        }
        event = decoded
    }

    /// A short, single-line description of a decoding error (never the whole input).
    static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, let context):
            return "missing field \(path(context.codingPath + [key]))"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            return "wrong type at \(path(context.codingPath)): \(context.debugDescription.prefix(160))"
        case DecodingError.dataCorrupted(let context):
            return "invalid value at \(path(context.codingPath)): \(context.debugDescription.prefix(160))"
        default:
            return String(String(describing: error).prefix(200))
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.isEmpty ? "/" : "/" + keys.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: "/")
    }
}
