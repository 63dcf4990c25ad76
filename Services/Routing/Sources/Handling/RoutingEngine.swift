import Foundation
import LeadModel
import LeadServiceKit
import LeadStorage
import Logging
import Metrics
import PostgresNIO

/// Runs routing decisions inside a transaction: reads the configuration, locks the rotation rows
/// of every team a decision reads (in id order), loads members' load and response statistics,
/// decides with the pure ``Router``, and writes the record, the rotation, the history and the
/// `leads.assigned` outbox record — all in the caller's transaction.
public struct RoutingEngine: Sendable {
    let leads: LeadRepository
    let config: ConfigRepository
    let cache: DirectoryCache
    let events: EventEncoder
    let clock: any RoutingClock
    /// This process's instance id, recorded with each assignment it makes.
    let instanceId: String
    let logger: Logger

    /// What kind of routing this is, for the event's reason and the metrics.
    public enum Cause: Sendable {
        /// The lead's first routing.
        case newLead
        /// A location rejected it.
        case rejected(reason: String, note: String?)
        /// Its assignee missed the response target.
        case responseMissed(reason: String)

        var label: String {
            switch self {
            case .newLead: "new"
            case .rejected: "rejected"
            case .responseMissed: "sla_missed"
            }
        }
    }

    /// The configuration now.
    public func directory(on connection: PostgresConnection) async throws -> RoutingDirectory {
        try await cache.directory(on: connection)
    }

    /// The configuration at `version`, read by the caller in its transaction.
    public func directory(version: Int64, on connection: PostgresConnection) async throws -> RoutingDirectory {
        try await cache.directory(version: version, on: connection)
    }

    /// Routes `routed` (locked by the caller), stores it and returns the outbox record of its assignment.
    public func route(
        _ routed: inout RoutedLead, directory: RoutingDirectory, cause: Cause, causationEventId: UUID,
        on connection: PostgresConnection
    ) async throws -> OutboxRecord {
        let now = clock.now()
        let lead = routed.lead ?? Lead(id: routed.leadId, source: LeadSource(id: "unknown", channel: .manual), createdAt: now)
        let facts = LeadFacts(lead)
        var point = facts.point
        if point == nil, directory.usesDistance, let code = facts.postalCode {
            point = try await config.postalPoint(code: code, country: facts.country, on: connection)
        }
        // An owner named on the lead counts only for its first routing.
        var namedOwner: String?
        if case .newLead = cause, !routed.wasRouted { namedOwner = lead.ownerId }
        let request = RoutingRequest(
            lead: lead, leadPoint: point, now: now, excludedLocations: Set(routed.excludedLocations),
            excludedMembers: Set(routed.excludedMembers), namedOwnerId: namedOwner,
            fallbackOnly: routed.reroutes > directory.settings.maxReroutes)

        let decision = try await decide(request, facts: facts, directory: directory, on: connection)
        var note: String?
        var finalDecision = decision
        switch cause {
        case .newLead:
            break
        case .rejected(let reason, let rejectionNote):
            finalDecision.reason = "\(reason); re-routed: \(decision.reason)"
            note = rejectionNote
        case .responseMissed(let reason):
            finalDecision.reason = "\(reason); re-routed: \(decision.reason)"
        }
        return try await commit(finalDecision, to: &routed, note: note, causationEventId: causationEventId,
                                actor: .system("routing"), now: now, cause: cause.label, on: connection)
    }

    /// Applies a person's manual assignment to `routed` (locked by the caller) and stores it.
    public func assignManually(
        _ routed: inout RoutedLead, directory: RoutingDirectory, ownerId: String, locationId: String?, note: String,
        actor: Actor, causationEventId: UUID, on connection: PostgresConnection
    ) async throws -> OutboxRecord {
        let now = clock.now()
        let isHot = routed.lead.map { LeadFacts($0).isHot } ?? false
        var state = RoutingState()
        if directory.members[ownerId]?.capacity != nil {
            state.openLeads = try await leads.openLeads(of: [ownerId], on: connection)
        }
        let decision = Assignment.manual(
            ownerId: ownerId, locationId: locationId, note: note, actor: actor, current: routed.placement,
            isHot: isHot, directory: directory, state: state, now: now)
        return try await commit(decision, to: &routed, note: note, causationEventId: causationEventId,
                                actor: actor, now: now, cause: "manual", on: connection)
    }

    /// Publishes a collaborator change of `routed` (locked by the caller) and stores it.
    public func changeCollaborators(
        _ routed: inout RoutedLead, added: [String], removed: [String], actor: Actor, causationEventId: UUID,
        on connection: PostgresConnection
    ) async throws -> OutboxRecord {
        let (next, event) = Assignment.collaborators(
            added: added, removed: removed, on: routed, now: clock.now(), eventId: UUID(),
            causationEventId: causationEventId, actor: actor)
        routed = next
        try await leads.saveAssignment(routed, event: event, note: nil, routedBy: instanceId, rotation: nil, on: connection)
        return try events.record(event)
    }

    // MARK: Deciding under locks

    /// Decides, locking the rotation of every team the decision reads before trusting it: a
    /// first pass names the teams, their rows are locked and their state loaded, and the decision
    /// is repeated until it reads only locked teams.
    func decide(
        _ request: RoutingRequest, facts: LeadFacts, directory: RoutingDirectory, on connection: PostgresConnection
    ) async throws -> RoutingDecision {
        let router = LeadRouter(directory: directory)
        var locked: Set<String> = []
        var state = RoutingState()
        while true {
            let decision = router.route(request, state: state)
            let missing = decision.consultedTeams.subtracting(locked)
            if missing.isEmpty { return decision }
            let rotations = try await leads.lockRotations(missing, on: connection)
            locked.formUnion(missing)
            state.lastAssigned.merge(rotations) { _, new in new }
            let teams = missing.compactMap { directory.teams[$0] }
            let members = teams.flatMap { directory.members(of: $0.id) }
            let needsLoad = teams.contains { $0.rule.strategy == .leastLoaded } || members.contains { $0.capacity != nil }
            if needsLoad {
                state.openLeads.merge(try await leads.openLeads(of: members.map(\.id), on: connection)) { _, new in new }
            }
            if facts.isHot, teams.contains(where: { $0.rule.strategy == .scoreWeighted }) {
                state.responders.merge(try await leads.responders(members.map(\.id), on: connection)) { _, new in new }
            }
        }
    }

    private func commit(
        _ decision: RoutingDecision, to routed: inout RoutedLead, note: String?, causationEventId: UUID, actor: Actor,
        now: Date, cause: String, on connection: PostgresConnection
    ) async throws -> OutboxRecord {
        var event: LeadAssigned
        (routed, event) = Assignment.apply(
            decision, to: routed, now: now, eventId: UUID(), causationEventId: causationEventId, actor: actor)
        // The history keeps the free-text note apart, so an erasure can remove it.
        try await leads.saveAssignment(
            routed, event: event, note: note, routedBy: instanceId, rotation: decision.rotation, on: connection)
        if let note, !note.isEmpty { event.reason += " (note: \(note))" }
        Counter(label: "leadflow_routing_assignments_total", dimensions: [
            ("strategy", decision.strategy.rawValue), ("cause", cause),
        ]).increment()
        if decision.isFallback {
            Counter(label: "leadflow_routing_fallbacks_total", dimensions: [("cause", cause)]).increment()
            logger.notice("no rule could place the lead; fallback used", metadata: [
                "lead": "\(routed.leadId)", "queue": "\(decision.placement.queue ?? "-")",
                "owner": "\(decision.placement.ownerId ?? "-")", "reason": "\(decision.reason)",
            ])
        }
        return try events.record(event)
    }
}
