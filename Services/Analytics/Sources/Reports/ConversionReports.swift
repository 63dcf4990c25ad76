import Foundation
import LeadModel

/// Conversion rate (won / leads) per group.
enum ConversionReport {
    static let columns = ["group", "leads", "open", "won", "lost", "conversionRate"]

    static func build(_ input: ReportInput) -> [ReportTable] {
        let grouping = input.grouping ?? .source
        let groups = Dictionary(grouping: input.leads, by: grouping.key)
        let rows = groups.keysBySize.map { row($0, groups[$0]!) }
        return [
            ReportTable(name: "groups", columns: columns, rows: rows),
            ReportTable(name: "summary", columns: columns, rows: [row("all", input.leads)]),
        ]
    }

    static func row(_ group: String, _ leads: [LeadFacts]) -> [ReportValue] {
        let won = leads.count { $0.outcome == .won }
        let lost = leads.count { $0.outcome == .lost }
        return [.text(group), .integer(leads.count), .integer(leads.count - won - lost), .integer(won), .integer(lost),
                .number(Statistics.rate(won, leads.count))]
    }
}

/// First-response time and its effect on conversion.
enum ResponseTimeReport {
    /// Response-time buckets: upper bound in seconds (exclusive) and name.
    static let buckets: [(limit: Double, name: String)] = [
        (5 * 60, "under_5m"), (30 * 60, "5m_to_30m"), (2 * 3600, "30m_to_2h"), (24 * 3600, "2h_to_24h"),
        (.infinity, "over_24h"),
    ]
    static let noResponse = "no_response"

    static let summaryColumns = [
        "group", "leads", "responded", "averageSeconds", "medianSeconds", "p90Seconds",
        "respondedConversionRate", "unrespondedConversionRate",
    ]

    static func build(_ input: ReportInput) -> [ReportTable] {
        var tables = [ReportTable(name: "summary", columns: summaryColumns, rows: [summary("all", input.leads)])]
        var bucketRows: [[ReportValue]] = []
        for name in buckets.map(\.name) + [noResponse] {
            let leads = input.leads.filter { bucket(of: $0) == name }
            let won = leads.count { $0.outcome == .won }
            bucketRows.append([.text(name), .integer(leads.count), .integer(won), .number(Statistics.rate(won, leads.count))])
        }
        tables.append(ReportTable(name: "buckets", columns: ["bucket", "leads", "won", "conversionRate"], rows: bucketRows))
        if let grouping = input.grouping {
            let groups = Dictionary(grouping: input.leads, by: grouping.key)
            tables.append(ReportTable(name: "groups", columns: summaryColumns, rows: groups.keysBySize.map { summary($0, groups[$0]!) }))
        }
        return tables
    }

    static func bucket(of lead: LeadFacts) -> String {
        guard let seconds = lead.responseSeconds else { return noResponse }
        return buckets.first { seconds < $0.limit }!.name
    }

    static func summary(_ group: String, _ leads: [LeadFacts]) -> [ReportValue] {
        let times = leads.compactMap(\.responseSeconds)
        let responded = leads.filter { $0.firstResponseAt != nil }
        let unresponded = leads.filter { $0.firstResponseAt == nil }
        return [
            .text(group), .integer(leads.count), .integer(times.count),
            .number(Statistics.mean(times)), .number(Statistics.median(times)), .number(Statistics.percentile(0.9, times)),
            .number(Statistics.rate(responded.count { $0.outcome == .won }, responded.count)),
            .number(Statistics.rate(unresponded.count { $0.outcome == .won }, unresponded.count)),
        ]
    }
}

/// Performance per salesperson (or team, or location).
enum TeamReport {
    static let columns = [
        "group", "leads", "responded", "averageResponseSeconds", "medianResponseSeconds", "open", "overdue",
        "won", "lost", "conversionRate", "revenue",
    ]

    static func build(_ input: ReportInput) -> [ReportTable] {
        let grouping = input.grouping ?? .salesperson
        let groups = Dictionary(grouping: input.leads, by: grouping.key)
        let rows = groups.keysBySize.map { key -> [ReportValue] in
            let leads = groups[key]!
            let times = leads.compactMap(\.responseSeconds)
            let won = leads.count { $0.outcome == .won }
            let lost = leads.count { $0.outcome == .lost }
            let revenue = leads.compactMap(\.wonRevenue).filter { $0.currency == input.currency }.reduce(Decimal(0)) { $0 + $1.amount }
            return [
                .text(key), .integer(leads.count), .integer(times.count), .number(Statistics.mean(times)),
                .number(Statistics.median(times)), .integer(leads.count { $0.isOpen }),
                .integer(leads.count { $0.isOverdue(at: input.now) }), .integer(won), .integer(lost),
                .number(Statistics.rate(won, leads.count)), .decimal(revenue),
            ]
        }
        return [ReportTable(name: "groups", columns: columns, rows: rows)]
    }
}

/// Acknowledge / accept / won rates and times per location.
enum LocationResponseReport {
    static let columns = [
        "location", "sent", "acknowledged", "acknowledgedRate", "accepted", "acceptedRate", "rejected", "rejectedRate",
        "won", "wonRate", "averageSecondsToAcknowledge", "medianSecondsToAcknowledge",
        "averageSecondsToAccept", "medianSecondsToAccept",
    ]

    static func build(_ input: ReportInput) -> [ReportTable] {
        let sent = input.leads.filter { $0.locationSentAt != nil && $0.locationId != nil }
        let groups = Dictionary(grouping: sent) { $0.locationId! }
        let rows = groups.keysBySize.map { location -> [ReportValue] in
            let leads = groups[location]!
            let acknowledgeTimes = leads.compactMap(secondsToAcknowledge)
            let acceptTimes = leads.compactMap { lead in lead.acceptedAt.map { max(0, $0.timeIntervalSince(lead.locationSentAt!)) } }
            let rejected = leads.count { $0.rejectedAt != nil }
            let won = leads.count { $0.locationWonAt != nil }
            return [
                .text(location), .integer(leads.count),
                .integer(acknowledgeTimes.count), .number(Statistics.rate(acknowledgeTimes.count, leads.count)),
                .integer(acceptTimes.count), .number(Statistics.rate(acceptTimes.count, leads.count)),
                .integer(rejected), .number(Statistics.rate(rejected, leads.count)),
                .integer(won), .number(Statistics.rate(won, leads.count)),
                .number(Statistics.mean(acknowledgeTimes)), .number(Statistics.median(acknowledgeTimes)),
                .number(Statistics.mean(acceptTimes)), .number(Statistics.median(acceptTimes)),
            ]
        }
        return [ReportTable(name: "locations", columns: columns, rows: rows)]
    }

    /// Seconds until the location first reacted (acknowledged, accepted or rejected: accepting
    /// or rejecting implies acknowledgement).
    static func secondsToAcknowledge(_ lead: LeadFacts) -> Double? {
        guard let sent = lead.locationSentAt,
              let first = [lead.acknowledgedAt, lead.acceptedAt, lead.rejectedAt].compactMap({ $0 }).min()
        else { return nil }
        return max(0, first.timeIntervalSince(sent))
    }
}
