import Foundation
import LeadModel

/// Who is calling: an authenticated person or system, its role, and the part of the data it
/// may reach.
///
/// | role | may |
/// |---|---|
/// | `platform_admin` | everything |
/// | `manager` | leads, reports and configuration of its locations and/or teams |
/// | `salesperson` | the leads it owns or collaborates on |
/// | `location_contact` | nothing with a token: it acts only through signed action links |
/// | `integration_source` | submit leads for its own source (intake only) |
/// | `downstream_reader` | aggregate reports without personal data |
public struct Principal: Sendable, Hashable, CustomStringConvertible {
    /// The principal's id: a member id, a source id, a service account name.
    public var id: String
    /// Its role.
    public var role: Actor.Role
    /// What it is limited to.
    public var scope: AccessScope

    /// Creates a principal.
    public init(id: String, role: Actor.Role, scope: AccessScope = AccessScope()) {
        self.id = id
        self.role = role
        self.scope = scope
    }

    /// The actor recorded on every event this principal causes.
    public var actor: Actor { Actor(id: id, role: role) }

    /// `role:id` (never a credential).
    public var description: String { "\(role.rawValue):\(id)" }
}

/// The locations, teams and sources a principal is limited to.
public struct AccessScope: Sendable, Hashable, Codable {
    /// Locations (dealers, branches) a manager oversees.
    public var locationIds: Set<String>
    /// Teams a manager oversees.
    public var teamIds: Set<String>
    /// The sources an integration may submit for.
    public var sourceIds: Set<String>

    /// Creates a scope.
    public init(locationIds: Set<String> = [], teamIds: Set<String> = [], sourceIds: Set<String> = []) {
        self.locationIds = locationIds
        self.teamIds = teamIds
        self.sourceIds = sourceIds
    }

    /// Whether the scope names nothing.
    public var isEmpty: Bool { locationIds.isEmpty && teamIds.isEmpty && sourceIds.isEmpty }

    /// Parses `location:loc-1,team:t-2,source:src-3` (the `leadctl token issue --scope` syntax).
    /// - Throws: ``Problem`` naming the part that is not `kind:id`.
    public init(parsing text: String) throws {
        self.init()
        for part in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !part.isEmpty {
            let pieces = part.split(separator: ":", maxSplits: 1).map(String.init)
            guard pieces.count == 2, !pieces[1].isEmpty else {
                throw Problem(status: .badRequest, code: "invalid_scope", detail: "scope part '\(part)' is not kind:id")
            }
            switch pieces[0] {
            case "location": locationIds.insert(pieces[1])
            case "team": teamIds.insert(pieces[1])
            case "source": sourceIds.insert(pieces[1])
            default:
                throw Problem(status: .badRequest, code: "invalid_scope",
                              detail: "scope kind '\(pieces[0])' is not location, team or source")
            }
        }
    }
}
