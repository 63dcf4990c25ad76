import Foundation
import LeadModel

/// What a lifecycle event means for routing.
public enum LifecycleEffect: Hashable, Sendable {
    /// The assignee responded: stop the SLA clock.
    case acknowledge
    /// The lead is closed: it no longer counts against capacity and its clock stops.
    case close(reason: String)
    /// Route the lead again, avoiding the location and member that let it go.
    case reroute(excludingLocation: String?, excludingMember: String?, reason: String, note: String?)
    /// A person assigned it by hand.
    case manualAssign(ownerId: String, locationId: String?, note: String)
    /// Collaborators were added or removed.
    case collaborators(added: [String], removed: [String])
    /// Its personal data was erased: scrub the snapshot and stop working it.
    case erase
    /// Other leads were merged into it: they are closed (their SLA clocks stop, they leave their
    /// owners' load, they are never routed again); the survivor keeps its owner.
    case closeMerged([LeadID])
    /// A merge was undone: the restored leads are open again with the owners they had, without
    /// routing them again (their snapshots as they were at the merge, when the event has them).
    case reopenRestored([LeadID], snapshots: [Lead])
}

/// Reads lifecycle events as routing effects (pure; the handler applies them).
public enum LifecycleInterpreter {
    /// The effects of `event` on `routed`. Responses of a location the lead is no longer at are ignored.
    public static func effects(of event: LeadLifecycleEvent, on routed: RoutedLead, settings: RoutingSettings) -> [LifecycleEffect] {
        let owner = routed.placement.ownerId
        let actedByOwner = owner != nil && event.actor.id == owner && event.actor.role == .salesperson
        switch event.change {
        case .locationResponseChanged(let locationId, _, let to, let note, _):
            guard locationId == routed.placement.locationId else { return [] }
            switch to {
            case .unacknowledged:
                return []
            case .acknowledged, .accepted:
                return [.acknowledge]
            case .rejected:
                return [.reroute(excludingLocation: locationId, excludingMember: owner,
                                 reason: "location \(locationId) rejected the lead", note: note)]
            case .won, .lost, .complete:
                return [.acknowledge, .close(reason: "location response \(to.rawValue)")]
            }
        case .pipelineStatusChanged(_, let from, let to, let lostReason, _):
            if settings.closedStatuses.contains(to) || lostReason != nil {
                return [.acknowledge, .close(reason: "pipeline status \(to.rawValue)")]
            }
            return from != to ? [.acknowledge] : []
        case .activityLogged(let activity):
            return activity.direction == .outbound || actedByOwner ? [.acknowledge] : []
        case .manuallyAssigned(let ownerId, let locationId, let note):
            return [.manualAssign(ownerId: ownerId, locationId: locationId, note: note)]
        case .collaboratorsChanged(let added, let removed):
            return [.collaborators(added: added, removed: removed)]
        case .erased:
            return [.erase]
        case .merged(let ids, _):
            return [.closeMerged(ids)]
        case .stageChanged, .noteAdded, .taskCreated, .taskCompleted, .appointmentScheduled, .appointmentOutcome,
             .vehicleAdded, .tradeInAdded, .converted:
            return actedByOwner ? [.acknowledge] : []
        case .unmerged(let ids, let details):
            return [.reopenRestored(ids, snapshots: details?.restoredLeads ?? [])]
        case .duplicateInquiry, .surveyAnswered:
            return []
        }
    }
}
