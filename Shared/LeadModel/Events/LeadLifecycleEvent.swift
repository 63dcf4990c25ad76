import Foundation

/// Something happened to an existing lead (topic `leads.lifecycle`).
///
/// Ingest validates every change (e.g. with ``Pipeline/validateTransition(from:to:lostReason:note:)``)
/// before publishing it, so consumers can apply it as a fact.
public struct LeadLifecycleEvent: LeadEvent {
    /// The CloudEvents type.
    public static let eventType = "io.leadflow.lead.lifecycle.v1"
    /// The topic it is published to.
    public static let topic = Topic.lifecycle

    /// Unique per event; consumers de-duplicate on it.
    public var eventId: UUID
    /// The lead it is about.
    public var leadId: LeadID
    /// When it happened.
    public var occurredAt: Date
    /// Who did it.
    public var actor: Actor
    /// What changed.
    public var change: LifecycleChange
    /// The event or request that caused this one, if any.
    public var causationEventId: UUID?

    /// Creates a lifecycle event.
    public init(
        eventId: UUID = UUID(), leadId: LeadID, occurredAt: Date, actor: Actor, change: LifecycleChange,
        causationEventId: UUID? = nil
    ) {
        self.eventId = eventId
        self.leadId = leadId
        self.occurredAt = occurredAt
        self.actor = actor
        self.change = change
        self.causationEventId = causationEventId
    }
}
