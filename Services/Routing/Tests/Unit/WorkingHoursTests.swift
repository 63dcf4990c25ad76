import Foundation
import LeadModel
import Testing
@testable import LeadRouting

@Suite("Working hours in the member's time zone")
struct WorkingHoursTests {
    let weekdays: [Weekday] = [.mon, .tue, .wed, .thu, .fri]

    @Test("HH:MM parses 00:00 to 24:00 and refuses the rest")
    func parsing() {
        #expect(TimeOfDay("09:30")?.minutes == 570)
        #expect(TimeOfDay("24:00")?.minutes == 1440)
        for bad in ["9:30", "24:01", "12:60", "ab:cd", "", "12:3", "-1:00", "12:30:00"] {
            #expect(TimeOfDay(bad) == nil, "\(bad)")
        }
    }

    @Test("a day shift is read on the local wall clock")
    func localClock() {
        // 15:00 UTC on a Wednesday is 10:00 in Chicago (working) and 16:00 in Berlin (after 09–15).
        let shift = WorkingPeriod(days: weekdays, start: Fixture.time("09:00"), end: Fixture.time("15:00"))
        let chicago = WorkingSchedule(timeZone: TimeZone(identifier: "America/Chicago")!, periods: [shift])
        let berlin = WorkingSchedule(timeZone: TimeZone(identifier: "Europe/Berlin")!, periods: [shift])
        #expect(chicago.isWorking(at: Fixture.now))
        #expect(!berlin.isWorking(at: Fixture.now))
        #expect(berlin.localDescription(of: Fixture.now) == "wed 16:00 Europe/Berlin")
    }

    @Test("the end is exclusive and other days are off")
    func boundaries() {
        let shift = WorkingPeriod(days: [.wed], start: Fixture.time("14:00"), end: Fixture.time("15:00"))
        let utc = WorkingSchedule(timeZone: TimeZone(identifier: "UTC")!, periods: [shift])
        #expect(!utc.isWorking(at: Fixture.now))
        #expect(utc.isWorking(at: Fixture.now.addingTimeInterval(-60)))
        #expect(!utc.isWorking(at: Fixture.now.addingTimeInterval(-86_400)))  // Tuesday
    }

    @Test("a night shift runs past midnight into the next day")
    func overnight() {
        let night = WorkingPeriod(days: [.tue], start: Fixture.time("22:00"), end: Fixture.time("06:00"))
        let utc = WorkingSchedule(timeZone: TimeZone(identifier: "UTC")!, periods: [night])
        let wednesday0300 = LeadflowJSONDate("2025-03-19T03:00:00Z")
        let tuesday2300 = LeadflowJSONDate("2025-03-18T23:00:00Z")
        let wednesday2300 = LeadflowJSONDate("2025-03-19T23:00:00Z")
        #expect(utc.isWorking(at: wednesday0300))
        #expect(utc.isWorking(at: tuesday2300))
        #expect(!utc.isWorking(at: wednesday2300))
    }

    @Test("daylight saving: 09:00 local stays 09:00 local across the change")
    func daylightSaving() {
        let shift = WorkingPeriod(days: weekdays, start: Fixture.time("09:00"), end: Fixture.time("10:00"))
        let newYork = WorkingSchedule(timeZone: TimeZone(identifier: "America/New_York")!, periods: [shift])
        // Friday 7 March 2025 (EST, UTC-5) and Monday 10 March 2025 (EDT, UTC-4).
        #expect(newYork.isWorking(at: LeadflowJSONDate("2025-03-07T14:30:00Z")))
        #expect(!newYork.isWorking(at: LeadflowJSONDate("2025-03-10T14:30:00Z")))
        #expect(newYork.isWorking(at: LeadflowJSONDate("2025-03-10T13:30:00Z")))
    }

    @Test("no shifts means available at any hour")
    func always() {
        let schedule = WorkingSchedule(timeZone: TimeZone(identifier: "UTC")!, periods: [])
        #expect(schedule.isWorking(at: Fixture.now))
    }
}

/// A date from RFC 3339 text.
func LeadflowJSONDate(_ text: String) -> Date { LeadflowJSON.parseDate(text)! }
