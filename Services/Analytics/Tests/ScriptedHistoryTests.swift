import Foundation
import LeadAnalytics
import LeadIntegrationSupport
import LeadModel
import LeadServiceKit
import LeadTestSupport
import Testing

/// The analytics service fed a scripted history through the real broker and database; every
/// report is compared with numbers the test computes itself from the script.
@Suite("Analytics: scripted history (Tansu, PostgreSQL)", .serialized, .analyticsStack)
struct ScriptedHistoryTests {
    var stack: AnalyticsStack { AnalyticsStack.current! }
    var script: Script { stack.script }
    var now: Date { script.now }

    // MARK: Independent expectations

    static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    static func mean(_ values: [Double]) -> Double? { values.isEmpty ? nil : values.reduce(0, +) / Double(values.count) }

    static func p90(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        return sorted[Int((0.9 * Double(sorted.count)).rounded(.up)) - 1]
    }

    func groupKey(_ lead: ScriptedLead, _ grouping: String) -> String {
        switch grouping {
        case "source": lead.source
        case "salesperson": lead.owner ?? "none"
        case "vehicle_type": lead.normalizedVehicleType ?? "none"
        case "location": lead.location ?? "none"
        case "team": lead.team ?? "none"
        case "channel": lead.channel.rawValue
        default: "?"
        }
    }

    // MARK: Reports

    @Test("conversion rate by every grouping equals the script's", arguments: ["source", "salesperson", "vehicle_type", "location", "team", "channel"])
    func conversion(grouping: String) async throws {
        let report = try await stack.report("conversion", "groupBy=\(grouping)")
        let leads = script.reportable()
        let groups = Dictionary(grouping: leads) { groupKey($0, grouping) }
        #expect(report.table("groups").count == groups.count, "\(report.table("groups"))")
        for (key, members) in groups {
            let row = try #require(report.row("groups", "group", key), "no row \(key)")
            let won = members.filter { $0.outcome == .won }.count
            let lost = members.filter { $0.outcome == .lost }.count
            #expect(integer(row["leads"]) == members.count, "\(key)")
            #expect(integer(row["won"]) == won, "\(key)")
            #expect(integer(row["lost"]) == lost, "\(key)")
            #expect(integer(row["open"]) == members.count - won - lost, "\(key)")
            #expect(same(number(row["conversionRate"]), Double(won) / Double(members.count)), "\(key)")
        }
        let total = try #require(report.table("summary").first)
        #expect(integer(total["leads"]) == leads.count)
    }

    @Test("an explicit period counts only leads created in it")
    func period() async throws {
        let from = now.addingTimeInterval(-50 * Script.day)
        let to = now.addingTimeInterval(-7 * Script.day)
        let query = "from=\(LeadflowJSON.formatDate(from))&to=\(LeadflowJSON.formatDate(to))"
        let report = try await stack.report("conversion", query)
        let leads = script.reportable(from: from, to: to)
        #expect(Set(leads.map(\.key)) == ["L1", "L2", "L7", "L11", "L12"])
        #expect(integer(report.table("summary").first?["leads"]) == leads.count)
        #expect(integer(report.table("summary").first?["won"]) == leads.filter { $0.outcome == .won }.count)
    }

    @Test("first-response time: average, median, p90, buckets and their conversion")
    func responseTime() async throws {
        let report = try await stack.report("response-time", "groupBy=salesperson")
        let leads = script.reportable()
        let times = leads.compactMap(\.firstResponseAfter)
        let summary = try #require(report.table("summary").first)
        #expect(integer(summary["leads"]) == leads.count)
        #expect(integer(summary["responded"]) == times.count)
        #expect(same(number(summary["averageSeconds"]), Self.mean(times)))
        #expect(same(number(summary["medianSeconds"]), Self.median(times)))
        #expect(same(number(summary["p90Seconds"]), Self.p90(times)))
        let responded = leads.filter { $0.firstResponseAfter != nil }
        #expect(same(number(summary["respondedConversionRate"]),
                     Double(responded.filter { $0.outcome == .won }.count) / Double(responded.count)))
        let limits: [(Double, String)] = [(300, "under_5m"), (1800, "5m_to_30m"), (7200, "30m_to_2h"), (86_400, "2h_to_24h"), (.infinity, "over_24h")]
        for (index, (limit, name)) in limits.enumerated() {
            let lower = index == 0 ? 0 : limits[index - 1].0
            let members = leads.filter { ($0.firstResponseAfter.map { $0 >= lower && $0 < limit }) ?? false }
            let row = try #require(report.row("buckets", "bucket", name))
            #expect(integer(row["leads"]) == members.count, "\(name)")
            #expect(integer(row["won"]) == members.filter { $0.outcome == .won }.count, "\(name)")
        }
        let none = try #require(report.row("buckets", "bucket", "no_response"))
        #expect(integer(none["leads"]) == leads.filter { $0.firstResponseAfter == nil }.count)
        for (owner, members) in Dictionary(grouping: leads, by: { $0.owner ?? "none" }) {
            let row = try #require(report.row("groups", "group", owner))
            #expect(same(number(row["medianSeconds"]), Self.median(members.compactMap(\.firstResponseAfter))), "\(owner)")
        }
    }

    @Test("pipeline velocity: time in each status and the bottleneck")
    func velocity() async throws {
        let report = try await stack.report("velocity")
        var dwell: [String: [Double]] = [:]
        var entered: [String: Int] = [:]
        var current: [String: Int] = [:]
        var terminal: Set<String> = []
        for lead in script.reportable() {
            var periods: [(String, TimeInterval)] = [("new", 0)]
            periods += lead.statuses.map { ($0.0.rawValue, $0.1) }
            for (index, (status, start)) in periods.enumerated() {
                entered[status, default: 0] += 1
                if index + 1 < periods.count {
                    dwell[status, default: []].append(periods[index + 1].1 - start)
                } else if lead.isOpen {
                    current[status, default: 0] += 1
                } else {
                    terminal.insert(status)
                }
            }
        }
        let order = ["new", "contacted", "qualified", "test_drive", "negotiation", "closed_won", "closed_lost"]
        var bottleneck: (String, Double)?
        for status in order where !terminal.contains(status) {
            guard let median = Self.median(dwell[status] ?? []) else { continue }
            if bottleneck.map({ median > $0.1 }) ?? true { bottleneck = (status, median) }
        }
        #expect(report.table("statuses").compactMap { $0["status"] as? String } == order.filter { entered[$0] != nil })
        for (status, count) in entered {
            let row = try #require(report.row("statuses", "status", status))
            #expect(integer(row["entered"]) == count, "\(status)")
            #expect(integer(row["left"]) == (dwell[status] ?? []).count, "\(status)")
            #expect(same(number(row["averageSeconds"]), Self.mean(dwell[status] ?? [])), "\(status)")
            #expect(same(number(row["medianSeconds"]), Self.median(dwell[status] ?? [])), "\(status)")
            #expect(same(number(row["p90Seconds"]), Self.p90(dwell[status] ?? [])), "\(status)")
            #expect(integer(row["currentlyIn"]) == current[status] ?? 0, "\(status)")
            #expect((row["isBottleneck"] as? Bool) == (status == bottleneck?.0), "\(status)")
        }
        #expect(report.table("summary").first?["bottleneck"] as? String == bottleneck?.0)
        let won = script.reportable().filter { $0.outcome == .won }
        #expect(same(number(report.table("summary").first?["averageSecondsToWin"]), Self.mean(won.compactMap(\.closedAfter))))
    }

    @Test("funnel drop-off over stages and pipeline statuses")
    func funnel() async throws {
        let report = try await stack.report("funnel")
        let leads = script.reportable()
        var previous: Int?
        for stage in LifecycleStage.allCases {
            let reached = leads.filter { $0.furthestStage >= stage }.count
            let row = try #require(report.row("stages", "step", stage.rawValue))
            #expect(integer(row["reached"]) == reached, "\(stage)")
            #expect(same(number(row["conversionFromPrevious"]), previous.map { Double(reached) / Double($0) }), "\(stage)")
            #expect(same(number(row["dropOffFromPrevious"]), previous.map { 1 - Double(reached) / Double($0) }), "\(stage)")
            previous = reached
        }
        let open: [PipelineStatus] = [.new, .contacted, .qualified, .testDrive, .negotiation]
        func rank(_ lead: ScriptedLead) -> Int {
            if lead.outcome == .won { return open.count }
            return ([PipelineStatus.new] + lead.statuses.map(\.0)).compactMap { open.firstIndex(of: $0) }.max() ?? -1
        }
        for (index, status) in open.enumerated() {
            let row = try #require(report.row("statuses", "step", status.rawValue))
            #expect(integer(row["reached"]) == leads.filter { rank($0) >= index }.count, "\(status)")
        }
        #expect(integer(report.row("statuses", "step", "closed_won")?["reached"]) == leads.filter { $0.outcome == .won }.count)
        #expect(integer(report.row("statuses", "step", "closed_lost")?["reached"]) == leads.filter { $0.outcome == .lost }.count)
    }

    @Test("source ROI: cost per lead from configuration and the admin API, revenue from conversions and surveys")
    func sourceROI() async throws {
        let report = try await stack.report("source-roi")
        let costs: [String: Decimal] = ["src-web": 10, "src-meta": Decimal(string: "25.50")!, "src-adf": 40]
        for (source, leads) in Dictionary(grouping: script.reportable(), by: \.source) {
            let row = try #require(report.row("sources", "source", source))
            let won = leads.filter { $0.outcome == .won }
            let conversion = won.compactMap(\.price).reduce(Decimal(0), +)
            let survey = leads.compactMap(\.survey).reduce(Decimal(0), +)
            #expect(integer(row["leads"]) == leads.count, "\(source)")
            #expect(integer(row["won"]) == won.count, "\(source)")
            #expect(Decimal(string: row["conversionRevenue"] as? String ?? "") == conversion, "\(source)")
            #expect(Decimal(string: row["surveyRevenue"] as? String ?? "") == survey, "\(source)")
            #expect(Decimal(string: row["revenue"] as? String ?? "") == conversion + survey, "\(source)")
            if let cpl = costs[source] {
                let cost = cpl * Decimal(leads.count)
                #expect(Decimal(string: row["cost"] as? String ?? "") == cost, "\(source)")
                let roi = NSDecimalNumber(decimal: (conversion + survey - cost) / cost).doubleValue
                #expect(same(number(row["roi"]), roi), "\(source)")
            } else {
                #expect(row["cost"] is NSNull, "\(source) has no configured cost")
                #expect(row["roi"] is NSNull)
            }
        }
    }

    @Test("the hot sheet lists open hot or overdue leads, overdue first, then by score")
    func hotSheet() async throws {
        let report = try await stack.report("hot-sheet")
        let expected = script.current.filter { $0.isOpen && ($0.priority == .hot || $0.isOverdue(now: now)) }
            .sorted { a, b in
                let (ao, bo) = (a.isOverdue(now: now), b.isOverdue(now: now))
                if ao != bo { return ao }
                return (a.score ?? -1) > (b.score ?? -1)
            }
        #expect(expected.map(\.key) == ["L3", "L4", "L5", "L10"], "the script's own expectation")
        let rows = report.table("leads")
        #expect(rows.compactMap { $0["leadId"] as? String } == expected.map(\.id.description))
        for (row, lead) in zip(rows, expected) {
            #expect(row["name"] as? String == lead.name)
            #expect(row["phone"] as? String == lead.phone)
            #expect((row["overdue"] as? Bool) == lead.isOverdue(now: now))
        }
    }

    @Test("open pipeline by status and stage, by age")
    func pipeline() async throws {
        let report = try await stack.report("pipeline")
        let open = script.current.filter(\.isOpen)
        let limits: [(Double, String)] = [(86_400, "under1d"), (3 * 86_400, "from1dTo3d"), (7 * 86_400, "from3dTo7d"), (30 * 86_400, "from7dTo30d"), (.infinity, "over30d")]
        for (status, leads) in Dictionary(grouping: open, by: \.status) {
            let row = try #require(report.row("statuses", "group", status.rawValue))
            #expect(integer(row["open"]) == leads.count, "\(status)")
            for (index, (limit, name)) in limits.enumerated() {
                let lower = index == 0 ? 0 : limits[index - 1].0
                #expect(integer(row[name]) == leads.filter { $0.created >= lower && $0.created < limit }.count, "\(status) \(name)")
            }
            #expect(same(number(row["averageAgeDays"]), Self.mean(leads.map { $0.created / 86_400 })), "\(status)")
        }
        for stage in LifecycleStage.allCases {
            #expect(integer(report.row("stages", "group", stage.rawValue)?["open"]) == open.filter { ($0.stages.last?.0 ?? .lead) == stage }.count)
        }
    }

    @Test("team performance per salesperson and per team", arguments: ["salesperson", "team"])
    func team(grouping: String) async throws {
        let report = try await stack.report("team", "groupBy=\(grouping)")
        for (key, leads) in Dictionary(grouping: script.reportable(), by: { groupKey($0, grouping) }) {
            let row = try #require(report.row("groups", "group", key), "\(key)")
            let won = leads.filter { $0.outcome == .won }
            #expect(integer(row["leads"]) == leads.count, "\(key)")
            #expect(integer(row["won"]) == won.count, "\(key)")
            #expect(integer(row["lost"]) == leads.filter { $0.outcome == .lost }.count, "\(key)")
            #expect(integer(row["overdue"]) == leads.filter { $0.isOverdue(now: now) }.count, "\(key)")
            #expect(same(number(row["medianResponseSeconds"]), Self.median(leads.compactMap(\.firstResponseAfter))), "\(key)")
            #expect(Decimal(string: row["revenue"] as? String ?? "") == won.compactMap(\.price).reduce(Decimal(0), +), "\(key)")
        }
    }

    @Test("location response: acknowledge, accept, won rates and times")
    func locationResponse() async throws {
        let report = try await stack.report("location-response")
        for (location, leads) in Dictionary(grouping: script.reportable().filter { $0.location != nil }, by: { $0.location! }) {
            let row = try #require(report.row("locations", "location", location))
            let sent = ScriptedLead.assignedAfter
            let acknowledge = leads.compactMap { lead in
                lead.locationResponses.first { [.acknowledged, .accepted, .rejected].contains($0.0) }.map { $0.1 - sent }
            }
            let accept = leads.compactMap { lead in lead.locationResponses.first { $0.0 == .accepted }.map { $0.1 - sent } }
            let won = leads.filter { $0.locationResponses.contains { $0.0 == .won } }.count
            #expect(integer(row["sent"]) == leads.count, "\(location)")
            #expect(integer(row["acknowledged"]) == acknowledge.count, "\(location)")
            #expect(integer(row["accepted"]) == accept.count, "\(location)")
            #expect(integer(row["won"]) == won, "\(location)")
            #expect(same(number(row["wonRate"]), Double(won) / Double(leads.count)), "\(location)")
            #expect(same(number(row["medianSecondsToAcknowledge"]), Self.median(acknowledge)), "\(location)")
            #expect(same(number(row["averageSecondsToAccept"]), Self.mean(accept)), "\(location)")
        }
    }

    @Test("CSV versions carry the same numbers and neutralize formula cells")
    func csv() async throws {
        let response = try await stack.get("/v1/reports/conversion?groupBy=vehicle_type&format=csv", as: .admin)
        #expect(response.status == 200)
        #expect(response.headers["content-type"]?.hasPrefix("text/csv") == true)
        let lines = response.text.split(separator: "\r\n").map(String.init)
        #expect(lines.first == "group,leads,open,won,lost,conversionRate")
        let evil = try #require(lines.first { $0.contains("hyperlink") })
        #expect(evil.hasPrefix("\"'=hyperlink("), "\(evil)")
        #expect(!lines.contains { $0.hasPrefix("=") || $0.hasPrefix("\"=") || $0.hasPrefix("+") || $0.hasPrefix("@") })
        let json = try await stack.report("conversion", "groupBy=vehicle_type")
        let suv = try #require(lines.first { $0.hasPrefix("suv,") }).split(separator: ",").map(String.init)
        let row = try #require(json.row("groups", "group", "suv"))
        #expect(Int(suv[1]) == integer(row["leads"]))
        #expect(Int(suv[3]) == integer(row["won"]))
        #expect(same(Double(suv[5]), number(row["conversionRate"])))

        let hot = try await stack.request("GET", "/v1/reports/hot-sheet", token: stack.adminToken, headers: ["accept": "text/csv"])
        #expect(hot.headers["content-type"]?.hasPrefix("text/csv") == true)
        #expect(hot.text.contains("'@SUM(A1) Jones"), "\(hot.text)")
        #expect(!hot.text.contains(",@SUM"))
        for name in ReportKind.allCases.map(\.rawValue) {
            let csv = try await stack.get("/v1/reports/\(name)?format=csv", as: .admin)
            #expect(csv.status == 200, "\(name): \(csv.text)")
            for cell in csv.text.split(whereSeparator: { $0 == "," || $0 == "\r\n" }) {
                if let first = cell.first, "=+@".contains(first) { Issue.record("\(name): unneutralized cell \(cell)") }
            }
        }
    }
}
