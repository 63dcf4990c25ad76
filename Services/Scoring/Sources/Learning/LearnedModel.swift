import Foundation

/// Factor weights fitted to closed-won / closed-lost history by logistic regression: the
/// probability that a lead is won is σ(intercept + Σ weightᵢ × activationᵢ) over the same
/// factors (and activations) the rules use, and its score is 100 × that probability.
///
/// It stays explainable: the score splits exactly into a baseline (the intercept's score) plus one
/// share per factor, proportional to the factor's weight × activation (see ``explain(_:)``).
public struct LearnedModel: Hashable, Sendable, Codable {
    /// The key of the baseline entry in a learned score's factors.
    public static let baselineKey = "model.baseline"

    /// The model's version (its row in `scoring.models`).
    public var version: Int
    /// The log-odds of a win when no factor applies.
    public var intercept: Double
    /// The log-odds weight per factor key; a missing key weighs 0.
    public var weights: [String: Double]

    /// Creates a model.
    public init(version: Int, intercept: Double, weights: [String: Double]) {
        self.version = version
        self.intercept = intercept
        self.weights = weights
    }

    /// The weight of `factor`.
    public func weight(_ factor: ScoringFactor) -> Double { weights[factor.key] ?? 0 }

    /// The log-odds of a win for these evaluations.
    public func logit(_ evaluations: [FactorEvaluation]) -> Double {
        evaluations.reduce(intercept) { $0 + weight($1.factor) * $1.activation }
    }

    /// The probability of a win for these evaluations.
    public func probability(_ evaluations: [FactorEvaluation]) -> Double {
        LogisticRegression.sigmoid(logit(evaluations))
    }

    /// The score (0…100, unrounded), the baseline and each factor's share of the difference, in
    /// the order of `evaluations`; `baseline + Σ shares == points`.
    public func explain(_ evaluations: [FactorEvaluation]) -> (points: Double, baseline: Double, shares: [Double]) {
        let z = logit(evaluations)
        let points = 100 * LogisticRegression.sigmoid(z)
        let baselineProbability = LogisticRegression.sigmoid(intercept)
        let baseline = 100 * baselineProbability
        let spread = z - intercept
        // Points per unit of log-odds between the baseline and this lead (the slope where they meet).
        let scale = abs(spread) > 1e-9 ? (points - baseline) / spread : 100 * baselineProbability * (1 - baselineProbability)
        let shares = evaluations.map { scale * weight($0.factor) * $0.activation }
        return (points, baseline, shares)
    }
}
