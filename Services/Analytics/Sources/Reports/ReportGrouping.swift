import Foundation
import LeadModel

/// What a report can group leads by.
public enum ReportGrouping: String, Hashable, Sendable, CaseIterable {
    case source
    case salesperson
    case vehicleType = "vehicle_type"
    case location
    case team
    case channel

    /// The group a lead falls in (`none` when the lead lacks the attribute).
    public func key(for lead: LeadFacts) -> String {
        switch self {
        case .source: lead.sourceId
        case .salesperson: lead.ownerId ?? Self.none
        case .vehicleType: lead.vehicleType ?? Self.none
        case .location: lead.locationId ?? Self.none
        case .team: lead.teamId ?? Self.none
        case .channel: lead.channel?.rawValue ?? Self.none
        }
    }

    /// The group of leads that lack the attribute.
    public static let none = "none"
}

extension Dictionary where Key == String, Value == [LeadFacts] {
    /// Group keys sorted by group size (largest first), then by name.
    var keysBySize: [String] {
        keys.sorted { (self[$0]!.count, $1) > (self[$1]!.count, $0) }
    }
}

/// The period a report covers: leads created in `[from, to)`.
public struct ReportPeriod: Hashable, Sendable {
    /// Inclusive start.
    public var from: Date
    /// Exclusive end.
    public var to: Date

    /// Creates a period.
    public init(from: Date, to: Date) {
        self.from = from
        self.to = to
    }

    /// Whether `date` lies in the period.
    public func contains(_ date: Date) -> Bool { date >= from && date < to }
}
