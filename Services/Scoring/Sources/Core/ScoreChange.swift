import Foundation
import LeadModel

/// One published score change, as kept for the explanation endpoint.
public struct ScoreChange: Hashable, Sendable, Codable {
    /// The `leads.scored` event id.
    public var eventId: UUID
    /// The published score.
    public var score: Int
    /// Its priority.
    public var priority: Priority
    /// The score before, if any.
    public var previousScore: Int?
    /// The priority before, if any.
    public var previousPriority: Priority?
    /// The rules version that produced it.
    public var rulesVersion: Int
    /// Rules or learned model.
    public var modelKind: ScoringModelKind
    /// The learned model's version, when learned.
    public var modelVersion: Int?
    /// The event or rescore job that caused it.
    public var causationEventId: UUID
    /// When it was computed.
    public var scoredAt: Date
}
