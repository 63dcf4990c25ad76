import Foundation

/// How routing chose an assignee.
public enum AssignmentStrategy: String, Hashable, Sendable, Codable, CaseIterable {
    /// Next member in rotation.
    case roundRobin = "round_robin"
    /// Member specialized in the vehicle type or price range.
    case specialization
    /// Location or member covering the customer's distance or postal area.
    case territory
    /// Only members online now.
    case availability
    /// Member with free capacity under their cap.
    case capacity
    /// Better leads to stronger performers.
    case scoreWeighted = "score_weighted"
    /// Chosen by a person.
    case manual
    /// No rule matched; the configured fallback took it.
    case fallback
}

/// What kind of party an ``AssignmentCandidate`` is.
public enum CandidateKind: String, Hashable, Sendable, Codable, CaseIterable {
    /// A salesperson (the default when the field is absent).
    case member
    /// A dealer/installer location.
    case location
}

/// A team member (or location) routing considered, and why they were or were not eligible.
public struct AssignmentCandidate: Hashable, Sendable, Codable {
    /// The member's id (with ``kind`` `location`: the location's id).
    public var memberId: String
    /// Whether they could take the lead.
    public var eligible: Bool
    /// Why (e.g. "offline", "at capacity 25/25", "next in rotation").
    public var reason: String
    /// What the candidate is; absent means a member.
    public var kind: CandidateKind?

    /// Creates a candidate record.
    public init(memberId: String, eligible: Bool, reason: String, kind: CandidateKind? = nil) {
        self.memberId = memberId
        self.eligible = eligible
        self.reason = reason
        self.kind = kind
    }
}

/// A lead was assigned or re-assigned (topic `leads.assigned`).
public struct LeadAssigned: LeadEvent {
    /// The CloudEvents type.
    public static let eventType = "io.leadflow.lead.assigned.v1"
    /// The topic it is published to.
    public static let topic = Topic.assigned

    /// Unique per event; consumers de-duplicate on it.
    public var eventId: UUID
    /// The lead it is about.
    public var leadId: LeadID
    /// When it happened.
    public var occurredAt: Date
    /// The location the lead goes to.
    public var locationId: String?
    /// The team within it.
    public var teamId: String?
    /// The salesperson who owns it now.
    public var ownerId: String?
    /// The owner before, on re-assignment.
    public var previousOwnerId: String?
    /// The location before, on re-routing (rejected or SLA missed).
    public var previousLocationId: String?
    /// How the assignee was chosen.
    public var strategy: AssignmentStrategy
    /// Everyone considered.
    public var candidates: [AssignmentCandidate]
    /// A human-readable explanation of the decision.
    public var reason: String
    /// Whether no rule matched and the fallback assignee was used.
    public var isFallback: Bool
    /// When the location or owner must respond by (SLA).
    public var responseDueAt: Date?
    /// The event that triggered routing.
    public var causationEventId: UUID
    /// Who assigned (routing itself, or a manager for manual assignment).
    public var actor: Actor
    /// The lead as routing saw it (with the new owner and location), so the notifier can write
    /// to the assignee about it without reading another topic.
    public var lead: Lead?

    /// Creates an assignment event.
    public init(
        eventId: UUID = UUID(), leadId: LeadID, occurredAt: Date, locationId: String? = nil,
        teamId: String? = nil, ownerId: String? = nil, previousOwnerId: String? = nil,
        previousLocationId: String? = nil, strategy: AssignmentStrategy, candidates: [AssignmentCandidate] = [],
        reason: String, isFallback: Bool = false, responseDueAt: Date? = nil, causationEventId: UUID,
        actor: Actor = .system("routing"), lead: Lead? = nil
    ) {
        self.eventId = eventId
        self.leadId = leadId
        self.occurredAt = occurredAt
        self.locationId = locationId
        self.teamId = teamId
        self.ownerId = ownerId
        self.previousOwnerId = previousOwnerId
        self.previousLocationId = previousLocationId
        self.strategy = strategy
        self.candidates = candidates
        self.reason = reason
        self.isFallback = isFallback
        self.responseDueAt = responseDueAt
        self.causationEventId = causationEventId
        self.actor = actor
        self.lead = lead
    }
}
