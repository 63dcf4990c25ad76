import Foundation
import LeadModel

/// The answer to "why is this lead Hot?": the score, its band and thresholds, every factor with
/// its contribution, the rules version and model that produced it, and the published history.
public struct ScoreExplanation: Hashable, Sendable, Codable {
    /// The lead.
    public var leadId: LeadID
    /// Its score, 0–100.
    public var score: Int
    /// Its band.
    public var priority: Priority
    /// Where the bands begin under the rules that scored it.
    public var thresholds: PriorityThresholds
    /// Rules or learned model.
    public var modelKind: ScoringModelKind
    /// The rules version that produced it.
    public var rulesVersion: Int
    /// The learned model's version, when learned.
    public var modelVersion: Int?
    /// The sum of the contributions before clamping to 0…100.
    public var rawTotal: Double
    /// One sentence: the band, why, and the factors that weighed most.
    public var summary: String
    /// Every factor and its contribution.
    public var factors: [ScoreFactor]
    /// When it was computed.
    public var scoredAt: Date?
    /// The event or rescore job that caused it.
    public var causationEventId: UUID?
    /// Published score changes, newest first.
    public var changes: [ScoreChange]

    /// The explanation of `card`.
    public init(
        leadId: LeadID, card: ScoreCard, thresholds: PriorityThresholds, scoredAt: Date?, causationEventId: UUID?,
        changes: [ScoreChange]
    ) {
        self.leadId = leadId
        self.score = card.score
        self.priority = card.priority
        self.thresholds = thresholds
        self.modelKind = card.modelKind
        self.rulesVersion = card.rulesVersion
        self.modelVersion = card.modelVersion
        self.rawTotal = card.rawTotal
        self.summary = Self.summary(card, thresholds: thresholds)
        self.factors = card.factors
        self.scoredAt = scoredAt
        self.causationEventId = causationEventId
        self.changes = changes
    }

    /// "Hot: 72 is at or above 60 (rules v3). Most weight: Specific vehicle +12, …; against: Recency decay -6."
    static func summary(_ card: ScoreCard, thresholds: PriorityThresholds) -> String {
        let band: String
        switch card.priority {
        case .hot: band = "Hot: \(card.score) is at or above \(thresholds.hot)"
        case .medium: band = "Medium: \(card.score) is from \(thresholds.medium) to \(thresholds.hot - 1)"
        case .cold: band = "Cold: \(card.score) is below \(thresholds.medium)"
        }
        let model = card.modelKind == .learned
            ? "learned model v\(card.modelVersion ?? 0), rules v\(card.rulesVersion)" : "rules v\(card.rulesVersion)"
        func points(_ value: Double) -> String {
            (value >= 0 ? "+" : "") + ScoringRules.number(value)
        }
        // Largest first; ties keep the factors' order.
        let scored = card.factors.enumerated().filter { $0.element.key != LearnedModel.baselineKey }
            .map { (index: $0.offset, factor: $0.element, points: $0.element.contribution ?? 0) }
        let positive = scored.filter { $0.points > 0 }
            .sorted { ($1.points, $0.index) < ($0.points, $1.index) }.prefix(3).map(\.factor)
        let negative = scored.filter { $0.points < 0 }
            .sorted { ($0.points, $0.index) < ($1.points, $1.index) }.prefix(2).map(\.factor)
        var text = "\(band) (\(model))."
        if !positive.isEmpty {
            text += " Most weight: " + positive.map { "\($0.label) \(points($0.contribution ?? 0))" }.joined(separator: ", ") + "."
        }
        if !negative.isEmpty {
            text += " Against: " + negative.map { "\($0.label) \(points($0.contribution ?? 0))" }.joined(separator: ", ") + "."
        }
        return text
    }
}
