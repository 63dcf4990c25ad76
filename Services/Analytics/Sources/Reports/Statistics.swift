import Foundation

/// The summary statistics reports use. Percentiles are nearest-rank: the p-th percentile of n
/// sorted values is the value at rank ⌈p·n⌉ (1-based); the median is the middle value, or the
/// mean of the two middle values for an even count.
public enum Statistics {
    /// The arithmetic mean; `nil` for no values.
    public static func mean(_ values: [Double]) -> Double? {
        values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
    }

    /// The median; `nil` for no values.
    public static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    /// The nearest-rank percentile `p` (0 < p ≤ 1); `nil` for no values.
    public static func percentile(_ p: Double, _ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let rank = Int((p * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }

    /// `part / whole`, or `nil` when `whole` is 0.
    public static func rate(_ part: Int, _ whole: Int) -> Double? {
        whole == 0 ? nil : Double(part) / Double(whole)
    }
}
