import Foundation
import LeadModel

/// Turns decisions into the new routing record and the `leads.assigned` event (pure).
public enum Assignment {
    /// Places `routed` as `decision` says: moves the snapshot's owner and location, restarts the
    /// SLA clock, and builds the event naming what was before.
    public static func apply(
        _ decision: RoutingDecision, to routed: RoutedLead, now: Date, eventId: UUID, causationEventId: UUID,
        actor: Actor = .system("routing")
    ) -> (RoutedLead, LeadAssigned) {
        var next = routed
        let previous = routed.placement
        next.placement = decision.placement
        next.isOpen = true
        next.assignedAt = now
        if let target = decision.responseTarget {
            next.responseDueAt = now.addingTimeInterval(TimeInterval(target.seconds))
            next.responseParty = target.party
        } else {
            next.responseDueAt = nil
            next.responseParty = nil
        }
        next.lastAssignmentEventId = eventId
        if var lead = next.lead {
            lead.ownerId = decision.placement.ownerId
            if lead.locationId != decision.placement.locationId || previous.locationId != decision.placement.locationId {
                lead.locationResponse = decision.placement.locationId == nil ? nil : .unacknowledged
            }
            lead.locationId = decision.placement.locationId
            lead.collaborators = next.collaborators
            next.lead = lead
        }
        let event = LeadAssigned(
            eventId: eventId, leadId: routed.leadId, occurredAt: now,
            locationId: decision.placement.locationId, teamId: decision.placement.teamId,
            ownerId: decision.placement.ownerId,
            previousOwnerId: previous.ownerId != decision.placement.ownerId ? previous.ownerId : nil,
            previousLocationId: previous.locationId != decision.placement.locationId ? previous.locationId : nil,
            strategy: decision.strategy, candidates: decision.candidates, reason: decision.reason,
            isFallback: decision.isFallback, responseDueAt: next.responseDueAt,
            causationEventId: causationEventId, actor: actor, lead: next.lead)
        return (next, event)
    }

    /// The decision for a person's manual assignment: the member they chose, whatever the rules
    /// would say (availability and load are noted, not enforced).
    public static func manual(
        ownerId: String, locationId: String?, note: String, actor: Actor, current: Placement,
        isHot: Bool, directory: RoutingDirectory, state: RoutingState, now: Date
    ) -> RoutingDecision {
        let member = directory.members[ownerId]
        let team = member.flatMap { directory.teams[$0.teamId] }
        var remarks: [String] = []
        if let member {
            if !member.active { remarks.append("inactive") }
            if !member.online { remarks.append("offline") }
            if !member.schedule.isWorking(at: now) { remarks.append("outside working hours") }
            if let capacity = member.capacity, (state.openLeads[ownerId] ?? 0) >= capacity {
                remarks.append("at capacity \(state.openLeads[ownerId] ?? 0)/\(capacity)")
            }
        } else {
            remarks.append("not a member routing knows")
        }
        let placement = Placement(
            ownerId: ownerId, teamId: member?.teamId, locationId: locationId ?? team?.locationId ?? current.locationId)
        let chosen = remarks.isEmpty ? "chosen by \(actor.role.rawValue) \(actor.id)" : "chosen by \(actor.role.rawValue) \(actor.id) although \(remarks.joined(separator: ", "))"
        return RoutingDecision(
            placement: placement, strategy: .manual,
            candidates: [AssignmentCandidate(memberId: ownerId, eligible: true, reason: chosen)],
            reason: "assigned by hand by \(actor.role.rawValue) \(actor.id)", isFallback: false,
            responseTarget: ResponsePolicy.target(for: placement, isHot: isHot, directory: directory),
            rotation: nil, consultedTeams: [])
    }

    /// The event publishing a collaborator change: the placement is unchanged.
    public static func collaborators(
        added: [String], removed: [String], on routed: RoutedLead, now: Date, eventId: UUID, causationEventId: UUID, actor: Actor
    ) -> (RoutedLead, LeadAssigned) {
        var next = routed
        let removedSet = Set(removed)
        next.collaborators.removeAll { removedSet.contains($0) }
        for id in added where !next.collaborators.contains(id) { next.collaborators.append(id) }
        next.lead?.collaborators = next.collaborators
        var parts: [String] = []
        if !added.isEmpty { parts.append("added \(added.joined(separator: ", "))") }
        if !removed.isEmpty { parts.append("removed \(removed.joined(separator: ", "))") }
        let event = LeadAssigned(
            eventId: eventId, leadId: routed.leadId, occurredAt: now, locationId: routed.placement.locationId,
            teamId: routed.placement.teamId, ownerId: routed.placement.ownerId, strategy: .manual, candidates: [],
            reason: "collaborators changed by \(actor.role.rawValue) \(actor.id): \(parts.joined(separator: "; "))",
            isFallback: false, responseDueAt: routed.responseDueAt, causationEventId: causationEventId, actor: actor,
            lead: next.lead)
        return (next, event)
    }
}
