/// Where a lead goes when its rule finds nobody: tried in order until one takes it.
///
/// JSON: `{"kind": "member", "id": "member-ann"}`, `{"kind": "team", "id": "team-bdc"}`,
/// `{"kind": "location", "id": "loc-hq"}` or `{"kind": "queue", "id": "unassigned"}`.
public enum FallbackTarget: Hashable, Sendable, Codable, CustomStringConvertible {
    /// This member owns the lead whatever their availability or load (never lost).
    case member(String)
    /// Route within this team with its own rule (filters apply).
    case team(String)
    /// Send the lead to this location: its first team able to take it, else the location itself.
    case location(String)
    /// Park the lead in this named queue, unassigned, for a person to pick up.
    case queue(String)

    /// The wire names of the kinds.
    public enum Kind: String, Hashable, Sendable, Codable, CaseIterable {
        case member, team, location, queue
    }

    /// This target's kind.
    public var kind: Kind {
        switch self {
        case .member: .member
        case .team: .team
        case .location: .location
        case .queue: .queue
        }
    }

    /// The id of the member, team or location, or the queue's name.
    public var id: String {
        switch self {
        case .member(let id), .team(let id), .location(let id), .queue(let id): id
        }
    }

    /// Creates a target of `kind` with `id`.
    public init(kind: Kind, id: String) {
        switch kind {
        case .member: self = .member(id)
        case .team: self = .team(id)
        case .location: self = .location(id)
        case .queue: self = .queue(id)
        }
    }

    public var description: String { "\(kind.rawValue) \(id)" }

    private enum CodingKeys: String, CodingKey { case kind, id }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(kind: try container.decode(Kind.self, forKey: .kind), id: try container.decode(String.self, forKey: .id))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(kind, forKey: .kind)
        try container.encode(id, forKey: .id)
    }
}
