import Foundation
import LeadModel

/// A closed lead as training data: its facts when it closed and whether it was won.
public struct TrainingExample: Hashable, Sendable {
    /// The lead (decides whether it is held out).
    public var leadId: LeadID
    /// Its facts at the close.
    public var facts: LeadFacts
    /// Won (true) or lost (false).
    public var won: Bool

    /// Creates an example.
    public init(leadId: LeadID, facts: LeadFacts, won: Bool) {
        self.leadId = leadId
        self.facts = facts
        self.won = won
    }
}

/// How to train.
public struct TrainingOptions: Hashable, Sendable, Codable {
    /// Percent of the history held out for evaluation (chosen by a hash of the lead id, so the same
    /// lead is always on the same side).
    public var holdoutPercent: Int
    /// L2 regularisation strength.
    public var l2: Double
    /// Fewest closed leads to train on at all.
    public var minimumOutcomes: Int

    /// Creates options.
    public init(holdoutPercent: Int = 20, l2: Double = 1, minimumOutcomes: Int = 30) {
        self.holdoutPercent = holdoutPercent
        self.l2 = l2
        self.minimumOutcomes = minimumOutcomes
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = TrainingOptions()
        holdoutPercent = try c.decodeIfPresent(Int.self, forKey: .holdoutPercent) ?? d.holdoutPercent
        l2 = try c.decodeIfPresent(Double.self, forKey: .l2) ?? d.l2
        minimumOutcomes = try c.decodeIfPresent(Int.self, forKey: .minimumOutcomes) ?? d.minimumOutcomes
    }

    /// The first problem with these options, if any.
    public var violation: RuleViolation? {
        if !(5...50).contains(holdoutPercent) {
            return RuleViolation(field: "/holdoutPercent", rule: "range", message: "must be between 5 and 50")
        }
        if !(l2.isFinite && l2 >= 0 && l2 <= 1000) {
            return RuleViolation(field: "/l2", rule: "range", message: "must be between 0 and 1000")
        }
        if !(10...1_000_000).contains(minimumOutcomes) {
            return RuleViolation(field: "/minimumOutcomes", rule: "range", message: "must be between 10 and 1000000")
        }
        return nil
    }
}

/// What training produced and how it compares with the hand rules on the held-out history.
public struct TrainingReport: Hashable, Sendable, Codable {
    /// One factor's learned weight.
    public struct Weight: Hashable, Sendable, Codable {
        /// The factor key.
        public var key: String
        /// Its label.
        public var label: String
        /// Its log-odds weight per unit of activation.
        public var weight: Double
    }

    /// Closed leads trained on.
    public var trainedOn: Int
    /// Closed leads held out.
    public var heldOut: Int
    /// The learned model on the held-out leads.
    public var learned: ClassificationMetrics
    /// The hand rules (probability = score / 100) on the same held-out leads.
    public var rules: ClassificationMetrics
    /// The learned model on its own training leads (a large gap to ``learned`` means overfitting).
    public var learnedOnTraining: ClassificationMetrics
    /// The fitted intercept.
    public var intercept: Double
    /// The fitted weights, in factor order.
    public var weights: [Weight]
    /// The rules version whose factor scales the model was trained with.
    public var rulesVersion: Int
    /// The options used.
    public var options: TrainingOptions
    /// Newton iterations used, and whether they converged.
    public var iterations: Int
    /// Whether the fit converged.
    public var converged: Bool
}

/// Why training could not run.
public struct TrainingError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Stable code: `not_enough_outcomes`.
    public var code: String
    /// For people.
    public var message: String

    public var description: String { "\(code): \(message)" }
}

/// Fits a ``LearnedModel`` to closed-lead history and reports it next to the hand rules.
public enum ModelTrainer {
    /// Whether `leadId` belongs to the held-out share (`percent` of all ids, stable across runs).
    public static func isHeldOut(_ leadId: LeadID, percent: Int) -> Bool {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in leadId.description.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return Int(hash % 100) < percent
    }

    /// Trains on `examples` with the factor activations of `scoring.rules`; the model gets `version`.
    public static func train(
        _ examples: [TrainingExample], scoring: ActiveScoring, options: TrainingOptions, version: Int
    ) throws(TrainingError) -> (model: LearnedModel, report: TrainingReport) {
        guard examples.count >= options.minimumOutcomes else {
            throw TrainingError(code: "not_enough_outcomes",
                                message: "\(examples.count) closed leads; training needs at least \(options.minimumOutcomes)")
        }
        let sorted = examples.sorted { $0.leadId < $1.leadId }
        let training = sorted.filter { !isHeldOut($0.leadId, percent: options.holdoutPercent) }
        let holdout = sorted.filter { isHeldOut($0.leadId, percent: options.holdoutPercent) }
        for (name, set) in [("training", training), ("held-out", holdout)] {
            let won = set.filter(\.won).count
            guard won > 0, won < set.count else {
                throw TrainingError(code: "not_enough_outcomes",
                                    message: "the \(name) share has \(won) won and \(set.count - won) lost leads; it needs both")
            }
        }
        let factors = ScoringFactor.allCases
        func features(_ example: TrainingExample) -> [Double] {
            scoring.rules.evaluate(example.facts).map(\.activation)
        }
        let fit = LogisticRegression.fit(x: training.map(features), y: training.map(\.won), l2: options.l2)
        let model = LearnedModel(
            version: version, intercept: fit.intercept,
            weights: Dictionary(uniqueKeysWithValues: zip(factors.map(\.key), fit.weights)))

        let rulesOnly = ActiveScoring(rules: scoring.rules, rulesVersion: scoring.rulesVersion)
        func learnedMetrics(_ set: [TrainingExample]) -> ClassificationMetrics {
            ClassificationMetrics(probabilities: set.map { fit.probability(features($0)) }, labels: set.map(\.won))
        }
        let report = TrainingReport(
            trainedOn: training.count, heldOut: holdout.count,
            learned: learnedMetrics(holdout),
            rules: ClassificationMetrics(
                probabilities: holdout.map { Double(rulesOnly.rulesScore($0.facts).score) / 100 },
                labels: holdout.map(\.won)),
            learnedOnTraining: learnedMetrics(training),
            intercept: fit.intercept,
            weights: zip(factors, fit.weights).map { TrainingReport.Weight(key: $0.key, label: $0.label, weight: $1) },
            rulesVersion: scoring.rulesVersion, options: options, iterations: fit.iterations, converged: fit.converged)
        return (model, report)
    }
}
