import Foundation
import LeadModel
import LeadServiceKit

/// What a report request asks for, parsed from query parameters.
///
/// | parameter | meaning |
/// |---|---|
/// | `from`, `to` | the period, by lead creation time (`from` inclusive, `to` exclusive); RFC 3339 or `YYYY-MM-DD`. Default: the 30 days up to now (hot sheet and pipeline: every open lead) |
/// | `groupBy` | the grouping, where the report has one (`source`, `salesperson`, `vehicle_type`, `location`, `team`, `channel`) |
/// | `format` | `json` (default) or `csv`; `Accept: text/csv` also selects CSV |
/// | `table` | for CSV: which table (default the report's first) |
public struct ReportRequest: Hashable, Sendable {
    public var kind: ReportKind
    public var period: ReportPeriod?
    public var grouping: ReportGrouping?
    public var csv: Bool
    public var table: String?

    static let parameters: Set<String> = ["from", "to", "groupBy", "format", "table"]

    /// Parses `parameters` for `kind` at `now`.
    public init(kind: ReportKind, parameters: [(String, String)], acceptsCSV: Bool, now: Date) throws {
        self.kind = kind
        var from: Date?
        var to: Date?
        var format: String?
        for (name, value) in parameters {
            switch name {
            case "from": from = try QueryValues.date(name, value)
            case "to": to = try QueryValues.date(name, value)
            case "groupBy":
                guard let grouping = ReportGrouping(rawValue: value), kind.groupings.allowed.contains(grouping) else {
                    let allowed = kind.groupings.allowed.map(\.rawValue).joined(separator: ", ")
                    throw Problem(status: .badRequest, code: "invalid_parameter",
                                  detail: "\(kind.rawValue) groups by \(allowed.isEmpty ? "nothing" : allowed)", field: name, rule: "enum")
                }
                self.grouping = grouping
            case "format":
                guard value == "json" || value == "csv" else {
                    throw Problem(status: .badRequest, code: "invalid_parameter", detail: "format is json or csv", field: name, rule: "enum")
                }
                format = value
            case "table": table = String(value.prefix(40))
            default:
                throw Problem(status: .badRequest, code: "unknown_parameter", detail: "unknown parameter '\(name.prefix(60))'",
                              field: String(name.prefix(60)))
            }
        }
        csv = format.map { $0 == "csv" } ?? acceptsCSV
        if grouping == nil { grouping = kind.groupings.default }
        if from == nil && to == nil && kind.coversAllTimeByDefault {
            period = nil
        } else {
            let end = to ?? now
            let start = from ?? end.addingTimeInterval(-30 * 86_400)
            guard start < end else {
                throw Problem(status: .badRequest, code: "invalid_parameter", detail: "from must be before to", field: "from", rule: "order")
            }
            period = ReportPeriod(from: start, to: end)
        }
    }
}

/// Computes reports for a caller: reads the leads its filter admits, then the pure report code.
public struct ReportService: Sendable {
    let readModel: LeadReadModel
    let costs: SourceCostStore
    let currency: String
    let clock: @Sendable () -> Date

    /// The leads a principal's reports cover: everything for platform admins, their
    /// locations/teams for managers, and for downstream readers everything (or their scope,
    /// when their token names locations or teams) — as aggregates only.
    public static func reportFilter(for principal: Principal) -> LeadFilter {
        switch principal.role {
        case .downstreamReader:
            principal.scope.locationIds.isEmpty && principal.scope.teamIds.isEmpty
                ? .all : .scoped(locationIds: principal.scope.locationIds, teamIds: principal.scope.teamIds)
        default:
            principal.leadFilter
        }
    }

    /// Checks the caller may read `kind` (403 otherwise).
    public static func authorize(_ principal: Principal, _ kind: ReportKind) throws {
        try principal.require(.readReports(personalData: kind.containsPersonalData))
    }

    /// The report `request` asks for, as `principal` may see it.
    public func report(_ request: ReportRequest, for principal: Principal) async throws -> ReportDocument {
        try Self.authorize(principal, request.kind)
        let now = clock()
        let (leads, contacts) = try await readModel.reportLeads(
            filter: Self.reportFilter(for: principal), period: request.period, withContacts: request.kind.containsPersonalData,
            openOnly: request.kind.coversOpenLeadsOnly)
        let sourceCosts = request.kind == .sourceROI ? try await costs.all().mapValues(\.costPerLead) : [:]
        let period = request.period ?? ReportPeriod(from: Date(timeIntervalSince1970: 0), to: now)
        let input = ReportInput(
            leads: leads, period: period, now: now, grouping: request.grouping, sourceCosts: sourceCosts,
            currency: currency, contacts: contacts)
        return ReportDocument(
            report: request.kind.rawValue, from: period.from, to: period.to, groupBy: request.grouping?.rawValue,
            generatedAt: now, tables: request.kind.build(input))
    }
}
