import Foundation
import LeadMessaging
import LeadModel
import LeadServiceKit
import LeadStorage
import Logging
import Metrics
import PostgresNIO

/// Applies `leads.scored` and `leads.lifecycle` exactly once each: the idempotency record, the
/// lead's routing record (row-locked), the rotation and the `leads.assigned` outbox rows commit
/// in one transaction, so a redelivery after a crash or rebalance changes nothing.
public struct RoutingEventHandler: EventHandler {
    /// The idempotency consumer name.
    public static let consumerName = "routing"

    let applier: EventApplier
    let leads: LeadRepository
    let engine: RoutingEngine
    let logger: Logger

    public func handle(_ message: ConsumedMessage) async throws {
        let incoming = try IncomingEvent(message)
        switch incoming.event {
        case .scored(let scored):
            try await apply(scored)
        case .lifecycle(let lifecycle):
            try await apply(lifecycle)
        default:
            throw EventRejection(code: "unexpected_event_type", reason: "routing does not consume \(incoming.envelope.type)")
        }
    }

    // MARK: leads.scored

    func apply(_ scored: LeadScored) async throws {
        guard let snapshot = scored.lead else {
            throw EventRejection(code: "missing_lead_snapshot", reason: "leads.scored \(scored.eventId) carries no lead snapshot to route")
        }
        guard snapshot.id == scored.leadId else {
            throw EventRejection(code: "lead_id_mismatch", reason: "the snapshot is lead \(snapshot.id), the event names \(scored.leadId)")
        }
        try await applier.applyOnce(consumer: Self.consumerName, eventId: scored.eventId) { connection in
            var (routed, version) = try await leads.lockOrCreate(scored.leadId, on: connection)
            if var lead = routed.lead {
                lead.score = scored.score
                lead.priority = scored.priority
                routed.lead = lead
            } else {
                var lead = snapshot
                lead.score = scored.score
                lead.priority = scored.priority
                for id in lead.collaborators where !routed.collaborators.contains(id) { routed.collaborators.append(id) }
                lead.collaborators = routed.collaborators
                if routed.wasRouted {
                    lead.ownerId = routed.placement.ownerId
                    lead.locationId = routed.placement.locationId
                }
                if routed.isErased { lead.erasePersonalData() }
                routed.lead = lead
            }
            let directory = try await engine.directory(version: version, on: connection)
            if !routed.wasRouted, routed.isOpen, !Self.isClosed(snapshot, settings: directory.settings) {
                return [try await engine.route(
                    &routed, directory: directory, cause: .newLead, causationEventId: scored.eventId, on: connection)]
            }
            try await leads.save(routed, on: connection)
            return []
        }
    }

    /// Whether a snapshot arrives already closed (nothing to route).
    static func isClosed(_ lead: Lead, settings: RoutingSettings) -> Bool {
        if settings.closedStatuses.contains(lead.pipelineStatus) { return true }
        switch lead.locationResponse {
        case .lost?, .complete?: return true
        default: return false
        }
    }

    // MARK: leads.lifecycle

    func apply(_ event: LeadLifecycleEvent) async throws {
        try await applier.applyOnce(consumer: Self.consumerName, eventId: event.eventId) { connection in
            var (routed, version) = try await leads.lockOrCreate(event.leadId, on: connection)
            let directory = try await engine.directory(version: version, on: connection)
            let effects = LifecycleInterpreter.effects(of: event, on: routed, settings: directory.settings)
            routed.lead = Self.snapshot(routed.lead, after: event, placement: routed.placement)
            var records: [OutboxRecord] = []
            var stored: RoutedLead?  // the state an engine call already wrote
            for effect in effects {
                switch effect {
                case .acknowledge:
                    try await acknowledge(&routed, at: event.occurredAt, on: connection)
                case .close:
                    routed.isOpen = false
                    routed.responseDueAt = nil
                    routed.responseParty = nil
                case .reroute(let location, let member, let reason, let note):
                    guard routed.wasRouted, routed.isOpen else { continue }
                    if let location, !routed.excludedLocations.contains(location) { routed.excludedLocations.append(location) }
                    if let member, !routed.excludedMembers.contains(member) { routed.excludedMembers.append(member) }
                    routed.reroutes += 1
                    Counter(label: "leadflow_routing_reroutes_total", dimensions: [("cause", "rejected")]).increment()
                    records.append(try await engine.route(
                        &routed, directory: directory, cause: .rejected(reason: reason, note: note),
                        causationEventId: event.eventId, on: connection))
                    stored = routed
                case .manualAssign(let ownerId, let locationId, let note):
                    records.append(try await engine.assignManually(
                        &routed, directory: directory, ownerId: ownerId, locationId: locationId, note: note,
                        actor: event.actor, causationEventId: event.eventId, on: connection))
                    stored = routed
                case .collaborators(let added, let removed):
                    records.append(try await engine.changeCollaborators(
                        &routed, added: added, removed: removed, actor: event.actor, causationEventId: event.eventId,
                        on: connection))
                    stored = routed
                case .erase:
                    routed.isErased = true
                    routed.lead?.erasePersonalData()
                    routed.isOpen = false
                    routed.responseDueAt = nil
                    routed.responseParty = nil
                    try await leads.eraseNotes(of: routed.leadId, on: connection)
                case .closeMerged(let ids):
                    try await leads.close(ids.filter { $0 != routed.leadId }, on: connection)
                    if case .merged(_, let details?) = event.change {
                        for id in details.survivor.collaborators where !routed.collaborators.contains(id) { routed.collaborators.append(id) }
                    }
                case .reopenRestored(let ids, let snapshots):
                    try await reopen(ids.filter { $0 != routed.leadId }, snapshots: snapshots, settings: directory.settings, on: connection)
                }
            }
            if routed != stored { try await leads.save(routed, on: connection) }
            return records
        }
    }

    /// Reopens leads restored by an unmerge: their records come back open (unless closed or
    /// erased) with the placement they had — no re-routing, no new SLA clock, no event.
    func reopen(_ ids: [LeadID], snapshots: [Lead], settings: RoutingSettings, on connection: PostgresConnection) async throws {
        for id in ids.sorted() {
            var (restored, _) = try await leads.lockOrCreate(id, on: connection)
            if let snapshot = snapshots.first(where: { $0.id == id }) {
                var lead = restored.lead ?? snapshot
                lead.adoptRecord(of: snapshot)
                if restored.wasRouted {
                    lead.ownerId = restored.placement.ownerId
                    lead.locationId = restored.placement.locationId
                }
                restored.lead = lead
            }
            restored.isOpen = !restored.isErased && !(restored.lead.map { Self.isClosed($0, settings: settings) } ?? false)
            restored.responseDueAt = nil
            restored.responseParty = nil
            try await leads.save(restored, on: connection)
        }
    }

    /// The snapshot after `event` (the shared `Lead.applying` rule), except a response of a
    /// location the lead has left, which would move it back there.
    static func snapshot(_ lead: Lead?, after event: LeadLifecycleEvent, placement: Placement) -> Lead? {
        guard let lead else { return nil }
        if case .locationResponseChanged(let locationId, _, _, _, _) = event.change, locationId != placement.locationId {
            return lead
        }
        return lead.applying(event.change, at: event.occurredAt)
    }

    /// Stops the SLA clock; an owner's response time feeds score-weighted routing.
    func acknowledge(_ routed: inout RoutedLead, at time: Date, on connection: PostgresConnection) async throws {
        guard routed.responseDueAt != nil else { return }
        if routed.responseParty == .owner, let owner = routed.placement.ownerId, let assignedAt = routed.assignedAt {
            try await leads.recordResponse(memberId: owner, seconds: max(0, time.timeIntervalSince(assignedAt)), on: connection)
        }
        routed.responseDueAt = nil
        routed.responseParty = nil
    }
}
