import Foundation
import LeadModel

/// A computed score with its explanation: every factor and its contribution, the rules version
/// and the kind of model that produced it.
public struct ScoreCard: Hashable, Sendable, Codable {
    /// 0–100.
    public var score: Int
    /// The band of ``score`` under the rules' thresholds.
    public var priority: Priority
    /// Hand rules or the learned model.
    public var modelKind: ScoringModelKind
    /// The rules version used (the learned model also reads the rules' factor scales and thresholds).
    public var rulesVersion: Int
    /// The learned model's version, when it scored.
    public var modelVersion: Int?
    /// The sum of the contributions before clamping to 0…100.
    public var rawTotal: Double
    /// Every factor with its contribution, in ``ScoringFactor`` order (the learned model adds its baseline first).
    public var factors: [ScoreFactor]
}

extension ScoreCard {
    /// Whether `other` says the same thing: score, priority, model and versions, and each factor's
    /// contribution (the details may differ, e.g. a day count that moved without changing points).
    public func hasSameContributions(as other: ScoreCard) -> Bool {
        score == other.score && priority == other.priority && modelKind == other.modelKind
            && rulesVersion == other.rulesVersion && modelVersion == other.modelVersion && rawTotal == other.rawTotal
            && factors.map(\.key) == other.factors.map(\.key)
            && factors.map(\.contribution) == other.factors.map(\.contribution)
    }
}

/// The scoring in force: the current rules version and, once an operator activated one, the
/// learned model. Pure: the same facts always give the same card.
public struct ActiveScoring: Hashable, Sendable {
    /// The current rules.
    public var rules: ScoringRules
    /// Their version.
    public var rulesVersion: Int
    /// The activated learned model, if any.
    public var model: LearnedModel?

    /// Creates the scoring in force.
    public init(rules: ScoringRules, rulesVersion: Int, model: LearnedModel? = nil) {
        self.rules = rules
        self.rulesVersion = rulesVersion
        self.model = model
    }

    /// The card of `facts` under the active model (the learned one when activated, else the rules).
    public func score(_ facts: LeadFacts) -> ScoreCard {
        if let model { return learnedScore(facts, model: model) }
        return rulesScore(facts)
    }

    /// The card the hand rules give `facts`.
    public func rulesScore(_ facts: LeadFacts) -> ScoreCard {
        let evaluations = rules.evaluate(facts)
        let total = evaluations.reduce(0) { $0 + $1.contribution }
        let score = Self.clamp(total)
        return ScoreCard(
            score: score, priority: rules.thresholds.priority(for: score), modelKind: .rules,
            rulesVersion: rulesVersion, modelVersion: nil, rawTotal: Self.round2(total),
            factors: evaluations.map {
                ScoreFactor(key: $0.factor.key, label: $0.factor.label, contribution: Self.round2($0.contribution),
                            detail: $0.detail)
            })
    }

    /// The card `model` gives `facts`: 100 × its probability of a win, explained as the baseline
    /// (the intercept's probability) plus each factor's share of the rest.
    public func learnedScore(_ facts: LeadFacts, model: LearnedModel) -> ScoreCard {
        let evaluations = rules.evaluate(facts)
        let explanation = model.explain(evaluations)
        let score = Self.clamp(explanation.points)
        var factors = [ScoreFactor(
            key: LearnedModel.baselineKey, label: "Learned model baseline",
            contribution: Self.round2(explanation.baseline),
            detail: "learned model v\(model.version): the score of a lead with no factor (intercept \(String(format: "%.3f", model.intercept)))")]
        for (evaluation, share) in zip(evaluations, explanation.shares) {
            factors.append(ScoreFactor(
                key: evaluation.factor.key, label: evaluation.factor.label, contribution: Self.round2(share),
                detail: "\(evaluation.detail); weight \(String(format: "%.3f", model.weight(evaluation.factor))) × activation \(String(format: "%.2f", evaluation.activation))"))
        }
        return ScoreCard(
            score: score, priority: rules.thresholds.priority(for: score), modelKind: .learned,
            rulesVersion: rulesVersion, modelVersion: model.version, rawTotal: Self.round2(explanation.points),
            factors: factors)
    }

    static func clamp(_ total: Double) -> Int {
        guard total.isFinite else { return total > 0 ? 100 : 0 }
        return Int(min(100, max(0, total.rounded())))
    }

    static func round2(_ value: Double) -> Double {
        guard value.isFinite else { return 0 }
        return (value * 100).rounded() / 100
    }
}
