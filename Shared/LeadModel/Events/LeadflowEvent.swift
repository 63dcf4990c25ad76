import Foundation

/// An event Leadflow publishes: a JSON body on one topic, described by a CloudEvents type and a
/// JSON Schema.
///
/// Bodies always carry `eventId` and (except ``DeadLetter``, which says `failedAt`)
/// `occurredAt`; ``EventEnvelope`` maps them to the CloudEvents `ce_id` and `ce_time` headers.
public protocol LeadflowEvent: Codable, Sendable, Hashable {
    /// The CloudEvents `type`, e.g. `io.leadflow.lead.received.v1`.
    static var eventType: String { get }
    /// The topic events of this type are published to.
    static var topic: Topic { get }
    /// The `$id` of the JSON Schema of this event type (CloudEvents `dataschema`).
    static var dataSchema: String { get }
    /// Unique per event; consumers de-duplicate on it.
    var eventId: UUID { get }
    /// When it happened.
    var occurredAt: Date { get }
    /// The Kafka message key: the lead id for lead events.
    var partitionKey: String { get }
    /// The CloudEvents `subject`: the lead id for lead events.
    var subject: String? { get }
}

extension LeadflowEvent {
    /// `https://leadflow.dev/schemas/<topic>/v1.json`.
    public static var dataSchema: String {
        "https://leadflow.dev/schemas/\(topic.rawValue)/v1.json"
    }
}

/// An event about one lead: keyed, and so ordered, by its lead id.
public protocol LeadEvent: LeadflowEvent {
    /// The lead the event is about.
    var leadId: LeadID { get }
}

extension LeadEvent {
    /// The lead id.
    public var partitionKey: String { leadId.description }
    /// The lead id.
    public var subject: String? { leadId.description }
}

/// The catalogue of event types, for consumers that dispatch on the CloudEvents `type`.
public enum LeadflowEvents {
    /// Every event type Leadflow publishes.
    public static let allTypes: [any LeadflowEvent.Type] = [
        LeadReceived.self,
        LeadLifecycleEvent.self,
        LeadScored.self,
        LeadAssigned.self,
        NotificationOutcome.self,
        MetricsSnapshot.self,
        DeadLetter.self,
    ]

    /// The Swift type for a CloudEvents `type`, if known.
    public static func type(forEventType eventType: String) -> (any LeadflowEvent.Type)? {
        allTypes.first { $0.eventType == eventType }
    }
}

/// Any Leadflow event, for consumers of several topics that switch on what arrived.
public enum AnyLeadflowEvent: Sendable, Hashable {
    case received(LeadReceived)
    case lifecycle(LeadLifecycleEvent)
    case scored(LeadScored)
    case assigned(LeadAssigned)
    case notification(NotificationOutcome)
    case metrics(MetricsSnapshot)
    case deadLetter(DeadLetter)

    /// Decodes the JSON `body` of an event of CloudEvents type `eventType`; `nil` for an unknown type.
    /// - Throws: the decoder's error when the body does not match the type.
    public static func decode(eventType: String, body: [UInt8]) throws -> AnyLeadflowEvent? {
        switch eventType {
        case LeadReceived.eventType: .received(try LeadflowJSON.decode(LeadReceived.self, from: body))
        case LeadLifecycleEvent.eventType: .lifecycle(try LeadflowJSON.decode(LeadLifecycleEvent.self, from: body))
        case LeadScored.eventType: .scored(try LeadflowJSON.decode(LeadScored.self, from: body))
        case LeadAssigned.eventType: .assigned(try LeadflowJSON.decode(LeadAssigned.self, from: body))
        case NotificationOutcome.eventType: .notification(try LeadflowJSON.decode(NotificationOutcome.self, from: body))
        case MetricsSnapshot.eventType: .metrics(try LeadflowJSON.decode(MetricsSnapshot.self, from: body))
        case DeadLetter.eventType: .deadLetter(try LeadflowJSON.decode(DeadLetter.self, from: body))
        default: nil
        }
    }

    /// The event's id.
    public var eventId: UUID {
        switch self {
        case .received(let event): event.eventId
        case .lifecycle(let event): event.eventId
        case .scored(let event): event.eventId
        case .assigned(let event): event.eventId
        case .notification(let event): event.eventId
        case .metrics(let event): event.eventId
        case .deadLetter(let event): event.eventId
        }
    }

    /// When it happened.
    public var occurredAt: Date {
        switch self {
        case .received(let event): event.occurredAt
        case .lifecycle(let event): event.occurredAt
        case .scored(let event): event.occurredAt
        case .assigned(let event): event.occurredAt
        case .notification(let event): event.occurredAt
        case .metrics(let event): event.occurredAt
        case .deadLetter(let event): event.occurredAt
        }
    }

    /// The lead it is about, if it is about one.
    public var leadId: LeadID? {
        switch self {
        case .received(let event): event.leadId
        case .lifecycle(let event): event.leadId
        case .scored(let event): event.leadId
        case .assigned(let event): event.leadId
        case .notification(let event): event.leadId
        case .metrics: nil
        case .deadLetter(let event): event.leadId
        }
    }
}
