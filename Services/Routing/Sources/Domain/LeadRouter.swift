import Foundation
import LeadModel

/// The routing decision, pure: location first (named by the lead, else territory), then the
/// location's teams in order with each team's rule, then fallbacks, and never nowhere — when
/// everything fails the lead is parked in a queue and reported.
public struct LeadRouter: Sendable {
    /// The configuration decisions read.
    public let directory: RoutingDirectory

    /// Creates a router over `directory`.
    public init(directory: RoutingDirectory) {
        self.directory = directory
    }

    /// Decides where `request`'s lead goes given `state`.
    public func route(_ request: RoutingRequest, state: RoutingState) -> RoutingDecision {
        var run = Run(directory: directory, request: request, state: state, facts: LeadFacts(request.lead))
        return run.decide()
    }

    /// One decision in progress: collects candidates and the teams it read.
    struct Run {
        let directory: RoutingDirectory
        let request: RoutingRequest
        let state: RoutingState
        let facts: LeadFacts
        var candidates: [AssignmentCandidate] = []
        var consulted: Set<String> = []
        var notes: [String] = []
        /// The location chosen for the lead: a queue it ends in stays attached to it, so that
        /// location's managers see and assign it.
        var home: String?

        mutating func decide() -> RoutingDecision {
            if request.fallbackOnly {
                return fallback([], because: "re-routed too often")
            }
            if let named = namedOwner() { return named }

            let selection = LocationSelector.select(
                facts: facts, point: request.leadPoint ?? facts.point, directory: directory,
                excluded: request.excludedLocations)
            candidates += selection.candidates
            if !selection.unknownReferences.isEmpty {
                notes.append("the lead names \(selection.unknownReferences.map { "\"\($0.prefix(80))\"" }.joined(separator: ", ")), no configured location")
            }
            if let location = selection.location, let explanation = selection.explanation {
                home = location.id
                if let decision = place(at: location, isFallback: false, origin: explanation) { return decision }
                let teamFallbacks = directory.teams(at: location.id).flatMap(\.rule.fallbacks)
                return fallback(teamFallbacks + location.fallbacks, because: "nobody at location \(location.id) can take the lead")
            }
            let central = directory.teamsWithoutLocation
            for team in central {
                if let decision = assign(in: team, isFallback: false, origin: "no location covers the lead; central team \(team.id)") {
                    return decision
                }
            }
            let why = central.isEmpty ? "no location covers the lead and there is no central team" : "no location covers the lead and no central team member can take it"
            return fallback(central.flatMap(\.rule.fallbacks), because: why)
        }

        /// The owner the lead names, when they are an active member who may take it.
        mutating func namedOwner() -> RoutingDecision? {
            guard let id = request.namedOwnerId, let member = directory.members[id] else { return nil }
            guard member.active, !request.excludedMembers.contains(id) else {
                candidates.append(.init(memberId: id, eligible: false, reason: "named on the lead but inactive or excluded"))
                return nil
            }
            candidates.append(.init(memberId: id, eligible: true, reason: "chosen: named as the owner on the lead"))
            let team = directory.teams[member.teamId]
            let placement = Placement(ownerId: id, teamId: member.teamId, locationId: team?.locationId)
            return decision(placement, strategy: .manual, reason: "the lead names \(id) as its owner", isFallback: false, rotation: nil)
        }

        /// Sends the lead to `location`: its first team with a member able to take it, or the
        /// location itself when it has no teams. Nil when it has teams and none can.
        mutating func place(at location: Location, isFallback: Bool, origin: String) -> RoutingDecision? {
            let teams = directory.teams(at: location.id)
            guard !teams.isEmpty else {
                let placement = Placement(locationId: location.id)
                return decision(placement, strategy: isFallback ? .fallback : .territory,
                                reason: "\(origin); the location has no teams, so its contacts receive the lead",
                                isFallback: isFallback, rotation: nil)
            }
            for team in teams {
                if let decision = assign(in: team, isFallback: isFallback, origin: origin) { return decision }
            }
            return nil
        }

        /// The member of `team` who takes the lead, if any.
        mutating func assign(in team: Team, isFallback: Bool, origin: String) -> RoutingDecision? {
            consulted.insert(team.id)
            let selection = MemberSelector.select(
                team: team, members: directory.members(of: team.id), facts: facts, now: request.now,
                excluded: request.excludedMembers, state: state)
            candidates += selection.candidates
            guard let winner = selection.winner else {
                notes.append(selection.reason)
                return nil
            }
            let placement = Placement(ownerId: winner.id, teamId: team.id, locationId: team.locationId)
            return decision(placement, strategy: isFallback ? .fallback : selection.strategy,
                            reason: "\(origin); team \(team.id): \(winner.id), \(selection.reason)",
                            isFallback: isFallback, rotation: RotationAdvance(teamId: team.id, memberId: winner.id))
        }

        /// Tries `targets`, then the platform fallback, then the `unassigned` queue: the lead is never lost.
        mutating func fallback(_ targets: [FallbackTarget], because why: String) -> RoutingDecision {
            notes.append(why)
            var tried: Set<FallbackTarget> = []
            for target in targets + [directory.settings.fallback, .queue("unassigned")] where tried.insert(target).inserted {
                let origin = "\(why); fallback \(target)"
                switch target {
                case .member(let id):
                    guard let member = directory.members[id], member.active, !request.excludedMembers.contains(id) else {
                        candidates.append(.init(memberId: id, eligible: false, reason: "fallback owner unknown, inactive or excluded"))
                        continue
                    }
                    candidates.append(.init(memberId: id, eligible: true, reason: "chosen: fallback owner"))
                    let team = directory.teams[member.teamId]
                    return decision(Placement(ownerId: id, teamId: member.teamId, locationId: team?.locationId),
                                    strategy: .fallback, reason: origin, isFallback: true, rotation: nil)
                case .team(let id):
                    guard let team = directory.teams[id], team.active else {
                        notes.append("fallback team \(id) unknown or inactive")
                        continue
                    }
                    if let decision = assign(in: team, isFallback: true, origin: origin) { return decision }
                case .location(let id):
                    guard let location = directory.locations[id], location.active, !request.excludedLocations.contains(id) else {
                        candidates.append(.init(memberId: id, eligible: false,
                                                reason: "fallback location unknown, inactive or excluded", kind: .location))
                        continue
                    }
                    candidates.append(.init(memberId: id, eligible: true, reason: "fallback location", kind: .location))
                    if let decision = place(at: location, isFallback: true, origin: origin) { return decision }
                    return decision(Placement(locationId: id), strategy: .fallback,
                                    reason: "\(origin); no member there can take it, so its contacts receive the lead",
                                    isFallback: true, rotation: nil)
                case .queue(let name):
                    return decision(Placement(locationId: home, queue: name), strategy: .fallback,
                                    reason: "\(origin): nobody can take the lead, it waits in queue \(name)",
                                    isFallback: true, rotation: nil)
                }
            }
            // Unreachable: the list ends with a queue, which always takes the lead.
            return decision(Placement(locationId: home, queue: "unassigned"), strategy: .fallback, reason: why, isFallback: true, rotation: nil)
        }

        /// One entry per candidate, where it first appeared, with its last verdict (a member seen
        /// by a team and then as a fallback owner shows why it finally won or lost).
        static func merged(_ candidates: [AssignmentCandidate]) -> [AssignmentCandidate] {
            var order: [String] = []
            var latest: [String: AssignmentCandidate] = [:]
            for candidate in candidates {
                let key = "\(candidate.kind?.rawValue ?? "member"):\(candidate.memberId)"
                if latest[key] == nil { order.append(key) }
                latest[key] = candidate
            }
            return order.compactMap { latest[$0] }
        }

        func decision(
            _ placement: Placement, strategy: AssignmentStrategy, reason: String, isFallback: Bool, rotation: RotationAdvance?
        ) -> RoutingDecision {
            let prefix = notes.filter { !reason.contains($0) }
            let fullReason = (prefix + [reason]).joined(separator: "; ")
            return RoutingDecision(
                placement: placement, strategy: strategy, candidates: Self.merged(candidates), reason: fullReason,
                isFallback: isFallback,
                responseTarget: ResponsePolicy.target(for: placement, isHot: facts.isHot, directory: directory),
                rotation: rotation, consultedTeams: consulted)
        }
    }
}

/// How long the assignee has to acknowledge a lead.
public enum ResponsePolicy {
    /// An owner: their team's target (Hot leads: the Hot target, 5 minutes by default); a
    /// location without owner: the location's target (24 hours by default); a queue: none.
    public static func target(for placement: Placement, isHot: Bool, directory: RoutingDirectory) -> ResponseTarget? {
        let settings = directory.settings
        if placement.queue != nil { return nil }
        if placement.ownerId != nil {
            let rule = placement.teamId.flatMap { directory.teams[$0] }?.rule
            let seconds = isHot
                ? rule?.hotResponseSlaSeconds ?? settings.hotResponseSlaSeconds
                : rule?.responseSlaSeconds ?? settings.ownerResponseSlaSeconds
            return ResponseTarget(party: .owner, seconds: seconds)
        }
        if let locationId = placement.locationId {
            let seconds = directory.locations[locationId]?.responseSlaSeconds ?? settings.locationResponseSlaSeconds
            return ResponseTarget(party: .location, seconds: seconds)
        }
        return nil
    }
}
