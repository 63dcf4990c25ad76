import Foundation
import LeadModel

/// How an event appears in a lead's timeline: what kind of thing happened, who did it, a
/// one-line summary.
public struct TimelineDescription: Hashable, Sendable {
    /// `received`, `scored`, `assigned`, `notification`, or the lifecycle change kind
    /// (`pipeline_status_changed`, `note_added`, …).
    public var kind: String
    /// Who did it.
    public var actor: Actor
    /// One line for people.
    public var summary: String

    /// Describes `event`.
    public init(_ event: AnyLeadflowEvent) {
        switch event {
        case .received(let e):
            kind = "received"
            actor = e.actor
            summary = "Lead received from \(e.lead.source.name ?? e.lead.source.id) via \(e.intake.channel.rawValue)"
        case .lifecycle(let e):
            kind = e.change.kind.rawValue
            actor = e.actor
            summary = Self.describe(e.change)
        case .scored(let e):
            kind = "scored"
            actor = .system("scoring")
            let previous = e.previousScore.map { " (was \($0))" } ?? ""
            summary = "Scored \(e.score), \(e.priority.rawValue)\(previous)"
        case .assigned(let e):
            kind = "assigned"
            actor = e.actor
            let owner = e.ownerId.map { " to \($0)" } ?? ""
            let location = e.locationId.map { " at \($0)" } ?? ""
            summary = "Assigned\(owner)\(location) by \(e.strategy.rawValue)"
        case .notification(let e):
            kind = "notification"
            actor = .system("notifier")
            summary = "\(e.channel.rawValue) \(e.purpose.rawValue) to \(e.recipient.kind.rawValue) \(e.recipient.id): \(e.status.rawValue)"
        case .metrics(let e):
            kind = "metrics"
            actor = .system("analytics")
            summary = "Metrics \(LeadflowJSON.formatDate(e.windowStart))"
        case .deadLetter(let e):
            kind = "dead_letter"
            actor = .system(e.stage.rawValue)
            summary = "Dead-lettered by \(e.stage.rawValue): \(e.errorCode)"
        }
    }

    private static func describe(_ change: LifecycleChange) -> String {
        switch change {
        case .stageChanged(let from, let to): "Stage \(from.rawValue) → \(to.rawValue)"
        case .pipelineStatusChanged(_, let from, let to, let reason, _):
            "Status \(from) → \(to)" + (reason.map { " (\($0.rawValue))" } ?? "")
        case .locationResponseChanged(let location, let from, let to, _, _):
            "Location \(location): \(from.rawValue) → \(to.rawValue)"
        case .noteAdded: "Note added"
        case .activityLogged(let a): "\(a.direction.rawValue.capitalized) \(a.kind.rawValue): \(a.outcome.rawValue)"
        case .taskCreated(let t): "Task created, due \(LeadflowJSON.formatDate(t.dueAt))"
        case .taskCompleted(_, _, let next):
            "Task completed" + (next.map { ", next follow-up \(LeadflowJSON.formatDate($0))" } ?? "")
        case .appointmentScheduled(let a): "\(a.kind.rawValue) appointment at \(LeadflowJSON.formatDate(a.at))"
        case .appointmentOutcome(_, let kept): kept ? "Appointment kept" : "Appointment missed (no-show)"
        case .vehicleAdded(let v): "Vehicle added: " + [v.year.map(String.init), v.make, v.model].compactMap { $0 }.joined(separator: " ")
        case .tradeInAdded: "Trade-in added"
        case .collaboratorsChanged(let added, let removed):
            "Collaborators +\(added.joined(separator: ",")) -\(removed.joined(separator: ","))"
        case .manuallyAssigned(let owner, let location, _): "Manually assigned to \(owner)" + (location.map { " at \($0)" } ?? "")
        case .converted(let c): "Converted" + (c.finalPrice.map { " for \($0)" } ?? "")
        case .erased: "Personal data erased"
        case .duplicateInquiry(let d): "Repeat inquiry via \(d.intake.channel.rawValue)"
        case .surveyAnswered(let s): "Survey answered: \(s.kind.rawValue)"
        case .merged(let ids, _): "Merged \(ids.count) lead(s) into this one"
        case .unmerged(let ids, _): "Unmerged \(ids.count) lead(s)"
        }
    }
}

/// Removes personal data from stored events once a lead is erased (GDPR), keeping the
/// anonymous facts the reports count.
public enum EventScrubber {
    /// The placeholder for erased free text.
    public static let erasedText = "[erased]"

    /// `event` without personal data.
    public static func scrub(_ event: AnyLeadflowEvent) -> AnyLeadflowEvent {
        switch event {
        case .received(var e):
            e.lead.erasePersonalData()
            return .received(e)
        case .scored(var e):
            e.lead?.erasePersonalData()
            return .scored(e)
        case .assigned(var e):
            e.lead?.erasePersonalData()
            return .assigned(e)
        case .lifecycle(var e):
            e.change = scrub(e.change)
            return .lifecycle(e)
        case .notification(var e):
            if e.recipient.kind == .customer {
                e.recipient.maskedAddress = nil
                e.recipient.addressHash = nil
            }
            e.error = nil
            return .notification(e)
        case .metrics, .deadLetter:
            return event
        }
    }

    private static func scrub(_ change: LifecycleChange) -> LifecycleChange {
        switch change {
        case .noteAdded: return .noteAdded(text: erasedText)
        case .activityLogged(var activity):
            activity.summary = nil
            return .activityLogged(activity)
        case .taskCompleted(let id, _, let next): return .taskCompleted(taskId: id, comment: erasedText, nextFollowUpAt: next)
        case .appointmentScheduled(var appointment):
            appointment.notes = nil
            return .appointmentScheduled(appointment)
        case .pipelineStatusChanged(let pipeline, let from, let to, let reason, let note):
            return .pipelineStatusChanged(pipelineId: pipeline, from: from, to: to, lostReason: reason, note: note.map { _ in erasedText })
        case .locationResponseChanged(let location, let from, let to, let note, let delay):
            return .locationResponseChanged(locationId: location, from: from, to: to, note: note.map { _ in erasedText }, followUpDelay: delay)
        case .manuallyAssigned(let owner, let location, _):
            return .manuallyAssigned(ownerId: owner, locationId: location, note: erasedText)
        case .vehicleAdded(var vehicle):
            vehicle.vin = nil
            vehicle.comments = nil
            return .vehicleAdded(vehicle)
        case .tradeInAdded(var tradeIn):
            tradeIn.vin = nil
            tradeIn.comments = nil
            return .tradeInAdded(tradeIn)
        case .converted(var conversion):
            conversion.vehicleSold?.vin = nil
            conversion.vehicleSold?.comments = nil
            conversion.tradeIn?.vin = nil
            conversion.tradeIn?.comments = nil
            return .converted(conversion)
        case .duplicateInquiry(var inquiry):
            inquiry.lead.erasePersonalData()
            return .duplicateInquiry(inquiry)
        case .surveyAnswered(var survey):
            survey.comment = nil
            return .surveyAnswered(survey)
        default:
            return change
        }
    }
}
