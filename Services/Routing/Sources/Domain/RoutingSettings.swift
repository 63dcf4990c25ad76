import LeadModel

/// Platform-wide routing settings (one record, platform admins only).
public struct RoutingSettings: Hashable, Sendable, Codable {
    /// Where a lead goes when every rule and fallback found nobody (default: the `unassigned` queue).
    public var fallback: FallbackTarget
    /// A location's time to acknowledge when it sets none (default 24 h).
    public var locationResponseSlaSeconds: Int
    /// An owner's time to acknowledge a lead that is not Hot when their team sets none (default 24 h).
    public var ownerResponseSlaSeconds: Int
    /// An owner's time to acknowledge a Hot lead when their team sets none (default 5 min).
    public var hotResponseSlaSeconds: Int
    /// Pipeline statuses that close a lead (freeing its owner's capacity), besides any status
    /// that carries a lost reason.
    public var closedStatuses: [PipelineStatus]
    /// Most automatic re-routings of one lead (rejections and missed SLAs); past it the lead goes
    /// to the fallback and stays there.
    public var maxReroutes: Int

    /// The defaults.
    public init(
        fallback: FallbackTarget = .queue("unassigned"), locationResponseSlaSeconds: Int = 86_400,
        ownerResponseSlaSeconds: Int = 86_400, hotResponseSlaSeconds: Int = 300,
        closedStatuses: [PipelineStatus] = [.closedWon, .closedLost], maxReroutes: Int = 10
    ) {
        self.fallback = fallback
        self.locationResponseSlaSeconds = locationResponseSlaSeconds
        self.ownerResponseSlaSeconds = ownerResponseSlaSeconds
        self.hotResponseSlaSeconds = hotResponseSlaSeconds
        self.closedStatuses = closedStatuses
        self.maxReroutes = maxReroutes
    }

    private enum CodingKeys: String, CodingKey {
        case fallback, locationResponseSlaSeconds, ownerResponseSlaSeconds, hotResponseSlaSeconds, closedStatuses, maxReroutes
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = RoutingSettings()
        self.init(
            fallback: try c.decodeIfPresent(FallbackTarget.self, forKey: .fallback) ?? defaults.fallback,
            locationResponseSlaSeconds: try c.decodeIfPresent(Int.self, forKey: .locationResponseSlaSeconds)
                ?? defaults.locationResponseSlaSeconds,
            ownerResponseSlaSeconds: try c.decodeIfPresent(Int.self, forKey: .ownerResponseSlaSeconds)
                ?? defaults.ownerResponseSlaSeconds,
            hotResponseSlaSeconds: try c.decodeIfPresent(Int.self, forKey: .hotResponseSlaSeconds)
                ?? defaults.hotResponseSlaSeconds,
            closedStatuses: try c.decodeIfPresent([PipelineStatus].self, forKey: .closedStatuses) ?? defaults.closedStatuses,
            maxReroutes: try c.decodeIfPresent(Int.self, forKey: .maxReroutes) ?? defaults.maxReroutes)
    }
}
