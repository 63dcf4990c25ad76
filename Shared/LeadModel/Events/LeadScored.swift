import Foundation

/// One factor's part in a score, for the explanation shown to people.
public struct ScoreFactor: Hashable, Sendable, Codable {
    /// Stable factor key, e.g. `timeframe.within_week`.
    public var key: String
    /// Display label, e.g. "Buying within a week".
    public var label: String
    /// Points this factor added (negative: subtracted).
    public var contribution: Double?
    /// Why it applied, e.g. "timeframe: Within 1 week".
    public var detail: String?

    /// Creates a score factor.
    public init(key: String, label: String, contribution: Double? = nil, detail: String? = nil) {
        self.key = key
        self.label = label
        self.contribution = contribution
        self.detail = detail
    }
}

/// How a score was computed.
public enum ScoringModelKind: String, Hashable, Sendable, Codable, CaseIterable {
    /// Configured point rules.
    case rules
    /// A learned model.
    case learned
}

/// A lead was scored or rescored (topic `leads.scored`).
public struct LeadScored: LeadEvent {
    /// The CloudEvents type.
    public static let eventType = "io.leadflow.lead.scored.v1"
    /// The topic it is published to.
    public static let topic = Topic.scored
    /// The valid score range.
    public static let scoreRange = 0...100

    /// Unique per event; consumers de-duplicate on it.
    public var eventId: UUID
    /// The lead it is about.
    public var leadId: LeadID
    /// When it happened.
    public var occurredAt: Date
    /// The score, 0–100.
    public var score: Int
    /// The priority band of the score.
    public var priority: Priority
    /// The score before this one, if the lead was scored before.
    public var previousScore: Int?
    /// The priority before this one, if the lead was scored before.
    public var previousPriority: Priority?
    /// The version of the rule set used.
    public var rulesVersion: Int
    /// Rules or learned model.
    public var modelKind: ScoringModelKind
    /// Every factor that contributed.
    public var factors: [ScoreFactor]
    /// The event that triggered scoring (a `leads.received` or `leads.lifecycle` event).
    public var causationEventId: UUID
    /// The lead as scoring saw it (with this score), so routing needs no other topic to decide.
    public var lead: Lead?

    /// Creates the event; the score is clamped to 0…100 and `priority` defaults to its band.
    public init(
        eventId: UUID = UUID(), leadId: LeadID, occurredAt: Date, score: Int, priority: Priority? = nil,
        previousScore: Int? = nil, previousPriority: Priority? = nil, rulesVersion: Int,
        modelKind: ScoringModelKind = .rules, factors: [ScoreFactor], causationEventId: UUID, lead: Lead? = nil
    ) {
        let clamped = min(max(score, LeadScored.scoreRange.lowerBound), LeadScored.scoreRange.upperBound)
        self.eventId = eventId
        self.leadId = leadId
        self.occurredAt = occurredAt
        self.score = clamped
        self.priority = priority ?? Priority(score: clamped)
        self.previousScore = previousScore
        self.previousPriority = previousPriority
        self.rulesVersion = rulesVersion
        self.modelKind = modelKind
        self.factors = factors
        self.causationEventId = causationEventId
        self.lead = lead
    }
}
