import Foundation
import LeadModel

/// A `leads.lifecycle` change that arrived before the lead's `leads.received` (the two topics are
/// consumed independently, so nothing orders them); it is applied once the lead is known.
public struct PendingChange: Hashable, Sendable, Codable {
    /// The lifecycle event's id (it becomes the score's cause if it is the last one applied).
    public var eventId: UUID
    /// When it happened.
    public var occurredAt: Date
    /// What changed.
    public var change: LifecycleChange
}

/// Who works the lead, as `leads.assigned` (or a manual assignment) last said.
public struct AssignmentFacts: Hashable, Sendable, Codable {
    /// The owner.
    public var ownerId: String?
    /// The location.
    public var locationId: String?
    /// The team.
    public var teamId: String?
    /// When the assignment happened (older assignments arriving late are ignored).
    public var at: Date
}

/// Scoring's state of one lead: its copy of the lead, what happened since intake, who works it,
/// and the latest score with its explanation. Stored as one JSON document per lead.
public struct LeadRecord: Hashable, Sendable, Codable {
    /// The lead as scoring knows it; `nil` until `leads.received` arrived.
    public var lead: Lead?
    /// Engagement counted from lifecycle changes.
    public var history: EngagementHistory
    /// Lifecycle changes waiting for the lead to be known, in arrival order.
    public var pending: [PendingChange]
    /// The latest assignment.
    public var assignment: AssignmentFacts?
    /// The latest score (published or not: an unchanged score is stored, not re-published).
    public var current: ScoreCard?
    /// When ``current`` was computed.
    public var scoredAt: Date?
    /// The event (or rescore job) that caused ``current``.
    public var causationEventId: UUID?
    /// The survivor this lead was merged into: its score is retired (kept, never republished).
    public var mergedInto: LeadID?
    /// The engagement of the leads merged into this one, by lead id (their activities count for
    /// the survivor's score; an unmerge takes them out again).
    public var mergedHistories: [String: EngagementHistory]?

    /// This lead's engagement with that of the leads merged into it.
    public var engagement: EngagementHistory {
        (mergedHistories ?? [:]).keys.sorted().reduce(history) { $0.combined(with: mergedHistories![$1]!) }
    }

    /// A record for a lead scoring has not seen yet.
    public init() {
        lead = nil
        history = EngagementHistory()
        pending = []
        assignment = nil
        current = nil
        scoredAt = nil
        causationEventId = nil
    }

    /// Whether the lead has closed (won or lost).
    public var isClosed: Bool { history.outcome != nil }
}
