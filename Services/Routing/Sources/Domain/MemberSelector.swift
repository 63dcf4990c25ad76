import Foundation
import LeadModel

/// A team's choice of owner for one lead.
public struct MemberSelection: Sendable, Hashable {
    /// The member who gets the lead, if anyone can take it.
    public var winner: Member?
    /// Every active member of the team, with why they could or could not take it.
    public var candidates: [AssignmentCandidate]
    /// The strategy that decided.
    public var strategy: AssignmentStrategy
    /// Why the winner won.
    public var reason: String
}

/// Chooses a team member for a lead: filters (exclusions, availability, capacity,
/// specialization), then the team's strategy (round robin, score-weighted, least loaded), with
/// rotation order as the final, deterministic tie-break.
public enum MemberSelector {
    /// Selects among `team`'s active `members` (id order) for the lead described by `facts`.
    public static func select(
        team: Team, members: [Member], facts: LeadFacts, now: Date, excluded: Set<String>, state: RoutingState
    ) -> MemberSelection {
        let rule = team.rule
        var reasons: [String: (eligible: Bool, reason: String)] = [:]
        var eligible: [Member] = []
        var specialists: Set<String> = []
        var skillMismatches = 0

        for member in members {
            if let why = unavailability(of: member, rule: rule, now: now, excluded: excluded, state: state) {
                reasons[member.id] = (false, why)
                continue
            }
            if rule.matchSpecialization {
                switch specialization(of: member, facts: facts) {
                case .mismatch(let why):
                    reasons[member.id] = (false, why)
                    skillMismatches += 1
                    continue
                case .specialist(let why):
                    specialists.insert(member.id)
                    reasons[member.id] = (true, why)
                case .generalist:
                    reasons[member.id] = (true, "generalist")
                }
            } else {
                reasons[member.id] = (true, "available")
            }
            eligible.append(member)
        }

        func candidates() -> [AssignmentCandidate] {
            members.map { member in
                let entry = reasons[member.id] ?? (false, "not considered")
                return AssignmentCandidate(memberId: member.id, eligible: entry.eligible, reason: entry.reason)
            }
        }

        guard !eligible.isEmpty else {
            return MemberSelection(winner: nil, candidates: candidates(), strategy: .availability,
                                   reason: members.isEmpty ? "team \(team.id) has no active members" : "no member of team \(team.id) can take the lead")
        }

        // Specialists first: generalists stay eligible but wait while a specialist is free.
        var pool = eligible
        var narrowedBySkills = skillMismatches > 0
        if !specialists.isEmpty, specialists.count < eligible.count {
            pool = eligible.filter { specialists.contains($0.id) }
            narrowedBySkills = true
            for member in eligible where !specialists.contains(member.id) {
                reasons[member.id] = (true, "generalist; a specialist was available")
            }
        }

        let last = state.lastAssigned[team.id]
        var strategy: AssignmentStrategy = narrowedBySkills ? .specialization : .roundRobin
        let winner: Member
        var why: String

        switch rule.strategy {
        case .roundRobin:
            winner = byRotation(pool, after: last)
            why = rotationReason(winner, after: last)
        case .scoreWeighted:
            if facts.isHot, pool.count > 1 {
                let ranked = rankByResponse(pool, stats: state.responders)
                let tier = max(1, min(rule.bestResponders ?? (pool.count + 1) / 2, ranked.count))
                let best = Array(ranked.prefix(tier))
                for member in ranked.dropFirst(tier) {
                    reasons[member.id] = (true, "\(reasons[member.id]?.reason ?? "eligible"); not among the \(tier) best responders who get Hot leads")
                }
                winner = byRotation(best, after: last)
                why = "Hot lead to one of the \(tier) best responders (\(responseDescription(state.responders[winner.id]))); \(rotationReason(winner, after: last))"
                if !narrowedBySkills { strategy = .scoreWeighted }
            } else {
                winner = byRotation(pool, after: last)
                why = rotationReason(winner, after: last)
            }
        case .leastLoaded:
            let order = Rotation.order(pool.map(\.id), after: last)
            let rank = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($1, $0) })
            let byShare = pool.allSatisfy { ($0.capacity ?? 0) > 0 }
            winner = pool.min { lhs, rhs in
                let left = load(lhs, state, byShare: byShare), right = load(rhs, state, byShare: byShare)
                if left != right { return left < right }
                return rank[lhs.id]! < rank[rhs.id]!
            }!
            why = "most room under capacity (\(state.openLeads[winner.id] ?? 0)\(winner.capacity.map { "/\($0)" } ?? "") open leads)"
            if !narrowedBySkills { strategy = .capacity }
        }
        if narrowedBySkills, let detail = reasons[winner.id]?.reason, detail != "generalist" {
            why = "\(detail); \(why)"
        }
        reasons[winner.id] = (true, "chosen: \(why)")
        return MemberSelection(winner: winner, candidates: candidates(), strategy: strategy, reason: why)
    }

    // MARK: Filters

    /// Why `member` cannot take any lead now, or nil when they can.
    static func unavailability(of member: Member, rule: TeamRule, now: Date, excluded: Set<String>, state: RoutingState) -> String? {
        if excluded.contains(member.id) {
            return "excluded: already missed this lead's response target or lost it"
        }
        if rule.requireAvailability {
            if !member.online { return "offline" }
            let schedule = member.schedule
            if !schedule.isWorking(at: now) {
                return "outside working hours (\(schedule.localDescription(of: now)))"
            }
        }
        if let capacity = member.capacity {
            let open = state.openLeads[member.id] ?? 0
            if open >= capacity { return "at capacity \(open)/\(capacity)" }
        }
        return nil
    }

    enum SkillMatch: Hashable {
        case specialist(String)
        case generalist
        case mismatch(String)
    }

    /// How `member`'s skills fit the lead: a dimension the member configured and the lead
    /// carries must match; a match on any configured dimension makes them a specialist.
    static func specialization(of member: Member, facts: LeadFacts) -> SkillMatch {
        let skills = member.skills
        var matched: [String] = []
        if !skills.vehicleTypes.isEmpty, let type = facts.vehicleType {
            guard skills.vehicleTypes.contains(where: { $0.lowercased() == type }) else {
                return .mismatch("does not handle vehicle type \(type)")
            }
            matched.append("\(type) specialist")
        }
        if !skills.priceRanges.isEmpty, let price = facts.price {
            guard let range = skills.priceRanges.first(where: { $0.contains(price) }) else {
                return .mismatch("price \(price) outside \(skills.priceRanges.map(\.description).joined(separator: ", "))")
            }
            matched.append("price \(price) within \(range)")
        }
        return matched.isEmpty ? .generalist : .specialist(matched.joined(separator: ", "))
    }

    // MARK: Ordering

    static func byRotation(_ pool: [Member], after last: String?) -> Member {
        let next = Rotation.next(pool.map(\.id), after: last)!
        return pool.first { $0.id == next }!
    }

    static func rotationReason(_ winner: Member, after last: String?) -> String {
        last.map { "next in rotation after \($0)" } ?? "first in rotation"
    }

    /// Members by mean response time (fastest first); those without history after them; then by id.
    static func rankByResponse(_ pool: [Member], stats: [String: ResponderStats]) -> [Member] {
        pool.sorted { lhs, rhs in
            let left = stats[lhs.id]?.averageSeconds, right = stats[rhs.id]?.averageSeconds
            switch (left, right) {
            case let (l?, r?) where l != r: return l < r
            case (_?, nil): return true
            case (nil, _?): return false
            default:
                let leftCount = stats[lhs.id]?.acknowledged ?? 0, rightCount = stats[rhs.id]?.acknowledged ?? 0
                if leftCount != rightCount { return leftCount > rightCount }
                return lhs.id < rhs.id
            }
        }
    }

    static func responseDescription(_ stats: ResponderStats?) -> String {
        guard let average = stats?.averageSeconds else { return "no response history" }
        return "mean response \(Int(average.rounded())) s over \(stats!.acknowledged) leads"
    }

    /// The share of capacity in use when every member of the pool is capped, else the open leads.
    static func load(_ member: Member, _ state: RoutingState, byShare: Bool) -> Double {
        let open = Double(state.openLeads[member.id] ?? 0)
        guard byShare, let capacity = member.capacity, capacity > 0 else { return open }
        return open / Double(capacity)
    }
}
