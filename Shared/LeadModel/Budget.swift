import Foundation

/// What the customer means to spend; either end may be open.
public struct BudgetRange: Hashable, Sendable, Codable {
    /// Lower bound.
    public var min: Money?
    /// Upper bound.
    public var max: Money?

    /// Creates a budget range.
    public init(min: Money? = nil, max: Money? = nil) {
        self.min = min
        self.max = max
    }
}

/// When the customer plans to buy.
public struct Timeframe: Hashable, Sendable, Codable {
    /// Coarse buckets used by scoring and reports.
    public enum Bucket: String, Hashable, Sendable, Codable, CaseIterable {
        case immediate
        case withinWeek = "within_week"
        case withinMonth = "within_month"
        case within3Months = "within_3_months"
        case later
        case unknown
    }

    /// The customer's words, e.g. "Within 1 month".
    public var description: String?
    /// Earliest purchase date, if known.
    public var earliest: Date?
    /// Latest purchase date, if known.
    public var latest: Date?
    /// The bucket it falls in.
    public var bucket: Bucket

    /// Creates a timeframe.
    public init(description: String? = nil, earliest: Date? = nil, latest: Date? = nil, bucket: Bucket = .unknown) {
        self.description = description
        self.earliest = earliest
        self.latest = latest
        self.bucket = bucket
    }
}
