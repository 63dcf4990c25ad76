import Foundation

/// How one submission reached Leadflow.
public struct Intake: Hashable, Sendable, Codable {
    /// The intake channel.
    public var channel: IntakeChannel
    /// The configured source it came through.
    public var sourceId: String
    /// The lead's id at the source (Meta `leadgen_id`, Google `lead_id`, ADF `<id>`), exactly as
    /// sent: always a string, never a number.
    public var sourceLeadId: String?
    /// When Leadflow received it.
    public var receivedAt: Date
    /// The raw payload's media type (`application/json`, `application/xml`, `text/csv`).
    public var rawContentType: String?

    /// Creates an intake record.
    public init(
        channel: IntakeChannel, sourceId: String, sourceLeadId: String? = nil, receivedAt: Date,
        rawContentType: String? = nil
    ) {
        self.channel = channel
        self.sourceId = sourceId
        self.sourceLeadId = sourceLeadId
        self.receivedAt = receivedAt
        self.rawContentType = rawContentType
    }
}

/// A new lead was accepted, normalized and stored (topic `leads.received`).
///
/// Published by ingest once per new lead; a repeat submission by the same person becomes a
/// ``LifecycleChange/duplicateInquiry(_:)`` on `leads.lifecycle` instead.
public struct LeadReceived: LeadEvent {
    /// The CloudEvents type.
    public static let eventType = "io.leadflow.lead.received.v1"
    /// The topic it is published to.
    public static let topic = Topic.received

    /// Unique per event; consumers de-duplicate on it.
    public var eventId: UUID
    /// The lead it is about.
    public var leadId: LeadID
    /// When it happened.
    public var occurredAt: Date
    /// The lead as stored.
    public var lead: Lead
    /// How it arrived.
    public var intake: Intake
    /// Who submitted it (usually the integration source).
    public var actor: Actor
    /// Whether this is a test lead.
    public var isTest: Bool

    /// Creates the event; `leadId` and `isTest` come from the lead.
    public init(
        eventId: UUID = UUID(), occurredAt: Date, lead: Lead, intake: Intake, actor: Actor
    ) {
        self.eventId = eventId
        self.leadId = lead.id
        self.occurredAt = occurredAt
        self.lead = lead
        self.intake = intake
        self.actor = actor
        self.isTest = lead.isTest
    }
}
