import Foundation
import LeadModel

/// A price band a member specializes in; either end may be open. Compared only with prices in
/// the same currency.
public struct PriceRange: Hashable, Sendable, Codable, CustomStringConvertible {
    /// Lowest price (inclusive).
    public var min: Decimal?
    /// Highest price (inclusive).
    public var max: Decimal?
    /// ISO 4217 currency.
    public var currency: String

    /// Creates a range.
    public init(min: Decimal? = nil, max: Decimal? = nil, currency: String = "USD") {
        self.min = min
        self.max = max
        self.currency = currency
    }

    /// Whether `price` falls in the range.
    public func contains(_ price: Money) -> Bool {
        guard price.currency.uppercased() == currency.uppercased() else { return false }
        if let min, price.amount < min { return false }
        if let max, price.amount > max { return false }
        return true
    }

    public var description: String {
        "\(min.map { "\($0)" } ?? "0")–\(max.map { "\($0)" } ?? "∞") \(currency)"
    }

    private enum CodingKeys: String, CodingKey { case min, max, currency }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        min = try Self.decodeAmount(c, .min)
        max = try Self.decodeAmount(c, .max)
        currency = try c.decodeIfPresent(String.self, forKey: .currency) ?? "USD"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(min?.description, forKey: .min)
        try c.encodeIfPresent(max?.description, forKey: .max)
        try c.encode(currency, forKey: .currency)
    }

    /// Amounts are exact decimal strings (`"30000"`), like ``Money``; JSON numbers are accepted too.
    private static func decodeAmount(_ c: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys) throws -> Decimal? {
        guard c.contains(key), try !c.decodeNil(forKey: key) else { return nil }
        if let text = try? c.decode(String.self, forKey: key) {
            guard let money = Money(text) else {
                throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "not a decimal amount")
            }
            return money.amount
        }
        return try c.decode(Decimal.self, forKey: key)
    }
}

/// What a member specializes in; empty lists mean a generalist for that dimension.
public struct MemberSkills: Hashable, Sendable, Codable {
    /// Normalized vehicle types (`suv`, `truck`, `ev`…), lower case.
    public var vehicleTypes: [String]
    /// Price bands.
    public var priceRanges: [PriceRange]

    /// Creates skills.
    public init(vehicleTypes: [String] = [], priceRanges: [PriceRange] = []) {
        self.vehicleTypes = vehicleTypes
        self.priceRanges = priceRanges
    }

    /// Whether nothing is configured (a generalist).
    public var isEmpty: Bool { vehicleTypes.isEmpty && priceRanges.isEmpty }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        vehicleTypes = try c.decodeIfPresent([String].self, forKey: .vehicleTypes) ?? []
        priceRanges = try c.decodeIfPresent([PriceRange].self, forKey: .priceRanges) ?? []
    }

    private enum CodingKeys: String, CodingKey { case vehicleTypes, priceRanges }
}

/// A salesperson who can own leads.
public struct Member: Hashable, Sendable, Codable, Identifiable {
    /// `member-…` (also the id of their tokens' principal, so they can see the leads they own).
    public var id: String
    /// The team they work in.
    public var teamId: String
    /// Name.
    public var name: String
    /// E-mail address.
    public var email: String?
    /// Phone number.
    public var phone: String?
    /// Specialization.
    public var skills: MemberSkills
    /// IANA time zone their working hours are read in.
    public var timeZone: String
    /// Weekly shifts; empty: any hour.
    public var workingHours: [WorkingPeriod]
    /// Whether they are online now (set by them or their manager).
    public var online: Bool
    /// Most open leads they may own at once (nil: no cap).
    public var capacity: Int?
    /// Whether they receive leads at all.
    public var active: Bool

    /// Creates a member.
    public init(
        id: String, teamId: String, name: String, email: String? = nil, phone: String? = nil,
        skills: MemberSkills = MemberSkills(), timeZone: String = "UTC", workingHours: [WorkingPeriod] = [],
        online: Bool = true, capacity: Int? = nil, active: Bool = true
    ) {
        self.id = id
        self.teamId = teamId
        self.name = name
        self.email = email
        self.phone = phone
        self.skills = skills
        self.timeZone = timeZone
        self.workingHours = workingHours
        self.online = online
        self.capacity = capacity
        self.active = active
    }

    /// Their working schedule (UTC when the time zone is unknown; the admin API refuses those).
    public var schedule: WorkingSchedule {
        WorkingSchedule(timeZone: TimeZone(identifier: timeZone) ?? TimeZone(identifier: "UTC")!, periods: workingHours)
    }

    private enum CodingKeys: String, CodingKey {
        case id, teamId, name, email, phone, skills, timeZone, workingHours, online, capacity, active
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            id: try c.decodeIfPresent(String.self, forKey: .id) ?? "",
            teamId: try c.decode(String.self, forKey: .teamId),
            name: try c.decode(String.self, forKey: .name),
            email: try c.decodeIfPresent(String.self, forKey: .email),
            phone: try c.decodeIfPresent(String.self, forKey: .phone),
            skills: try c.decodeIfPresent(MemberSkills.self, forKey: .skills) ?? MemberSkills(),
            timeZone: try c.decodeIfPresent(String.self, forKey: .timeZone) ?? "UTC",
            workingHours: try c.decodeIfPresent([WorkingPeriod].self, forKey: .workingHours) ?? [],
            online: try c.decodeIfPresent(Bool.self, forKey: .online) ?? true,
            capacity: try c.decodeIfPresent(Int.self, forKey: .capacity),
            active: try c.decodeIfPresent(Bool.self, forKey: .active) ?? true)
    }
}
