import Foundation
import LeadModel

/// The kinds of entries in the recipients directory.
public enum RecipientKind: String, Hashable, Sendable, Codable, CaseIterable {
    /// A salesperson or manager (`member-…`, the ids routing assigns leads to).
    case member
    /// A dealer/installer location's contact (`contact-…`); acts through signed action links.
    case locationContact = "location_contact"
    /// An integration endpoint subscribed to notifications (for example a CRM); webhook only.
    case webhook

    /// The recipient kind reported in `notifications.outcomes`.
    public var outcomeKind: NotificationRecipient.Kind {
        switch self {
        case .member: .member
        case .locationContact: .locationContact
        case .webhook: .webhook
        }
    }
}

/// One entry of the recipients directory: where and when a person (or endpoint) wants to be told.
public struct RecipientProfile: Hashable, Sendable, Codable {
    /// The id routing uses (`member-…`) or the contact's id (`contact-…`, `wh-…`).
    public var id: String
    /// Member, location contact or webhook subscriber.
    public var kind: RecipientKind
    /// Display name, used in greetings.
    public var name: String?
    /// E-mail address.
    public var email: String?
    /// Mobile number in E.164 form, for SMS.
    public var phone: String?
    /// Webhook endpoint (http or https).
    public var webhookUrl: String?
    /// Channels to notify on, in order of preference.
    public var channels: [NotificationChannel]
    /// IANA time zone for quiet hours and local times in messages.
    public var timeZone: String
    /// Local hours during which nothing is delivered (deliveries wait until they end).
    public var quietHours: QuietHours?
    /// Whether notifications about this member's leads also go to the leads' collaborators.
    public var includeCollaborators: Bool
    /// The location the recipient belongs to (location contacts: required; it scopes managers).
    public var locationId: String?
    /// The team the recipient belongs to (scopes managers).
    public var teamId: String?
    /// For webhook subscribers: the purposes they receive (empty: all).
    public var purposes: [NotificationPurpose]
    /// Inactive recipients get nothing.
    public var active: Bool

    /// Creates a profile.
    public init(
        id: String, kind: RecipientKind, name: String? = nil, email: String? = nil, phone: String? = nil,
        webhookUrl: String? = nil, channels: [NotificationChannel] = [.email], timeZone: String = "UTC",
        quietHours: QuietHours? = nil, includeCollaborators: Bool = false, locationId: String? = nil,
        teamId: String? = nil, purposes: [NotificationPurpose] = [], active: Bool = true
    ) {
        self.id = id
        self.kind = kind
        self.name = name
        self.email = email
        self.phone = phone
        self.webhookUrl = webhookUrl
        self.channels = channels
        self.timeZone = timeZone
        self.quietHours = quietHours
        self.includeCollaborators = includeCollaborators
        self.locationId = locationId
        self.teamId = teamId
        self.purposes = purposes
        self.active = active
    }

    /// The profile's time zone (UTC when the stored name is unknown).
    public var zone: TimeZone { TimeZone(identifier: timeZone) ?? TimeZone(identifier: "UTC")! }

    /// The address of `channel`, if the profile has one.
    public func address(for channel: NotificationChannel) -> String? {
        switch channel {
        case .email: email
        case .sms: phone
        case .webhook: webhookUrl
        }
    }

    /// The recipient's first name for greetings (the first word of ``name``).
    public var firstName: String? {
        name?.split(whereSeparator: \.isWhitespace).first.map(String.init)
    }

    /// Whether a webhook subscriber wants notifications of `purpose`.
    public func subscribes(to purpose: NotificationPurpose) -> Bool {
        purposes.isEmpty || purposes.contains(purpose)
    }
}

/// A daily window, in the recipient's local time, during which nothing is delivered.
///
/// JSON: `{"start": "21:00", "end": "07:00"}`; a window whose start is after its end spans
/// midnight. Deliveries due inside the window are held until it ends.
public struct QuietHours: Hashable, Sendable, Codable {
    /// Minutes after local midnight the window starts.
    public var startMinute: Int
    /// Minutes after local midnight the window ends.
    public var endMinute: Int

    /// Creates a window from minutes after midnight.
    public init(startMinute: Int, endMinute: Int) {
        self.startMinute = startMinute
        self.endMinute = endMinute
    }

    /// Parses `HH:mm`.
    public static func minute(of text: String) -> Int? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ $0.count == 2 && $0.allSatisfy(\.isASCII) }),
              let hour = Int(parts[0]), let minute = Int(parts[1]), (0..<24).contains(hour), (0..<60).contains(minute)
        else { return nil }
        return hour * 60 + minute
    }

    static func text(of minute: Int) -> String {
        String(format: "%02d:%02d", minute / 60, minute % 60)
    }

    private enum CodingKeys: String, CodingKey { case start, end }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let start = try container.decode(String.self, forKey: .start)
        let end = try container.decode(String.self, forKey: .end)
        guard let startMinute = Self.minute(of: start) else {
            throw DecodingError.dataCorruptedError(forKey: .start, in: container, debugDescription: "expected HH:mm")
        }
        guard let endMinute = Self.minute(of: end) else {
            throw DecodingError.dataCorruptedError(forKey: .end, in: container, debugDescription: "expected HH:mm")
        }
        self.init(startMinute: startMinute, endMinute: endMinute)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(Self.text(of: startMinute), forKey: .start)
        try container.encode(Self.text(of: endMinute), forKey: .end)
    }

    /// Whether the window is empty (start equals end).
    public var isEmpty: Bool { startMinute == endMinute }

    /// `date` itself when it is outside the window, else the moment the window ends (local time
    /// in `timeZone`, following daylight-saving changes).
    public func nextAllowed(after date: Date, in timeZone: TimeZone) -> Date {
        guard !isEmpty else { return date }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.hour, .minute], from: date)
        let minute = (parts.hour ?? 0) * 60 + (parts.minute ?? 0)
        let inside: Bool
        var endsTomorrow = false
        if startMinute < endMinute {
            inside = minute >= startMinute && minute < endMinute
        } else {
            inside = minute >= startMinute || minute < endMinute
            endsTomorrow = minute >= startMinute
        }
        guard inside else { return date }
        let day = calendar.startOfDay(for: date)
        let endDay = endsTomorrow ? (calendar.date(byAdding: .day, value: 1, to: day) ?? day) : day
        return calendar.date(bySettingHour: endMinute / 60, minute: endMinute % 60, second: 0, of: endDay)
            ?? date.addingTimeInterval(3600)
    }
}
