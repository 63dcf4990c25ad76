import LeadModel

/// The facts about a lead that decide who may see and change it.
public struct LeadAccessFacts: Sendable, Hashable {
    /// The location the lead was sent to.
    public var locationId: String?
    /// The team that works it.
    public var teamId: String?
    /// Its owner.
    public var ownerId: String?
    /// Its collaborators.
    public var collaborators: [String]
    /// The source it came from.
    public var sourceId: String?

    /// Creates the facts.
    public init(
        locationId: String? = nil, teamId: String? = nil, ownerId: String? = nil,
        collaborators: [String] = [], sourceId: String? = nil
    ) {
        self.locationId = locationId
        self.teamId = teamId
        self.ownerId = ownerId
        self.collaborators = collaborators
        self.sourceId = sourceId
    }

    /// The facts of a lead snapshot (the team is not part of a lead record; pass it if known).
    public init(lead: Lead, teamId: String? = nil) {
        self.init(
            locationId: lead.locationId, teamId: teamId, ownerId: lead.ownerId,
            collaborators: lead.collaborators, sourceId: lead.source.id)
    }
}

/// Which leads a principal may see in a list or report: the filter every query applies, so a
/// response never contains a lead out of scope (filtering, not only checking).
public enum LeadFilter: Sendable, Hashable {
    /// Every lead (platform admin).
    case all
    /// Leads of these locations or teams (manager).
    case scoped(locationIds: Set<String>, teamIds: Set<String>)
    /// Leads the member owns or collaborates on (salesperson).
    case personal(memberId: String)
    /// No lead at all.
    case nothing

    /// Whether a lead with `facts` passes the filter.
    public func admits(_ facts: LeadAccessFacts) -> Bool {
        switch self {
        case .all:
            return true
        case .scoped(let locations, let teams):
            return facts.locationId.map(locations.contains) == true || facts.teamId.map(teams.contains) == true
        case .personal(let memberId):
            return facts.ownerId == memberId || facts.collaborators.contains(memberId)
        case .nothing:
            return false
        }
    }
}

/// What an endpoint needs from its caller. Every HTTP endpoint of every service names one.
public enum Permission: Sendable, Hashable {
    /// Submit leads for `sourceId` (nil: any source the caller may use; manual entry).
    case submitLeads(sourceId: String?)
    /// Read one lead (detail, timeline, score explanation).
    case readLead(LeadAccessFacts)
    /// Change one lead (lifecycle commands).
    case changeLead(LeadAccessFacts)
    /// List leads (the list is then filtered with ``Principal/leadFilter``).
    case listLeads
    /// Read reports; `personalData` when the report names people (hot sheet, lead lists).
    case readReports(personalData: Bool)
    /// Change platform configuration (scoring rules, templates, subscriptions).
    case administer
    /// Change the routing configuration of a location or team (nil: platform-wide).
    case configureRouting(locationId: String?, teamId: String?)
    /// Operate sources and API keys.
    case manageSources
}

extension Principal {
    /// The leads this principal may see in lists and reports.
    public var leadFilter: LeadFilter {
        switch role {
        case .platformAdmin: .all
        case .manager: .scoped(locationIds: scope.locationIds, teamIds: scope.teamIds)
        case .salesperson: .personal(memberId: id)
        case .locationContact, .integrationSource, .downstreamReader, .customer, .system: .nothing
        }
    }

    /// Whether the principal holds `permission`.
    public func holds(_ permission: Permission) -> Bool {
        if role == .platformAdmin { return true }
        switch permission {
        case .submitLeads(let sourceId):
            switch role {
            case .integrationSource: return sourceId.map(scope.sourceIds.contains) ?? !scope.sourceIds.isEmpty
            case .manager, .salesperson: return sourceId == nil
            default: return false
            }
        case .readLead(let facts), .changeLead(let facts):
            return leadFilter.admits(facts)
        case .listLeads:
            return role == .manager || role == .salesperson
        case .readReports(let personalData):
            switch role {
            case .manager: return true
            case .downstreamReader: return !personalData
            default: return false
            }
        case .administer, .manageSources:
            return false
        case .configureRouting(let locationId, let teamId):
            guard role == .manager else { return false }
            if let locationId, scope.locationIds.contains(locationId) { return true }
            if let teamId, scope.teamIds.contains(teamId) { return true }
            return false
        }
    }

    /// Throws 403 (problem `forbidden`) unless the principal holds `permission`.
    ///
    /// For a single lead use ``requireLead(_:change:)`` instead: it answers 404, so a caller
    /// cannot learn that a lead it may not see exists.
    public func require(_ permission: Permission) throws {
        guard holds(permission) else {
            throw Problem(status: .forbidden, code: "forbidden",
                          detail: "\(role.rawValue) may not do this")
        }
    }

    /// Throws 404 (problem `not_found`) unless the principal may read (or, with `change`,
    /// change) the lead with `facts`; 403 when its role may never touch single leads.
    public func requireLead(_ facts: LeadAccessFacts, change: Bool = false) throws {
        switch role {
        case .platformAdmin, .manager, .salesperson:
            guard holds(change ? .changeLead(facts) : .readLead(facts)) else {
                throw Problem.notFound("no such lead")
            }
        case .locationContact, .integrationSource, .downstreamReader, .customer, .system:
            throw Problem(status: .forbidden, code: "forbidden", detail: "\(role.rawValue) may not access single leads")
        }
    }
}
