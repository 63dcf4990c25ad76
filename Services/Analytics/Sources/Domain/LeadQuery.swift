import Foundation
import LeadModel
import LeadServiceKit

/// A lead-list request: filters, search, page size and position, parsed from query parameters.
///
/// | parameter | meaning |
/// |---|---|
/// | `status`, `stage`, `priority`, `source`, `owner`, `location`, `team` | comma-separated values; any of them matches |
/// | `createdFrom`, `createdTo` | creation range (`createdFrom` inclusive, `createdTo` exclusive); RFC 3339 or `YYYY-MM-DD` |
/// | `hasVehicle` | `true`/`false`: has (no) vehicle of interest |
/// | `overdue` | `true`/`false`: an obligation (response SLA, task, follow-up) has (not) passed |
/// | `appointmentToday` | `true`: has an appointment today (in `tz`, default the service's time zone) |
/// | `q` | search in names, e-mail addresses and phone numbers (prefix matching, all words) |
/// | `mine` | `true`: leads the caller owns or collaborates on |
/// | `includeTest` | `true`: include test leads (left out by default) |
/// | `limit` | page size, 1–200 (default 50) |
/// | `cursor` | the `nextCursor` of the previous page |
public struct LeadQuery: Hashable, Sendable {
    public var statuses: [String] = []
    public var stages: [LifecycleStage] = []
    public var priorities: [Priority] = []
    public var sources: [String] = []
    public var owners: [String] = []
    public var locations: [String] = []
    public var teams: [String] = []
    public var createdFrom: Date?
    public var createdTo: Date?
    public var hasVehicle: Bool?
    public var overdue: Bool?
    public var appointmentToday: Bool?
    public var timeZone: TimeZone?
    public var search: String?
    public var mine: Bool = false
    public var includeTest: Bool = false
    public var limit: Int = 50
    public var cursor: String?

    /// The parameters this query understands.
    public static let parameters: Set<String> = [
        "status", "stage", "priority", "source", "owner", "location", "team", "createdFrom", "createdTo",
        "hasVehicle", "overdue", "appointmentToday", "tz", "q", "mine", "includeTest", "limit", "cursor",
    ]

    /// An empty query (every lead the caller may see, newest first).
    public init() {}

    /// Parses query parameters.
    /// - Throws: ``Problem`` 400 `invalid_parameter` / `unknown_parameter` naming the parameter.
    public init(parameters: [(String, String)]) throws {
        self.init()
        var seen: Set<String> = []
        for (name, value) in parameters {
            guard Self.parameters.contains(name) else {
                throw Problem(status: .badRequest, code: "unknown_parameter", detail: "unknown parameter '\(name.prefix(60))'", field: String(name.prefix(60)))
            }
            guard seen.insert(name).inserted else {
                throw Problem(status: .badRequest, code: "invalid_parameter", detail: "'\(name)' is given twice", field: name, rule: "single")
            }
            guard value.utf8.count <= 1000 else {
                throw Problem(status: .badRequest, code: "invalid_parameter", detail: "'\(name)' is too long", field: name, rule: "max_length")
            }
            switch name {
            case "status": statuses = try Self.list(name, value) { $0 }
            case "stage": stages = try Self.list(name, value, LifecycleStage.init(rawValue:))
            case "priority": priorities = try Self.list(name, value, Priority.init(rawValue:))
            case "source": sources = try Self.list(name, value) { $0 }
            case "owner": owners = try Self.list(name, value) { $0 }
            case "location": locations = try Self.list(name, value) { $0 }
            case "team": teams = try Self.list(name, value) { $0 }
            case "createdFrom": createdFrom = try QueryValues.date(name, value)
            case "createdTo": createdTo = try QueryValues.date(name, value)
            case "hasVehicle": hasVehicle = try QueryValues.bool(name, value)
            case "overdue": overdue = try QueryValues.bool(name, value)
            case "appointmentToday": appointmentToday = try QueryValues.bool(name, value)
            case "tz": timeZone = try QueryValues.timeZone(name, value)
            case "q":
                let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
                search = trimmed.isEmpty ? nil : trimmed
            case "mine": mine = try QueryValues.bool(name, value)
            case "includeTest": includeTest = try QueryValues.bool(name, value)
            case "limit":
                guard let limit = Int(value), (1...200).contains(limit) else {
                    throw Problem(status: .badRequest, code: "invalid_parameter", detail: "limit must be 1–200", field: name, rule: "range")
                }
                self.limit = limit
            case "cursor": cursor = value
            default: break
            }
        }
        if let from = createdFrom, let to = createdTo, from >= to {
            throw Problem(status: .badRequest, code: "invalid_parameter", detail: "createdFrom must be before createdTo",
                          field: "createdFrom", rule: "order")
        }
    }

    /// A fingerprint of everything but the page position, binding a cursor to its query and caller.
    public func fingerprint(principal: Principal) -> String {
        func date(_ value: Date?) -> String { value.map(LeadflowJSON.formatDate) ?? "" }
        func flag(_ value: Bool?) -> String { value.map { $0 ? "1" : "0" } ?? "" }
        let parts: [String] = [
            principal.description, principal.scope.locationIds.sorted().joined(separator: ","),
            principal.scope.teamIds.sorted().joined(separator: ","),
            statuses.joined(separator: ","), stages.map(\.rawValue).joined(separator: ","),
            priorities.map(\.rawValue).joined(separator: ","), sources.joined(separator: ","), owners.joined(separator: ","),
            locations.joined(separator: ","), teams.joined(separator: ","), date(createdFrom), date(createdTo),
            flag(hasVehicle), flag(overdue), flag(appointmentToday), timeZone?.identifier ?? "", search ?? "",
            flag(mine), flag(includeTest),
        ]
        return String(Signer.sha256Hex(parts.joined(separator: "\u{1F}")).prefix(24))
    }

    private static func list<T>(_ name: String, _ value: String, _ parse: (String) -> T?) throws -> [T] {
        let items = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !items.isEmpty, items.count <= 50 else {
            throw Problem(status: .badRequest, code: "invalid_parameter", detail: "'\(name)' needs 1–50 comma-separated values", field: name, rule: "list")
        }
        return try items.map { item in
            guard let parsed = parse(item) else {
                throw Problem(status: .badRequest, code: "invalid_parameter", detail: "'\(item.prefix(60))' is not a valid \(name)", field: name, rule: "enum")
            }
            return parsed
        }
    }
}

/// Parsing of single query-parameter values into typed values, with problems naming the parameter.
public enum QueryValues {
    /// `true`/`false`/`1`/`0`.
    public static func bool(_ name: String, _ value: String) throws -> Bool {
        switch value.lowercased() {
        case "true", "1", "yes": return true
        case "false", "0", "no": return false
        default: throw Problem(status: .badRequest, code: "invalid_parameter", detail: "'\(name)' must be true or false", field: name, rule: "boolean")
        }
    }

    /// An RFC 3339 date-time or a `YYYY-MM-DD` day (midnight UTC).
    public static func date(_ name: String, _ value: String) throws -> Date {
        if let date = LeadflowJSON.parseDate(value) { return date }
        if value.count == 10, let date = LeadflowJSON.parseDate(value + "T00:00:00Z") { return date }
        throw Problem(status: .badRequest, code: "invalid_parameter", detail: "'\(name)' must be an RFC 3339 date-time or YYYY-MM-DD",
                      field: name, rule: "date")
    }

    /// An IANA time zone.
    public static func timeZone(_ name: String, _ value: String) throws -> TimeZone {
        guard value.count <= 64, let zone = TimeZone(identifier: value) else {
            throw Problem(status: .badRequest, code: "invalid_parameter", detail: "'\(name)' must be an IANA time zone", field: name, rule: "timezone")
        }
        return zone
    }

    /// The start of the day holding `now` in `zone`, and the start of the next day.
    public static func day(of now: Date, in zone: TimeZone) -> (start: Date, end: Date) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let start = calendar.startOfDay(for: now)
        return (start, calendar.date(byAdding: .day, value: 1, to: start) ?? start.addingTimeInterval(86_400))
    }
}

/// Where a page of the lead list ends: the last lead's sort key, bound to the query.
public struct LeadCursor: Codable, Hashable, Sendable {
    /// The last lead's creation time.
    public var createdAt: Date
    /// The last lead's id.
    public var leadId: LeadID
    /// The query fingerprint (see ``LeadQuery/fingerprint(principal:)``).
    public var query: String
}
