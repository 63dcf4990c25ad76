import Foundation
import LeadModel

/// Contact details shown on the hot sheet (the only report that names people).
public struct LeadContactSummary: Hashable, Sendable {
    public var name: String
    public var email: String?
    public var phone: String?

    /// Creates a summary.
    public init(name: String, email: String?, phone: String?) {
        self.name = name
        self.email = email
        self.phone = phone
    }
}

/// What a report is computed from: the leads the caller may see, created in the period, with
/// test leads and leads merged into others already left out.
public struct ReportInput: Sendable {
    public var leads: [LeadFacts]
    public var period: ReportPeriod
    public var now: Date
    public var grouping: ReportGrouping?
    /// Cost per lead by source id.
    public var sourceCosts: [String: Money]
    /// The currency money reports sum (amounts in other currencies are counted apart).
    public var currency: String
    /// Contact details by lead (hot sheet only).
    public var contacts: [LeadID: LeadContactSummary]

    /// Creates an input.
    public init(
        leads: [LeadFacts], period: ReportPeriod, now: Date, grouping: ReportGrouping? = nil,
        sourceCosts: [String: Money] = [:], currency: String = "USD", contacts: [LeadID: LeadContactSummary] = [:]
    ) {
        self.leads = leads
        self.period = period
        self.now = now
        self.grouping = grouping
        self.sourceCosts = sourceCosts
        self.currency = currency
        self.contacts = contacts
    }
}

/// Every report analytics serves.
public enum ReportKind: String, Hashable, Sendable, CaseIterable {
    case conversion
    case responseTime = "response-time"
    case velocity
    case funnel
    case sourceROI = "source-roi"
    case hotSheet = "hot-sheet"
    case pipeline
    case team
    case locationResponse = "location-response"

    /// A one-line description.
    public var title: String {
        switch self {
        case .conversion: "Conversion rate by source, salesperson, vehicle type, location, team or channel"
        case .responseTime: "First-response time (average, median, p90) and its effect on conversion"
        case .velocity: "Pipeline velocity: time in each status, and the bottleneck"
        case .funnel: "Funnel drop-off: lifecycle stages and pipeline statuses"
        case .sourceROI: "Source ROI: cost per lead, revenue from conversions and location surveys"
        case .hotSheet: "Daily hot sheet: hot and overdue open leads needing action now"
        case .pipeline: "Open pipeline by status and stage, by age"
        case .team: "Team performance per salesperson or team"
        case .locationResponse: "Location response: acknowledge, accept and won rates and times"
        }
    }

    /// Whether the report names people (contact details): refused to readers without that right.
    public var containsPersonalData: Bool { self == .hotSheet }

    /// The groupings the report accepts, and the one it uses when none is asked for.
    public var groupings: (allowed: [ReportGrouping], default: ReportGrouping?) {
        switch self {
        case .conversion: (ReportGrouping.allCases, .source)
        case .responseTime: (ReportGrouping.allCases, nil)
        case .team: ([.salesperson, .team, .location], .salesperson)
        case .velocity, .funnel, .sourceROI, .hotSheet, .pipeline, .locationResponse: ([], nil)
        }
    }

    /// Whether the report looks at open leads only (so closed ones need not be read).
    public var coversOpenLeadsOnly: Bool { self == .hotSheet || self == .pipeline }

    /// Whether leads of every creation date count (current-state reports: hot sheet and open
    /// pipeline), unless a period is given explicitly.
    public var coversAllTimeByDefault: Bool { self == .hotSheet || self == .pipeline }

    /// Computes the report.
    public func build(_ input: ReportInput) -> [ReportTable] {
        switch self {
        case .conversion: ConversionReport.build(input)
        case .responseTime: ResponseTimeReport.build(input)
        case .velocity: VelocityReport.build(input)
        case .funnel: FunnelReport.build(input)
        case .sourceROI: SourceROIReport.build(input)
        case .hotSheet: HotSheetReport.build(input)
        case .pipeline: PipelineReport.build(input)
        case .team: TeamReport.build(input)
        case .locationResponse: LocationResponseReport.build(input)
        }
    }
}

extension LeadFacts {
    /// Seconds from creation to the first response, if there was one (never negative).
    public var responseSeconds: Double? {
        firstResponseAt.map { max(0, $0.timeIntervalSince(createdAt)) }
    }
}
