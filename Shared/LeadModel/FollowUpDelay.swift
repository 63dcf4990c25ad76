import Foundation

/// How long a location wants to wait before Leadflow asks it for a status update.
///
/// JSON: `{"kind": "one_hour"}` … or `{"kind": "custom", "seconds": 5400}`.
public enum FollowUpDelay: Hashable, Sendable, Codable {
    /// One hour after the reference time.
    case oneHour
    /// The next calendar day at the morning hour (09:00 by default) in the location's time zone.
    case tomorrow
    /// Three calendar days later at the same local wall-clock time.
    case threeDays
    /// Seven calendar days later at the same local wall-clock time.
    case oneWeek
    /// A fixed number of seconds (positive).
    case custom(seconds: Int)

    /// The wire names of the kinds.
    public enum Kind: String, Hashable, Sendable, Codable, CaseIterable {
        case oneHour = "one_hour"
        case tomorrow
        case threeDays = "three_days"
        case oneWeek = "one_week"
        case custom
    }

    /// This delay's kind.
    public var kind: Kind {
        switch self {
        case .oneHour: .oneHour
        case .tomorrow: .tomorrow
        case .threeDays: .threeDays
        case .oneWeek: .oneWeek
        case .custom: .custom
        }
    }

    /// When the status-update request is due, for a lead that last changed at `start`.
    ///
    /// Calendar-based delays follow the location's wall clock, so they stay correct across
    /// daylight-saving changes.
    /// - Parameters:
    ///   - start: the reference time (usually when the lead entered its current status).
    ///   - timeZone: the location's time zone.
    ///   - morningHour: the local hour a ``tomorrow`` delay is due at.
    public func dueDate(after start: Date, in timeZone: TimeZone, morningHour: Int = 9) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        switch self {
        case .oneHour:
            return start.addingTimeInterval(3600)
        case .custom(let seconds):
            return start.addingTimeInterval(TimeInterval(max(seconds, 0)))
        case .threeDays:
            return calendar.date(byAdding: .day, value: 3, to: start) ?? start.addingTimeInterval(3 * 86_400)
        case .oneWeek:
            return calendar.date(byAdding: .day, value: 7, to: start) ?? start.addingTimeInterval(7 * 86_400)
        case .tomorrow:
            let today = calendar.startOfDay(for: start)
            guard let nextDay = calendar.date(byAdding: .day, value: 1, to: today),
                  let due = calendar.date(bySettingHour: morningHour, minute: 0, second: 0, of: nextDay)
            else { return start.addingTimeInterval(86_400) }
            return due
        }
    }

    /// The time between `start` and ``dueDate(after:in:morningHour:)``.
    public func interval(from start: Date, in timeZone: TimeZone, morningHour: Int = 9) -> TimeInterval {
        dueDate(after: start, in: timeZone, morningHour: morningHour).timeIntervalSince(start)
    }

    private enum CodingKeys: String, CodingKey {
        case kind, seconds
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        switch try container.decode(Kind.self, forKey: .kind) {
        case .oneHour: self = .oneHour
        case .tomorrow: self = .tomorrow
        case .threeDays: self = .threeDays
        case .oneWeek: self = .oneWeek
        case .custom:
            let seconds = try container.decode(Int.self, forKey: .seconds)
            guard seconds > 0 else {
                throw DecodingError.dataCorruptedError(
                    forKey: .seconds, in: container, debugDescription: "A custom delay must be positive")
            }
            self = .custom(seconds: seconds)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(kind, forKey: .kind)
        if case .custom(let seconds) = self {
            try container.encode(seconds, forKey: .seconds)
        }
    }
}
