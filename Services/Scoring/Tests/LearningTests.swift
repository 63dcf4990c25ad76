import Foundation
import LeadModel
import Testing
@testable import LeadScoring

/// A small deterministic random number generator (SplitMix64), so synthetic data is the same every run.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite("Learning from outcomes: logistic regression, metrics, training, explainable learned scores")
struct LearningTests {
    @Test("logistic regression recovers known weights from synthetic data")
    func recoversWeights() {
        var random = SeededGenerator(state: 42)
        let truth = (intercept: -1.0, weights: [2.0, -1.5, 0.75])
        var x: [[Double]] = []
        var y: [Bool] = []
        for _ in 0..<20_000 {
            let row = [Double(Int.random(in: 0...1, using: &random)), Double.random(in: 0...1, using: &random),
                       Double.random(in: -1...1, using: &random)]
            let z = zip(truth.weights, row).reduce(truth.intercept) { $0 + $1.0 * $1.1 }
            x.append(row)
            y.append(Double.random(in: 0..<1, using: &random) < LogisticRegression.sigmoid(z))
        }
        let fit = LogisticRegression.fit(x: x, y: y, l2: 0.001)
        #expect(fit.converged)
        #expect(abs(fit.intercept - truth.intercept) < 0.1, "intercept \(fit.intercept)")
        for (learned, expected) in zip(fit.weights, truth.weights) {
            #expect(abs(learned - expected) < 0.12, "weight \(learned) vs \(expected)")
        }
    }

    @Test("perfectly separable data still converges to finite weights thanks to L2")
    func separable() {
        let x = (0..<100).map { [Double($0 % 2)] }
        let y = (0..<100).map { $0 % 2 == 1 }
        let fit = LogisticRegression.fit(x: x, y: y, l2: 1)
        #expect(fit.weights[0].isFinite && fit.weights[0] > 3)
        #expect(fit.probability([1]) > 0.9 && fit.probability([0]) < 0.1)
    }

    @Test("metrics: accuracy at 0.5, log-loss, AUC with ties, Brier")
    func metrics() throws {
        let perfect = ClassificationMetrics(probabilities: [0.9, 0.8, 0.2, 0.1], labels: [true, true, false, false])
        #expect(perfect.accuracy == 1 && perfect.auc == 1)
        #expect(abs(perfect.logLoss - (-(log(0.9) + log(0.8) + log(0.8) + log(0.9)) / 4)) < 1e-12)
        let inverted = ClassificationMetrics(probabilities: [0.1, 0.9], labels: [true, false])
        #expect(inverted.accuracy == 0 && inverted.auc == 0)
        let tied = ClassificationMetrics(probabilities: [0.5, 0.5, 0.5, 0.5], labels: [true, false, true, false])
        #expect(tied.auc == 0.5)
        #expect(abs(tied.brier - 0.25) < 1e-12)
        #expect(ClassificationMetrics(probabilities: [0.7], labels: [true]).auc == nil)
    }

    /// Closed leads whose outcome follows connected calls and kept appointments much more than the
    /// rules assume, and not contact completeness at all.
    func history(count: Int, seed: UInt64) -> [TrainingExample] {
        var random = SeededGenerator(state: seed)
        return (0..<count).map { _ in
            let facts = LeadFacts(
                hasEmail: Bool.random(using: &random), hasPhone: Bool.random(using: &random),
                hasAddress: Bool.random(using: &random),
                vehicle: [.specific, .browsing, .none].randomElement(using: &random)!,
                interest: .buy, timeframe: Timeframe.Bucket.allCases.randomElement(using: &random)!,
                callsConnected: Int.random(in: 0...2, using: &random),
                appointmentsKept: Int.random(in: 0...1, using: &random),
                daysSinceEngagement: Double.random(in: 0...30, using: &random))
            let z = -2.5 + 1.8 * Double(facts.callsConnected) + 2.5 * Double(facts.appointmentsKept)
            return TrainingExample(leadId: LeadID(UUID(uuid: Self.uuidBytes(&random))), facts: facts,
                                   won: Double.random(in: 0..<1, using: &random) < LogisticRegression.sigmoid(z))
        }
    }

    static func uuidBytes(_ random: inout SeededGenerator) -> uuid_t {
        var bytes = [UInt8](repeating: 0, count: 16)
        for i in 0..<16 { bytes[i] = UInt8.random(in: 0...255, using: &random) }
        return (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15])
    }

    @Test("training reports held-out accuracy, log-loss and AUC next to the hand rules', and beats them here")
    func training() throws {
        let examples = history(count: 3000, seed: 7)
        let (model, report) = try ModelTrainer.train(examples, scoring: Fixtures.rules, options: TrainingOptions(), version: 4)
        #expect(model.version == 4)
        #expect(report.trainedOn + report.heldOut == 3000)
        #expect((400...800).contains(report.heldOut), "about 20% held out: \(report.heldOut)")
        #expect(report.rules.count == report.heldOut && report.learned.count == report.heldOut)
        let learnedAUC = try #require(report.learned.auc)
        let rulesAUC = try #require(report.rules.auc)
        #expect(learnedAUC > rulesAUC + 0.1, "learned \(learnedAUC) vs rules \(rulesAUC)")
        #expect(report.learned.logLoss < report.rules.logLoss)
        #expect(report.learned.accuracy > report.rules.accuracy)
        // The weights found what drives the outcome.
        #expect(model.weight(.appointmentsKept) > 1.5)
        #expect(model.weight(.callsConnected) > 1)
        #expect(abs(model.weight(.email)) < 0.5)
        // The split is stable: the same lead is always held out or always trained on.
        let again = try ModelTrainer.train(Array(examples.reversed()), scoring: Fixtures.rules, options: TrainingOptions(), version: 5).report
        #expect(again.heldOut == report.heldOut && again.learned == report.learned)
    }

    @Test("training refuses too little history or a held-out share without both outcomes")
    func notEnough() {
        let few = history(count: 10, seed: 1)
        #expect(throws: TrainingError.self) {
            try ModelTrainer.train(few, scoring: Fixtures.rules, options: TrainingOptions(), version: 1)
        }
        let allWon = history(count: 100, seed: 2).map { TrainingExample(leadId: $0.leadId, facts: $0.facts, won: true) }
        #expect(throws: TrainingError.self) {
            try ModelTrainer.train(allWon, scoring: Fixtures.rules, options: TrainingOptions(), version: 1)
        }
    }

    @Test("a learned score is 100 × P(win), explained as a baseline plus one share per factor that add up")
    func explainable() {
        let model = LearnedModel(version: 3, intercept: -1, weights: [
            ScoringFactor.callsConnected.key: 2, ScoringFactor.email.key: 0.5, ScoringFactor.recencyDecay.key: -1,
        ])
        let scoring = ActiveScoring(rules: .defaults, rulesVersion: 2, model: model)
        let facts = LeadFacts(hasEmail: true, callsConnected: 2, daysSinceEngagement: 12)
        let card = scoring.score(facts)
        #expect(card.modelKind == .learned && card.modelVersion == 3 && card.rulesVersion == 2)
        let z: Double = -1 + 2 + 0.5 - 0.5  // intercept + calls (activation 1) + e-mail (1) - decay (activation 0.5)
        #expect(card.score == Int((100 * LogisticRegression.sigmoid(z)).rounded()))
        #expect(card.factors.first?.key == LearnedModel.baselineKey)
        #expect(card.factors.count == ScoringFactor.allCases.count + 1)
        let total = card.factors.compactMap(\.contribution).reduce(0, +)
        #expect(abs(total - card.rawTotal) < 0.05)
        let calls = card.factors.first { $0.key == "engagement.calls_connected" }?.contribution ?? 0
        let decay = card.factors.first { $0.key == "recency.decay" }?.contribution ?? 0
        #expect(calls > 0 && decay < 0)
        #expect(card.factors.first { $0.key == "contact.phone" }?.contribution == 0)
        // No factor at all: the score is the baseline.
        let none = scoring.score(LeadFacts())
        #expect(none.score == Int((100 * LogisticRegression.sigmoid(-1)).rounded()))
    }

    @Test("priority of a learned score uses the rules' thresholds")
    func learnedPriority() {
        var rules = ScoringRules.defaults
        rules.thresholds = PriorityThresholds(hot: 50, medium: 20)
        let model = LearnedModel(version: 1, intercept: 0, weights: [:])
        let card = ActiveScoring(rules: rules, rulesVersion: 3, model: model).score(LeadFacts())
        #expect(card.score == 50 && card.priority == .hot)
    }
}
