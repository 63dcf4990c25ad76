import Foundation

/// A day of the week, as written in configuration (`mon` … `sun`).
public enum Weekday: String, Hashable, Sendable, Codable, CaseIterable, Comparable {
    case mon, tue, wed, thu, fri, sat, sun

    /// The weekday of Foundation's `Calendar` numbering (1 = Sunday … 7 = Saturday).
    init(calendarWeekday: Int) {
        let order: [Weekday] = [.sun, .mon, .tue, .wed, .thu, .fri, .sat]
        self = order[(calendarWeekday - 1 + 7) % 7]
    }

    /// The day before.
    var previous: Weekday {
        let all = Weekday.allCases
        return all[(all.firstIndex(of: self)! + all.count - 1) % all.count]
    }

    private var index: Int { Weekday.allCases.firstIndex(of: self)! }

    public static func < (lhs: Weekday, rhs: Weekday) -> Bool { lhs.index < rhs.index }
}

/// A wall-clock time of day, minutes after midnight, written `"HH:MM"` (`"24:00"` allowed as an end).
public struct TimeOfDay: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    /// Minutes after midnight, 0…1440.
    public var minutes: Int

    /// Creates a time from minutes after midnight.
    public init(minutes: Int) { self.minutes = minutes }

    /// Parses `"HH:MM"` (00:00 … 24:00); `nil` otherwise.
    public init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2,
              let hours = Int(parts[0]), let minutes = Int(parts[1]),
              (0...24).contains(hours), (0...59).contains(minutes), hours * 60 + minutes <= 1440
        else { return nil }
        self.minutes = hours * 60 + minutes
    }

    public var description: String { String(format: "%02d:%02d", minutes / 60, minutes % 60) }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let time = TimeOfDay(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "expected HH:MM between 00:00 and 24:00")
        }
        self = time
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    public static func < (lhs: TimeOfDay, rhs: TimeOfDay) -> Bool { lhs.minutes < rhs.minutes }
}

/// A weekly shift: on `days`, from `start` to `end` local time. An `end` not after `start` runs
/// past midnight into the next day (a night shift `22:00`–`06:00`).
public struct WorkingPeriod: Hashable, Sendable, Codable {
    /// The days the shift starts on.
    public var days: [Weekday]
    /// Local start time.
    public var start: TimeOfDay
    /// Local end time (exclusive).
    public var end: TimeOfDay

    /// Creates a shift.
    public init(days: [Weekday], start: TimeOfDay, end: TimeOfDay) {
        self.days = days
        self.start = start
        self.end = end
    }

    /// Whether the shift covers `minute` (after local midnight) on `day`.
    func covers(day: Weekday, minute: Int) -> Bool {
        if start < end {
            return days.contains(day) && minute >= start.minutes && minute < end.minutes
        }
        // Overnight: the evening part on the start day, the morning part on the next day.
        return (days.contains(day) && minute >= start.minutes)
            || (days.contains(day.previous) && minute < end.minutes)
    }
}

/// When a member works: shifts in their own time zone. No shifts means always.
public struct WorkingSchedule: Hashable, Sendable {
    /// The member's IANA time zone, e.g. `America/Chicago`.
    public var timeZone: TimeZone
    /// The shifts; empty means available at any hour.
    public var periods: [WorkingPeriod]

    /// Creates a schedule.
    public init(timeZone: TimeZone, periods: [WorkingPeriod]) {
        self.timeZone = timeZone
        self.periods = periods
    }

    /// Whether `date` falls within a shift, read on the member's local wall clock.
    public func isWorking(at date: Date) -> Bool {
        guard !periods.isEmpty else { return true }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.weekday, .hour, .minute], from: date)
        let day = Weekday(calendarWeekday: parts.weekday ?? 1)
        let minute = (parts.hour ?? 0) * 60 + (parts.minute ?? 0)
        return periods.contains { $0.covers(day: day, minute: minute) }
    }

    /// The local weekday and time of `date`, for explanations (`"sat 23:10 Europe/Berlin"`).
    public func localDescription(of date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.weekday, .hour, .minute], from: date)
        let day = Weekday(calendarWeekday: parts.weekday ?? 1)
        return "\(day.rawValue) \(TimeOfDay(minutes: (parts.hour ?? 0) * 60 + (parts.minute ?? 0))) \(timeZone.identifier)"
    }
}
