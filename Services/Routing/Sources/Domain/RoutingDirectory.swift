import Foundation
import LeadModel

/// The whole routing configuration, indexed for decisions: a value the domain core reads and
/// never changes.
public struct RoutingDirectory: Sendable {
    /// Platform settings.
    public let settings: RoutingSettings
    /// Locations by id.
    public let locations: [String: Location]
    /// Teams by id.
    public let teams: [String: Team]
    /// Members by id.
    public let members: [String: Member]
    /// Active locations in id order.
    public let activeLocations: [Location]
    private let teamsByLocation: [String: [Team]]
    private let centralTeams: [Team]
    private let membersByTeam: [String: [Member]]
    private let aliasIndex: [String: String]

    /// Indexes a configuration.
    public init(settings: RoutingSettings = RoutingSettings(), locations: [Location] = [], teams: [Team] = [], members: [Member] = []) {
        self.settings = settings
        self.locations = Dictionary(locations.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        self.teams = Dictionary(teams.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        self.members = Dictionary(members.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        activeLocations = locations.filter(\.active).sorted { $0.id < $1.id }
        let ordered = teams.filter(\.active).sorted { ($0.priority, $0.id) < ($1.priority, $1.id) }
        teamsByLocation = Dictionary(grouping: ordered.filter { $0.locationId != nil }, by: { $0.locationId! })
        centralTeams = ordered.filter { $0.locationId == nil }
        membersByTeam = Dictionary(grouping: members.filter(\.active).sorted { $0.id < $1.id }, by: \.teamId)
        var aliases: [String: String] = [:]
        for location in locations.sorted(by: { $0.id < $1.id }) {
            for name in [location.id] + location.aliases {
                let key = Self.normalizedAlias(name)
                if !key.isEmpty, aliases[key] == nil { aliases[key] = location.id }
            }
        }
        aliasIndex = aliases
    }

    /// The active teams of a location, in routing order (priority, then id).
    public func teams(at locationId: String) -> [Team] { teamsByLocation[locationId] ?? [] }

    /// The active teams without a location, in routing order.
    public var teamsWithoutLocation: [Team] { centralTeams }

    /// The active members of a team, in id order (the rotation order).
    public func members(of teamId: String) -> [Member] { membersByTeam[teamId] ?? [] }

    /// The location a reference names: its id or one of its aliases (case and spacing ignored).
    public func location(named reference: String) -> Location? {
        aliasIndex[Self.normalizedAlias(reference)].flatMap { locations[$0] }
    }

    /// Whether any active location is placed on the map (so a lead's coordinates are worth looking up).
    public var usesDistance: Bool { activeLocations.contains { $0.geo != nil } }

    /// Lower case with runs of whitespace collapsed.
    static func normalizedAlias(_ text: String) -> String {
        text.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }
}
