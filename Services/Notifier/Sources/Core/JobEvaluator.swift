import Foundation
import LeadModel

/// What a due job does when it fires: the notifications it sends and when (if ever) it fires again.
public struct JobOutcome: Hashable, Sendable {
    /// Notifications to compose.
    public var notifications: [NotificationRequest]
    /// When the job fires next; `nil`: it is done.
    public var nextDueAt: Date?

    /// Creates an outcome.
    public init(notifications: [NotificationRequest] = [], nextDueAt: Date? = nil) {
        self.notifications = notifications
        self.nextDueAt = nextDueAt
    }

    /// Done without sending anything (the lead moved on).
    public static let stop = JobOutcome()
}

extension Planner {
    /// Decides what `job` does now, given the lead as the notifier knows it. Requests and
    /// reminders stop by themselves once the lead has advanced past what they wait for.
    public func evaluate(_ job: ScheduledJob, lead: TrackedLead, zones: TimeZones, now: Date) -> JobOutcome {
        guard !lead.erased else { return .stop }
        let payload = job.payload
        switch job.kind {
        case .followUpReminder:
            guard !lead.isClosed, let recipient = payload.recipientId ?? lead.ownerId else { return .stop }
            return JobOutcome(notifications: [NotificationRequest(
                kind: .reminder, audience: .member(recipient, isOwner: recipient == lead.ownerId), dueAt: now, note: payload.note)])

        case .taskDue:
            let soldTask = payload.category == .sold
            guard !lead.isClosed || soldTask, let recipient = payload.recipientId ?? lead.ownerId else { return .stop }
            let audience = Audience.member(recipient, isOwner: recipient == lead.ownerId)
            if job.occurrence == 0 {
                let overdueAt = (payload.taskDueAt ?? job.dueAt).addingTimeInterval(options.taskOverdueAfter)
                return JobOutcome(
                    notifications: [NotificationRequest(kind: .taskDue, audience: audience, dueAt: now,
                                                        taskTitle: payload.taskTitle, taskDueAt: payload.taskDueAt)],
                    nextDueAt: max(overdueAt, now))
            }
            return JobOutcome(notifications: [NotificationRequest(
                kind: .overdue, audience: audience, dueAt: now, taskTitle: payload.taskTitle, taskDueAt: payload.taskDueAt)])

        case .appointmentToday:
            guard !lead.isClosed, let appointment = payload.appointment, appointment.at > now,
                  let owner = lead.ownerId else { return .stop }
            return JobOutcome(notifications: [NotificationRequest(
                kind: .appointmentToday, audience: .member(owner, isOwner: true), dueAt: now, appointment: appointment)])

        case .responseOverdue:
            var notifications: [NotificationRequest] = []
            if let location = payload.locationId {
                guard lead.locationId == location, lead.locationResponse == nil || lead.locationResponse == .unacknowledged
                else { return .stop }
                notifications.append(NotificationRequest(
                    kind: .overdue, audience: .locationContacts(location), dueAt: now, respondBy: payload.respondBy))
            } else {
                guard lead.pipelineStatus == nil || lead.pipelineStatus == .new else { return .stop }
            }
            if let owner = lead.ownerId, !lead.isClosed {
                notifications.append(NotificationRequest(
                    kind: .overdue, audience: .member(owner, isOwner: true), dueAt: now, respondBy: payload.respondBy))
            }
            return JobOutcome(notifications: notifications)

        case .statusUpdateRequest:
            guard let location = payload.locationId, let awaited = payload.awaitedStatus,
                  lead.locationId == location, lead.locationResponse == awaited else { return .stop }
            let delay = payload.delay ?? options.defaultFollowUpDelay
            let again = job.occurrence + 1 < options.maxStatusRequests
                ? delay.dueDate(after: now, in: zones.location(location), morningHour: options.morningHour) : nil
            return JobOutcome(
                notifications: [NotificationRequest(kind: .statusUpdateRequest, audience: .locationContacts(location), dueAt: now)],
                nextDueAt: again)
        }
    }
}
