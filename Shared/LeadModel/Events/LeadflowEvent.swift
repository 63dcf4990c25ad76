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
