import Foundation
import LeadModel

/// The order statuses are shown in: the default pipeline's, then others alphabetically.
enum StatusOrder {
    static let defaultStatuses = Pipeline.default.statuses.map(\.key)
    static let openStatuses = Pipeline.default.statuses.filter { !$0.isTerminal }.map(\.key)

    static func sorted(_ statuses: Set<PipelineStatus>) -> [PipelineStatus] {
        let known = defaultStatuses.filter(statuses.contains)
        return known + statuses.subtracting(known).sorted()
    }
}

/// Time spent in each pipeline status, and the bottleneck.
enum VelocityReport {
    static let columns = [
        "status", "entered", "left", "averageSeconds", "medianSeconds", "p90Seconds", "currentlyIn", "isBottleneck",
    ]

    static func build(_ input: ReportInput) -> [ReportTable] {
        var dwell: [PipelineStatus: [Double]] = [:]
        var entered: [PipelineStatus: Int] = [:]
        var current: [PipelineStatus: Int] = [:]
        var terminal: Set<PipelineStatus> = []
        for lead in input.leads {
            for period in lead.statusHistory {
                entered[period.status, default: 0] += 1
                if let left = period.leftAt {
                    dwell[period.status, default: []].append(max(0, left.timeIntervalSince(period.enteredAt)))
                } else if lead.isOpen {
                    current[period.status, default: 0] += 1
                } else {
                    terminal.insert(period.status)
                }
            }
        }
        let statuses = StatusOrder.sorted(Set(entered.keys))
        let bottleneck = bottleneck(statuses.filter { !terminal.contains($0) }, dwell)
        let rows = statuses.map { status -> [ReportValue] in
            let times = dwell[status] ?? []
            return [
                .text(status.rawValue), .integer(entered[status] ?? 0), .integer(times.count),
                .number(Statistics.mean(times)), .number(Statistics.median(times)), .number(Statistics.percentile(0.9, times)),
                .integer(current[status] ?? 0), .bool(status == bottleneck),
            ]
        }
        let won = input.leads.filter { $0.outcome == .won }
        let closeTimes = won.compactMap { lead in lead.closedAt.map { max(0, $0.timeIntervalSince(lead.createdAt)) } }
        let summary: [ReportValue] = [
            .integer(won.count), .number(Statistics.mean(closeTimes)), .number(Statistics.median(closeTimes)),
            .text(bottleneck?.rawValue),
        ]
        return [
            ReportTable(name: "statuses", columns: columns, rows: rows),
            ReportTable(name: "summary", columns: ["won", "averageSecondsToWin", "medianSecondsToWin", "bottleneck"], rows: [summary]),
        ]
    }

    /// The status leads stay longest in (highest median of completed stays); ties go to the
    /// earlier status.
    static func bottleneck(_ statuses: [PipelineStatus], _ dwell: [PipelineStatus: [Double]]) -> PipelineStatus? {
        var best: (PipelineStatus, Double)?
        for status in statuses {
            guard let median = Statistics.median(dwell[status] ?? []) else { continue }
            if best.map({ median > $0.1 }) ?? true { best = (status, median) }
        }
        return best?.0
    }
}

/// How far leads get: lifecycle stages and pipeline statuses, with the drop-off between steps.
enum FunnelReport {
    static func build(_ input: ReportInput) -> [ReportTable] {
        var stageRows: [[ReportValue]] = []
        var previous: Int?
        for stage in LifecycleStage.allCases {
            let reached = input.leads.count { $0.furthestStage >= stage }
            stageRows.append(step(stage.rawValue, reached, previous))
            previous = reached
        }
        var statusRows: [[ReportValue]] = []
        previous = nil
        let ranks = input.leads.map(furthestRank)
        for (rank, status) in StatusOrder.openStatuses.enumerated() {
            let reached = ranks.count { $0 >= rank }
            statusRows.append(step(status.rawValue, reached, previous))
            previous = reached
        }
        let won = input.leads.count { $0.outcome == .won }
        statusRows.append(step(PipelineStatus.closedWon.rawValue, won, previous))
        let lost = input.leads.count { $0.outcome == .lost }
        statusRows.append([.text(PipelineStatus.closedLost.rawValue), .integer(lost), .null, .null])
        let columns = ["step", "reached", "conversionFromPrevious", "dropOffFromPrevious"]
        return [
            ReportTable(name: "stages", columns: columns, rows: stageRows),
            ReportTable(name: "statuses", columns: columns, rows: statusRows),
        ]
    }

    static func step(_ name: String, _ reached: Int, _ previous: Int?) -> [ReportValue] {
        guard let previous else { return [.text(name), .integer(reached), .null, .null] }
        let conversion = Statistics.rate(reached, previous)
        return [.text(name), .integer(reached), .number(conversion), .number(conversion.map { 1 - $0 })]
    }

    /// The furthest open status of the default pipeline a lead reached (a won lead reached
    /// them all); -1 when it was never in one.
    static func furthestRank(_ lead: LeadFacts) -> Int {
        if lead.outcome == .won { return StatusOrder.openStatuses.count }
        return lead.statusHistory.compactMap { StatusOrder.openStatuses.firstIndex(of: $0.status) }.max() ?? -1
    }
}

/// Open leads by pipeline status and lifecycle stage, and how old they are.
enum PipelineReport {
    static let ageBuckets: [(limit: Double, name: String)] = [
        (86_400, "under1d"), (3 * 86_400, "from1dTo3d"), (7 * 86_400, "from3dTo7d"), (30 * 86_400, "from7dTo30d"),
        (.infinity, "over30d"),
    ]

    static func build(_ input: ReportInput) -> [ReportTable] {
        let open = input.leads.filter(\.isOpen)
        let columns = ["group", "open"] + ageBuckets.map(\.name) + ["averageAgeDays"]
        let byStatus = Dictionary(grouping: open, by: \.pipelineStatus)
        let statusRows = StatusOrder.sorted(Set(byStatus.keys)).map { row($0.rawValue, byStatus[$0]!, input.now) }
        let byStage = Dictionary(grouping: open, by: \.lifecycleStage)
        let stageRows = LifecycleStage.allCases.map { row($0.rawValue, byStage[$0] ?? [], input.now) }
        return [
            ReportTable(name: "statuses", columns: columns, rows: statusRows),
            ReportTable(name: "stages", columns: columns, rows: stageRows),
        ]
    }

    static func row(_ name: String, _ leads: [LeadFacts], _ now: Date) -> [ReportValue] {
        let ages = leads.map { max(0, now.timeIntervalSince($0.createdAt)) }
        var row: [ReportValue] = [.text(name), .integer(leads.count)]
        for (index, bucket) in ageBuckets.enumerated() {
            let lower = index == 0 ? 0 : ageBuckets[index - 1].limit
            row.append(.integer(ages.count { $0 >= lower && $0 < bucket.limit }))
        }
        row.append(.number(Statistics.mean(ages).map { $0 / 86_400 }))
        return row
    }
}

/// Hot and overdue open leads, the most urgent first.
enum HotSheetReport {
    static let columns = [
        "leadId", "name", "email", "phone", "reason", "score", "priority", "status", "stage", "ownerId", "locationId",
        "sourceId", "createdAt", "nextDueAt", "overdue", "lastActivityAt",
    ]

    static func build(_ input: ReportInput) -> [ReportTable] {
        let now = input.now
        let leads = input.leads.filter { $0.isOpen && ($0.priority == .hot || $0.isOverdue(at: now)) }
            .sorted { a, b in
                let (aOverdue, bOverdue) = (a.isOverdue(at: now), b.isOverdue(at: now))
                if aOverdue != bOverdue { return aOverdue }
                if (a.score ?? -1) != (b.score ?? -1) { return (a.score ?? -1) > (b.score ?? -1) }
                return (a.createdAt, a.leadId) < (b.createdAt, b.leadId)
            }
        let rows = leads.map { lead -> [ReportValue] in
            let contact = input.contacts[lead.leadId]
            let overdue = lead.isOverdue(at: now)
            let reason = [lead.priority == .hot ? "hot" : nil, overdue ? "overdue" : nil].compactMap { $0 }.joined(separator: ",")
            return [
                .text(lead.leadId.description), .text(contact?.name ?? ""), .text(contact?.email), .text(contact?.phone),
                .text(reason), .integer(lead.score), .text(lead.priority?.rawValue), .text(lead.pipelineStatus.rawValue),
                .text(lead.lifecycleStage.rawValue), .text(lead.ownerId), .text(lead.locationId), .text(lead.sourceId),
                .date(lead.createdAt), .date(lead.nextDueAt), .bool(overdue), .date(lead.lastActivityAt),
            ]
        }
        return [ReportTable(name: "leads", columns: columns, rows: rows)]
    }
}

/// Cost per lead against revenue, per source.
enum SourceROIReport {
    static let columns = [
        "source", "leads", "won", "conversionRate", "costPerLead", "cost", "conversionRevenue", "surveyRevenue",
        "revenue", "roi", "costPerWon", "otherCurrencyAmounts",
    ]

    static func build(_ input: ReportInput) -> [ReportTable] {
        let groups = Dictionary(grouping: input.leads, by: \.sourceId)
        var rows: [[ReportValue]] = []
        for source in groups.keysBySize {
            let leads = groups[source]!
            let won = leads.count { $0.outcome == .won }
            var foreign = 0
            func sum(_ amounts: [Money]) -> Decimal {
                amounts.reduce(Decimal(0)) { total, money in
                    guard money.currency == input.currency else { foreign += 1; return total }
                    return total + money.amount
                }
            }
            let conversionRevenue = sum(leads.compactMap(\.wonRevenue))
            let surveyRevenue = sum(leads.flatMap(\.surveyRevenue))
            let revenue = conversionRevenue + surveyRevenue
            let costPerLead = input.sourceCosts[source].flatMap { $0.currency == input.currency ? $0.amount : nil }
            let cost = costPerLead.map { $0 * Decimal(leads.count) }
            let roi: ReportValue = cost.flatMap { cost in
                cost == 0 ? nil : ReportValue.number(NSDecimalNumber(decimal: (revenue - cost) / cost).doubleValue)
            } ?? .null
            let costPerWon: ReportValue = cost.flatMap { cost in won == 0 ? nil : ReportValue.decimal(Self.rounded(cost / Decimal(won))) } ?? .null
            rows.append([
                .text(source), .integer(leads.count), .integer(won), .number(Statistics.rate(won, leads.count)),
                costPerLead.map(ReportValue.decimal) ?? .null, cost.map(ReportValue.decimal) ?? .null,
                .decimal(conversionRevenue), .decimal(surveyRevenue), .decimal(revenue), roi, costPerWon, .integer(foreign),
            ])
        }
        return [ReportTable(name: "sources", columns: columns, rows: rows)]
    }

    /// Rounded to cents.
    static func rounded(_ value: Decimal) -> Decimal {
        var input = value
        var result = Decimal()
        NSDecimalRound(&result, &input, 2, .plain)
        return result
    }
}
