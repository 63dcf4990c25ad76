/// How a team orders the members able to take a lead.
public enum MemberStrategy: String, Hashable, Sendable, Codable, CaseIterable {
    /// The next member in rotation (fair: every member gets a turn in id order).
    case roundRobin = "round_robin"
    /// Like round robin, but Hot leads rotate only among the team's best responders.
    case scoreWeighted = "score_weighted"
    /// The member with the most room under their capacity; rotation breaks ties.
    case leastLoaded = "least_loaded"
}

/// A team's routing rule: its strategy, which filters apply, its response targets and fallbacks.
public struct TeamRule: Hashable, Sendable, Codable {
    /// How eligible members are ordered.
    public var strategy: MemberStrategy
    /// Prefer members whose vehicle types and price ranges match the lead (members with no
    /// skills configured are generalists and take anything).
    public var matchSpecialization: Bool
    /// Only members online and within their working hours.
    public var requireAvailability: Bool
    /// With `score_weighted`: how many of the best responders share Hot leads (nil: the better half).
    public var bestResponders: Int?
    /// How long an owner has to acknowledge a lead (nil: the platform default).
    public var responseSlaSeconds: Int?
    /// How long an owner has to acknowledge a Hot lead (nil: the platform default, 5 minutes).
    public var hotResponseSlaSeconds: Int?
    /// Where the lead goes when no member can take it.
    public var fallbacks: [FallbackTarget]

    /// Creates a rule.
    public init(
        strategy: MemberStrategy = .roundRobin, matchSpecialization: Bool = true, requireAvailability: Bool = true,
        bestResponders: Int? = nil, responseSlaSeconds: Int? = nil, hotResponseSlaSeconds: Int? = nil,
        fallbacks: [FallbackTarget] = []
    ) {
        self.strategy = strategy
        self.matchSpecialization = matchSpecialization
        self.requireAvailability = requireAvailability
        self.bestResponders = bestResponders
        self.responseSlaSeconds = responseSlaSeconds
        self.hotResponseSlaSeconds = hotResponseSlaSeconds
        self.fallbacks = fallbacks
    }

    private enum CodingKeys: String, CodingKey {
        case strategy, matchSpecialization, requireAvailability, bestResponders, responseSlaSeconds
        case hotResponseSlaSeconds, fallbacks
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            strategy: try c.decodeIfPresent(MemberStrategy.self, forKey: .strategy) ?? .roundRobin,
            matchSpecialization: try c.decodeIfPresent(Bool.self, forKey: .matchSpecialization) ?? true,
            requireAvailability: try c.decodeIfPresent(Bool.self, forKey: .requireAvailability) ?? true,
            bestResponders: try c.decodeIfPresent(Int.self, forKey: .bestResponders),
            responseSlaSeconds: try c.decodeIfPresent(Int.self, forKey: .responseSlaSeconds),
            hotResponseSlaSeconds: try c.decodeIfPresent(Int.self, forKey: .hotResponseSlaSeconds),
            fallbacks: try c.decodeIfPresent([FallbackTarget].self, forKey: .fallbacks) ?? [])
    }
}

/// A group of salespeople sharing leads under one rule, at a location or (without one) for leads
/// no location takes.
public struct Team: Hashable, Sendable, Codable, Identifiable {
    /// `team-…`.
    public var id: String
    /// Display name.
    public var name: String
    /// The location it works for; nil for a central team (leads no location takes).
    public var locationId: String?
    /// Order among the location's teams (lower first; ties by id).
    public var priority: Int
    /// Its routing rule.
    public var rule: TeamRule
    /// Whether it receives leads.
    public var active: Bool

    /// Creates a team.
    public init(id: String, name: String, locationId: String? = nil, priority: Int = 0, rule: TeamRule = TeamRule(), active: Bool = true) {
        self.id = id
        self.name = name
        self.locationId = locationId
        self.priority = priority
        self.rule = rule
        self.active = active
    }

    private enum CodingKeys: String, CodingKey { case id, name, locationId, priority, rule, active }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            id: try c.decodeIfPresent(String.self, forKey: .id) ?? "",
            name: try c.decode(String.self, forKey: .name),
            locationId: try c.decodeIfPresent(String.self, forKey: .locationId),
            priority: try c.decodeIfPresent(Int.self, forKey: .priority) ?? 0,
            rule: try c.decodeIfPresent(TeamRule.self, forKey: .rule) ?? TeamRule(),
            active: try c.decodeIfPresent(Bool.self, forKey: .active) ?? true)
    }
}
