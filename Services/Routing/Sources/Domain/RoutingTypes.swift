import Foundation
import LeadModel

/// Where a lead sits: its owner, team, location, or a fallback queue.
public struct Placement: Hashable, Sendable, Codable {
    /// The salesperson who owns it.
    public var ownerId: String?
    /// The owner's team.
    public var teamId: String?
    /// The location it was sent to.
    public var locationId: String?
    /// The fallback queue it waits in, unassigned.
    public var queue: String?

    /// Creates a placement.
    public init(ownerId: String? = nil, teamId: String? = nil, locationId: String? = nil, queue: String? = nil) {
        self.ownerId = ownerId
        self.teamId = teamId
        self.locationId = locationId
        self.queue = queue
    }

    /// Nowhere yet.
    public static let none = Placement()
}

/// Whose response the SLA clock waits for.
public enum ResponseParty: String, Hashable, Sendable, Codable {
    /// The owner (a salesperson).
    case owner
    /// The location (its contacts).
    case location
}

/// A response target: who must acknowledge, and within how long.
public struct ResponseTarget: Hashable, Sendable {
    /// Who.
    public var party: ResponseParty
    /// Seconds from assignment.
    public var seconds: Int

    /// Creates a target.
    public init(party: ResponseParty, seconds: Int) {
        self.party = party
        self.seconds = seconds
    }
}

/// How quickly a member acknowledged the leads they were given: the measure score-weighted
/// routing ranks by.
public struct ResponderStats: Hashable, Sendable {
    /// Leads acknowledged.
    public var acknowledged: Int
    /// Sum of their response times.
    public var totalResponseSeconds: Double

    /// Creates statistics.
    public init(acknowledged: Int = 0, totalResponseSeconds: Double = 0) {
        self.acknowledged = acknowledged
        self.totalResponseSeconds = totalResponseSeconds
    }

    /// Mean response time, when there is at least one response.
    public var averageSeconds: Double? {
        acknowledged > 0 ? totalResponseSeconds / Double(acknowledged) : nil
    }
}

/// What a routing decision needs to know besides the configuration: the lead and what routing
/// must avoid for it.
public struct RoutingRequest: Sendable {
    /// The lead as routing knows it (score and priority set).
    public var lead: Lead
    /// The customer's coordinates (from the lead or its postal code), for distance-based territory.
    public var leadPoint: GeoPoint?
    /// Now, from the injected clock.
    public var now: Date
    /// Locations that rejected the lead or missed its response target.
    public var excludedLocations: Set<String>
    /// Members who missed its response target (or lost it to a rejection).
    public var excludedMembers: Set<String>
    /// An owner the lead itself names (entered by hand with an owner): honoured when able.
    public var namedOwnerId: String?
    /// Skip the rules and go straight to the platform fallback (too many re-routings).
    public var fallbackOnly: Bool

    /// Creates a request.
    public init(
        lead: Lead, leadPoint: GeoPoint? = nil, now: Date, excludedLocations: Set<String> = [],
        excludedMembers: Set<String> = [], namedOwnerId: String? = nil, fallbackOnly: Bool = false
    ) {
        self.lead = lead
        self.leadPoint = leadPoint
        self.now = now
        self.excludedLocations = excludedLocations
        self.excludedMembers = excludedMembers
        self.namedOwnerId = namedOwnerId
        self.fallbackOnly = fallbackOnly
    }
}

/// The changing state decisions read: the rotation position of each team, members' open leads
/// and their response statistics. The storage layer loads it under the teams' row locks.
public struct RoutingState: Sendable {
    /// For each team, the member who got its last lead.
    public var lastAssigned: [String: String]
    /// Open leads per member.
    public var openLeads: [String: Int]
    /// Response statistics per member.
    public var responders: [String: ResponderStats]

    /// Creates a state.
    public init(lastAssigned: [String: String] = [:], openLeads: [String: Int] = [:], responders: [String: ResponderStats] = [:]) {
        self.lastAssigned = lastAssigned
        self.openLeads = openLeads
        self.responders = responders
    }
}

/// What routing decided, and everything needed to explain it.
public struct RoutingDecision: Sendable, Hashable {
    /// Where the lead goes.
    public var placement: Placement
    /// The strategy that decided.
    public var strategy: AssignmentStrategy
    /// Everyone (and every location) considered, with why.
    public var candidates: [AssignmentCandidate]
    /// Why the winner won.
    public var reason: String
    /// Whether a fallback took the lead because the rules found nobody.
    public var isFallback: Bool
    /// Who must respond by when (nil: nobody, e.g. a queue).
    public var responseTarget: ResponseTarget?
    /// The team whose rotation moves to the winner.
    public var rotation: RotationAdvance?
    /// Teams whose rotation and members' load the decision read (they must be locked).
    public var consultedTeams: Set<String>
}

/// A team's rotation moving to the member who got the lead.
public struct RotationAdvance: Hashable, Sendable {
    /// The team.
    public var teamId: String
    /// The member who got the lead.
    public var memberId: String
}
