import Foundation
import LeadModel
import Testing
@testable import LeadAnalytics

@Suite("Search, CSV, statistics, signing")
struct FormatTests {
    @Test("search lexemes cover name parts, e-mail pieces and phone suffixes")
    func lexemes() {
        let lead = Fixture.lead(name: "María-José O'Brien", email: "Maria.Obrien+cars@Example.com", phone: "+1 (614) 555-0142")
        let lexemes = Set(SearchText.lexemes(for: lead))
        for expected in ["maría", "josé", "obrien", "maria.obrien+cars@example.com", "maria", "cars", "example.com", "16145550142", "0142", "5550142", "6145550142"] {
            #expect(lexemes.contains(expected), "missing \(expected) in \(lexemes.sorted())")
        }
    }

    @Test("search queries are sanitized prefix queries", arguments: [
        ("jane", "'jane':*"),
        ("Jane Doe", "'jane':* & 'doe':*"),
        ("614-555-0142", "'6145550142':*"),
        ("+1 (614) 555", "'1614555':*"),
        ("o'brien", "'obrien':*"),
        ("jane@example.com", "'jane@example.com':*"),
        ("x'); DROP TABLE leads; --", "'x':* & 'drop':* & 'table':* & 'leads':*"),
        ("a & b | !c <-> d:*", "'a':* & 'b':* & 'c':* & 'd':*"),
    ])
    func queries(input: String, expected: String) {
        #expect(SearchText.query(input) == expected)
    }

    @Test("nothing searchable gives no query")
    func emptyQuery() {
        #expect(SearchText.query("  '&|!  ") == nil)
        #expect(SearchText.query("") == nil)
    }

    @Test("CSV cells that a spreadsheet would evaluate are neutralized", arguments: [
        "=HYPERLINK(\"http://evil\",\"x\")", "+SUM(1,2)", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd", "＝1+1",
    ])
    func formulaInjection(text: String) {
        let cell = CSVWriter.cell(.text(text))
        let unquoted = cell.hasPrefix("\"") ? String(cell.dropFirst()) : cell
        #expect(unquoted.hasPrefix("'"), "\(cell)")
    }

    @Test("CSV quotes separators and keeps numbers numeric")
    func csvQuoting() {
        let table = ReportTable(name: "t", columns: ["group", "rate", "count", "money"], rows: [
            [.text("a,b"), .number(0.25), .integer(3), .decimal(Decimal(string: "12.50")!)],
            [.text("say \"hi\"\nthere"), .number(-0.5), .null, .null],
        ])
        #expect(CSVWriter.write(table) == "group,rate,count,money\r\n\"a,b\",0.25,3,12.5\r\n\"say \"\"hi\"\"\nthere\",-0.5,,\r\n")
    }

    @Test("median, mean and nearest-rank p90")
    func statistics() {
        let values: [Double] = [10, 1, 7, 3, 5, 9, 2, 8, 4, 6]
        #expect(Statistics.median(values) == 5.5)
        #expect(Statistics.mean(values) == 5.5)
        #expect(Statistics.percentile(0.9, values) == 9)
        #expect(Statistics.percentile(0.9, [42]) == 42)
        #expect(Statistics.median([3, 1, 2]) == 2)
        #expect(Statistics.median([]) == nil)
        #expect(Statistics.rate(1, 0) == nil)
    }

    @Test("signed values reject tampering and other purposes")
    func signing() throws {
        let signer = Signer(secret: "a-secret-of-at-least-32-bytes-long!!", purpose: "cursor")
        let cursor = LeadCursor(createdAt: Fixture.t0, leadId: LeadID(), query: "abc")
        let token = try signer.sign(cursor)
        #expect(signer.verify(token, as: LeadCursor.self) == cursor)
        var tampered = Array(token)
        tampered[5] = tampered[5] == "A" ? "B" : "A"
        #expect(signer.verify(String(tampered), as: LeadCursor.self) == nil)
        #expect(Signer(secret: "a-secret-of-at-least-32-bytes-long!!", purpose: "session").verify(token, as: LeadCursor.self) == nil)
        #expect(signer.verify("not.a-token", as: LeadCursor.self) == nil)
        #expect(signer.verify(String(repeating: "x", count: 10_000), as: LeadCursor.self) == nil)
    }

    @Test("lead queries refuse unknown and malformed parameters")
    func leadQueries() throws {
        let query = try LeadQuery(parameters: [("status", "new,contacted"), ("priority", "hot"), ("hasVehicle", "true"), ("limit", "10")])
        #expect(query.statuses == ["new", "contacted"])
        #expect(query.priorities == [.hot])
        #expect(query.limit == 10)
        #expect(throws: (any Error).self) { try LeadQuery(parameters: [("stage", "nonsense")]) }
        #expect(throws: (any Error).self) { try LeadQuery(parameters: [("limit", "100000")]) }
        #expect(throws: (any Error).self) { try LeadQuery(parameters: [("createdFrom", "yesterday")]) }
        #expect(throws: (any Error).self) { try LeadQuery(parameters: [("sort", "name")]) }
        #expect(throws: (any Error).self) { try LeadQuery(parameters: [("createdFrom", "2025-02-01"), ("createdTo", "2025-01-01")]) }
    }

    @Test("metrics windows cover every minute and hold counts only")
    func metricsWindows() {
        let start = MetricsWindowing.minute(of: Fixture.t0)
        let windows = MetricsWindowing.windows(
            from: start, to: start.addingTimeInterval(180),
            counts: [
                .init(minute: start, sourceId: "b", topic: .received, leads: 2),
                .init(minute: start, sourceId: "a", topic: .received, leads: 1),
                .init(minute: start, sourceId: "a", topic: .scored, leads: 1),
                .init(minute: start.addingTimeInterval(120), sourceId: "a", topic: .assigned, leads: 3),
            ],
            responseTimesMs: [(start, 1000), (start, 3000), (start, 2000), (start, 10000)],
            closes: [(start.addingTimeInterval(60), .won, 2), (start.addingTimeInterval(60), .lost, 1)])
        #expect(windows.count == 3)
        #expect(windows[0].perSource == [SourceMetrics(sourceId: "a", received: 1, scored: 1), SourceMetrics(sourceId: "b", received: 2)])
        #expect(windows[0].medianSpeedToLeadMs == 2500)
        #expect(windows[1].perSource.isEmpty && windows[1].conversions == ConversionCounts(won: 2, lost: 1))
        #expect(windows[2].perSource == [SourceMetrics(sourceId: "a", assigned: 3)])
        #expect(windows[0].fingerprint != windows[1].fingerprint)
    }
}
