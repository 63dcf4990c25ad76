import Foundation
import LeadModel

/// One published score change, as kept for the explanation endpoint.
public struct ScoreChange: Hashable, Sendable, Codable {
    /// The `leads.scored` event id.
    public var eventId: UUID
    public var score: Int
    public var priority: Priority
    public var previousScore: Int?
    public var previousPriority: Priority?
    public var rulesVersion: Int
    public var modelKind: ScoringModelKind
    public var modelVersion: Int?
    /// The event or rescore job that caused it.
    public var causationEventId: UUID
    public var scoredAt: Date
}
