import Foundation
import LeadModel

/// Whether a lifecycle change counts as a person responding to the lead: the basis of
/// first-response time ("speed to lead"), the response SLA and follow-up obligations.
///
/// A response is something a person (platform admin, manager, salesperson or location contact —
/// never the system, the customer or an integration) did towards the customer:
/// * an outbound call, e-mail, chat, SMS or meeting, or an inbound one that was answered
///   (`connected`, `replied`, `completed`);
/// * a pipeline status change (someone worked the lead);
/// * the location acknowledging, accepting or rejecting it;
/// * completing a task or scheduling an appointment.
///
/// Notes, tasks created, vehicles added and the like are bookkeeping, not responses.
public enum ResponseRule {
    /// The roles whose actions count as responses.
    public static let respondingRoles: Set<Actor.Role> = [.platformAdmin, .manager, .salesperson, .locationContact]

    /// Whether `change` by `actor` is a response.
    public static func isResponse(_ change: LifecycleChange, by actor: Actor) -> Bool {
        guard respondingRoles.contains(actor.role) else { return false }
        switch change {
        case .activityLogged(let activity):
            if activity.direction == .outbound { return true }
            return [.connected, .replied, .completed].contains(activity.outcome)
        case .pipelineStatusChanged:
            return true
        case .locationResponseChanged(_, _, let to, _, _):
            return [.acknowledged, .accepted, .rejected].contains(to)
        case .taskCompleted, .appointmentScheduled:
            return true
        default:
            return false
        }
    }
}

/// How a lead ended: sold or lost.
public enum LeadOutcome: String, Hashable, Sendable, Codable, CaseIterable {
    case won, lost
}

/// Which pipeline statuses close a lead, and how.
///
/// The default pipeline says so itself (its closed statuses carry an outcome). For custom
/// pipelines, which analytics only knows from events, a status reached with a lost reason is a
/// loss, and a status key ending in `won` / `lost` (e.g. `closed_won`, `deal_lost`) is a win / loss.
public enum OutcomeRule {
    /// The outcome of moving to `status` in `pipelineId`, or `nil` when the lead stays open.
    public static func outcome(pipelineId: String, status: PipelineStatus, lostReason: LostReason?) -> LeadOutcome? {
        if pipelineId == Pipeline.default.id, let definition = Pipeline.default.definition(of: status) {
            switch definition.outcome {
            case .won: return .won
            case .lost: return .lost
            case nil: return lostReason == nil ? nil : .lost
            }
        }
        if lostReason != nil { return .lost }
        let key = status.rawValue.lowercased()
        if key.hasSuffix("won") { return .won }
        if key.hasSuffix("lost") { return .lost }
        return nil
    }
}
