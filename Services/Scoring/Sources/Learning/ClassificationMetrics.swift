import Foundation

/// How well predicted win probabilities match what happened, on one set of leads.
public struct ClassificationMetrics: Hashable, Sendable, Codable {
    /// Leads evaluated.
    public var count: Int
    /// Of those, won.
    public var won: Int
    /// Share predicted right when "won" means a probability of at least 0.5.
    public var accuracy: Double
    /// Mean negative log-likelihood (lower is better; 0.693 is a coin flip).
    public var logLoss: Double
    /// Area under the ROC curve: the chance a won lead is ranked above a lost one (0.5 = random);
    /// `nil` when the set has only one outcome.
    public var auc: Double?
    /// Mean squared error of the probabilities (lower is better).
    public var brier: Double

    /// Evaluates `probabilities` against `labels` (true = won).
    public init(probabilities: [Double], labels: [Bool]) {
        precondition(probabilities.count == labels.count, "one probability per label")
        count = labels.count
        won = labels.filter { $0 }.count
        guard count > 0 else {
            accuracy = 0
            logLoss = 0
            auc = nil
            brier = 0
            return
        }
        var right = 0
        var loss = 0.0
        var squared = 0.0
        for (p, label) in zip(probabilities, labels) {
            if (p >= 0.5) == label { right += 1 }
            let clipped = min(max(p, 1e-12), 1 - 1e-12)
            loss -= label ? log(clipped) : log(1 - clipped)
            squared += (p - (label ? 1 : 0)) * (p - (label ? 1 : 0))
        }
        accuracy = Double(right) / Double(count)
        logLoss = loss / Double(count)
        brier = squared / Double(count)
        auc = Self.auc(probabilities, labels)
    }

    /// Mann–Whitney AUC with average ranks for ties.
    static func auc(_ probabilities: [Double], _ labels: [Bool]) -> Double? {
        let positives = labels.filter { $0 }.count
        let negatives = labels.count - positives
        guard positives > 0, negatives > 0 else { return nil }
        let order = probabilities.indices.sorted { probabilities[$0] < probabilities[$1] }
        var rankSum = 0.0
        var start = 0
        while start < order.count {
            var end = start
            while end + 1 < order.count && probabilities[order[end + 1]] == probabilities[order[start]] { end += 1 }
            let averageRank = Double(start + end) / 2 + 1
            for k in start...end where labels[order[k]] { rankSum += averageRank }
            start = end + 1
        }
        let p = Double(positives)
        return (rankSum - p * (p + 1) / 2) / (p * Double(negatives))
    }
}
