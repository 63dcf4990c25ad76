import Foundation
import Testing
import LeadModel

@Suite("Follow-up delay")
struct FollowUpDelayTests {
    let newYork = TimeZone(identifier: "America/New_York")!
    let berlin = TimeZone(identifier: "Europe/Berlin")!

    struct Case: Sendable, CustomTestStringConvertible {
        let delay: FollowUpDelay
        let zone: String
        let start: String
        let due: String
        var testDescription: String { "\(delay.kind.rawValue) from \(start) in \(zone)" }
    }

    static let cases: [Case] = [
        Case(delay: .oneHour, zone: "America/New_York", start: "2025-03-19T13:13:16.250Z", due: "2025-03-19T14:13:16.250Z"),
        Case(delay: .custom(seconds: 5400), zone: "UTC", start: "2025-03-19T13:00:00.000Z", due: "2025-03-19T14:30:00.000Z"),
        // 18:30 local on the 19th → 09:00 local on the 20th (EDT, UTC-4).
        Case(delay: .tomorrow, zone: "America/New_York", start: "2025-03-19T22:30:00.000Z", due: "2025-03-20T13:00:00.000Z"),
        // Already the 20th in UTC, still the 19th in New York: due on the 20th, local morning.
        Case(delay: .tomorrow, zone: "America/New_York", start: "2025-03-20T02:30:00.000Z", due: "2025-03-20T13:00:00.000Z"),
        // In Berlin (UTC+1) it is already the 20th: due on the 21st.
        Case(delay: .tomorrow, zone: "Europe/Berlin", start: "2025-03-19T23:30:00.000Z", due: "2025-03-21T08:00:00.000Z"),
        // Across the US spring-forward (9 March 2025): same wall-clock time, 71 real hours.
        Case(delay: .threeDays, zone: "America/New_York", start: "2025-03-07T15:00:00.000Z", due: "2025-03-10T14:00:00.000Z"),
        // Across the EU fall-back (26 October 2025): same wall-clock time, 7 days + 1 hour.
        Case(delay: .oneWeek, zone: "Europe/Berlin", start: "2025-10-22T13:00:00.000Z", due: "2025-10-29T14:00:00.000Z"),
        Case(delay: .oneWeek, zone: "UTC", start: "2025-03-19T13:13:16.250Z", due: "2025-03-26T13:13:16.250Z"),
    ]

    @Test("due date", arguments: cases)
    func dueDate(_ c: Case) {
        let zone = TimeZone(identifier: c.zone)!
        let start = Fixtures.date(c.start)
        let due = c.delay.dueDate(after: start, in: zone)
        #expect(LeadflowJSON.formatDate(due) == c.due)
        #expect(c.delay.interval(from: start, in: zone) == due.timeIntervalSince(start))
    }

    @Test func dstIntervals() {
        let springStart = Fixtures.date("2025-03-07T15:00:00.000Z")
        #expect(FollowUpDelay.threeDays.interval(from: springStart, in: newYork) == 3 * 86_400 - 3_600)
        let fallStart = Fixtures.date("2025-10-22T13:00:00.000Z")
        #expect(FollowUpDelay.oneWeek.interval(from: fallStart, in: berlin) == 7 * 86_400 + 3_600)
    }

    @Test func morningHourIsConfigurable() {
        let start = Fixtures.date("2025-03-19T12:00:00.000Z")
        let due = FollowUpDelay.tomorrow.dueDate(after: start, in: TimeZone(identifier: "UTC")!, morningHour: 7)
        #expect(LeadflowJSON.formatDate(due) == "2025-03-20T07:00:00.000Z")
    }

    @Test("JSON form", arguments: [
        (FollowUpDelay.oneHour, #"{"kind":"one_hour"}"#),
        (.tomorrow, #"{"kind":"tomorrow"}"#),
        (.threeDays, #"{"kind":"three_days"}"#),
        (.oneWeek, #"{"kind":"one_week"}"#),
        (.custom(seconds: 7200), #"{"kind":"custom","seconds":7200}"#),
    ])
    func json(delay: FollowUpDelay, text: String) throws {
        #expect(String(decoding: try LeadflowJSON.encode(delay), as: UTF8.self) == text)
        #expect(try LeadflowJSON.decode(FollowUpDelay.self, from: Array(text.utf8)) == delay)
    }

    @Test("custom delays must be positive", arguments: [#"{"kind":"custom","seconds":0}"#, #"{"kind":"custom"}"#, #"{"kind":"someday"}"#])
    func invalid(text: String) {
        #expect(throws: DecodingError.self) { try LeadflowJSON.decode(FollowUpDelay.self, from: Array(text.utf8)) }
    }
}
