import Foundation

/// A Leadflow event as a Kafka message in the CloudEvents 1.0 Kafka binding, binary mode:
/// attributes in `ce_*` headers, the JSON body as the value, the partition key as the key.
///
/// Kafka-agnostic: the messaging layer moves ``key``, ``headers`` and ``body`` as bytes.
public struct EventEnvelope: Hashable, Sendable {
    /// Header names of the binding.
    public enum Header {
        public static let specVersion = "ce_specversion"
        public static let id = "ce_id"
        public static let type = "ce_type"
        public static let source = "ce_source"
        public static let time = "ce_time"
        public static let subject = "ce_subject"
        public static let dataSchema = "ce_dataschema"
        public static let contentType = "content-type"
    }

    /// The CloudEvents version written and accepted.
    public static let specVersion = "1.0"
    /// The body's media type.
    public static let jsonContentType = "application/json"

    /// The topic to publish to.
    public var topic: String
    /// The message key (the lead id for lead events).
    public var key: String
    /// CloudEvents `id`: the event id, lowercase.
    public var id: String
    /// CloudEvents `type`, e.g. `io.leadflow.lead.received.v1`.
    public var type: String
    /// CloudEvents `source`, e.g. `/leadflow/ingest`.
    public var source: String
    /// CloudEvents `time`.
    public var time: Date?
    /// CloudEvents `subject` (the lead id).
    public var subject: String?
    /// CloudEvents `dataschema`.
    public var dataSchema: String?
    /// The body's media type.
    public var contentType: String
    /// The JSON body.
    public var body: [UInt8]

    /// Wraps an event for publishing.
    /// - Parameter source: the producing service as a URI reference, e.g. `/leadflow/ingest`.
    public init<Event: LeadflowEvent>(_ event: Event, source: String) throws {
        self.topic = Event.topic.rawValue
        self.key = event.partitionKey
        self.id = event.eventId.uuidString.lowercased()
        self.type = Event.eventType
        self.source = source
        self.time = event.occurredAt
        self.subject = event.subject
        self.dataSchema = Event.dataSchema
        self.contentType = EventEnvelope.jsonContentType
        self.body = try LeadflowJSON.encode(event)
    }

    /// Reads a received message; throws when a required CloudEvents attribute is missing.
    public init(topic: String, key: String?, headers: [String: String], body: [UInt8]) throws(EnvelopeError) {
        func required(_ name: String) throws(EnvelopeError) -> String {
            guard let value = headers[name], !value.isEmpty else {
                throw EnvelopeError(code: .missingHeader, message: "Header \(name) is missing")
            }
            return value
        }
        let specVersion = try required(Header.specVersion)
        guard specVersion == EventEnvelope.specVersion else {
            throw EnvelopeError(code: .unsupportedSpecVersion, message: "CloudEvents \(specVersion) is not supported")
        }
        self.topic = topic
        self.key = key ?? ""
        self.id = try required(Header.id)
        self.type = try required(Header.type)
        self.source = try required(Header.source)
        if let text = headers[Header.time] {
            guard let time = LeadflowJSON.parseDate(text) else {
                throw EnvelopeError(code: .invalidHeader, message: "Header \(Header.time) is not a date-time: \(text)")
            }
            self.time = time
        } else {
            self.time = nil
        }
        self.subject = headers[Header.subject]
        self.dataSchema = headers[Header.dataSchema]
        self.contentType = headers[Header.contentType] ?? EventEnvelope.jsonContentType
        self.body = body
    }

    /// The headers to publish.
    public var headers: [String: String] {
        var headers = [
            Header.specVersion: EventEnvelope.specVersion,
            Header.id: id,
            Header.type: type,
            Header.source: source,
            Header.contentType: contentType,
        ]
        headers[Header.time] = time.map(LeadflowJSON.formatDate)
        headers[Header.subject] = subject
        headers[Header.dataSchema] = dataSchema
        return headers
    }

    /// The Swift type of ``type``, if it is a known Leadflow event type.
    public var eventType: (any LeadflowEvent.Type)? {
        LeadflowEvents.type(forEventType: type)
    }

    /// Decodes the body as `Event`; throws ``EnvelopeError`` when the type does not match or
    /// the content type is not JSON, and the decoder's error when the body is malformed.
    public func decode<Event: LeadflowEvent>(_ eventType: Event.Type) throws -> Event {
        guard type == Event.eventType else {
            throw EnvelopeError(code: .typeMismatch, message: "Expected \(Event.eventType), got \(type)")
        }
        guard contentType.hasPrefix(EventEnvelope.jsonContentType) else {
            throw EnvelopeError(code: .unsupportedContentType, message: "Content type \(contentType) is not JSON")
        }
        return try LeadflowJSON.decode(Event.self, from: body)
    }
}

/// Why a message is not a usable Leadflow CloudEvent. Codes are stable (use them as
/// dead-letter `errorCode`s).
public struct EnvelopeError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable, machine-readable reason.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case missingHeader = "missing_header"
            case invalidHeader = "invalid_header"
            case unsupportedSpecVersion = "unsupported_spec_version"
            case typeMismatch = "type_mismatch"
            case unsupportedContentType = "unsupported_content_type"
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// A required `ce_*` header is absent.
        public static let missingHeader = Code(.missingHeader)
        /// A header's value is malformed.
        public static let invalidHeader = Code(.invalidHeader)
        /// `ce_specversion` is not 1.0.
        public static let unsupportedSpecVersion = Code(.unsupportedSpecVersion)
        /// `ce_type` is not the expected event type.
        public static let typeMismatch = Code(.typeMismatch)
        /// `content-type` is not JSON.
        public static let unsupportedContentType = Code(.unsupportedContentType)

        /// The snake_case wire form.
        public var rawValue: String { base.rawValue }
        /// Same as ``rawValue``.
        public var description: String { base.rawValue }
    }

    /// The machine-readable reason.
    public var code: Code
    /// A human-readable explanation.
    public var message: String

    /// Creates an envelope error.
    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    /// `"missing_header: …"`.
    public var description: String { "\(code): \(message)" }
}
