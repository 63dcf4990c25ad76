import Foundation
import LeadModel

/// Settings that shape plans.
public struct PlannerOptions: Hashable, Sendable {
    /// Whether customers get an automatic acknowledgement when their lead is first assigned.
    public var customerAcknowledgement: Bool
    /// The status-update delay when the location chose none.
    public var defaultFollowUpDelay: FollowUpDelay
    /// The local hour "tomorrow" delays and "needs attention" alerts are due at.
    public var morningHour: Int
    /// Status-update requests sent per status before the notifier gives up asking.
    public var maxStatusRequests: Int
    /// How long after a task is due its overdue alert follows.
    public var taskOverdueAfter: TimeInterval
    /// Default tasks per lead category.
    public var defaultTasks: [LeadCategory: [DefaultTask]]

    /// Creates options.
    public init(
        customerAcknowledgement: Bool = false, defaultFollowUpDelay: FollowUpDelay = .tomorrow, morningHour: Int = 9,
        maxStatusRequests: Int = 3, taskOverdueAfter: TimeInterval = 86_400,
        defaultTasks: [LeadCategory: [DefaultTask]] = DefaultTask.seed
    ) {
        self.customerAcknowledgement = customerAcknowledgement
        self.defaultFollowUpDelay = defaultFollowUpDelay
        self.morningHour = morningHour
        self.maxStatusRequests = maxStatusRequests
        self.taskOverdueAfter = taskOverdueAfter
        self.defaultTasks = defaultTasks
    }
}

/// The time zones plans need: a location's (its contacts') and members'. UTC when unknown.
public struct TimeZones: Sendable {
    /// Time zone per location id.
    public var locations: [String: TimeZone]
    /// Time zone per member id.
    public var members: [String: TimeZone]

    /// Creates a lookup.
    public init(locations: [String: TimeZone] = [:], members: [String: TimeZone] = [:]) {
        self.locations = locations
        self.members = members
    }

    static let utc = TimeZone(identifier: "UTC")!

    /// The zone of a location.
    public func location(_ id: String?) -> TimeZone { id.flatMap { locations[$0] } ?? Self.utc }
    /// The zone of a member.
    public func member(_ id: String?) -> TimeZone { id.flatMap { members[$0] } ?? Self.utc }
}

/// Decides what each consumed event means for notifications and schedules. Pure: the handler
/// loads the tracked lead, calls the planner, then stores the new state and carries out the plan.
public struct Planner: Sendable {
    /// The options.
    public let options: PlannerOptions

    /// Creates a planner.
    public init(options: PlannerOptions) {
        self.options = options
    }

    /// The location and member ids whose time zones planning `event` needs (none for an
    /// assignment: nothing it schedules depends on a local calendar).
    public static func referencedIds(assigned event: LeadAssigned, previous: TrackedLead?) -> (locations: Set<String>, members: Set<String>) {
        ([], [])
    }

    /// The location and member ids whose time zones planning `event` needs: the location's for a
    /// status-update delay, the owner's for an appointment's morning.
    public static func referencedIds(lifecycle event: LeadLifecycleEvent, previous: TrackedLead?) -> (locations: Set<String>, members: Set<String>) {
        switch event.change {
        case .locationResponseChanged(let locationId, _, let to, _, _) where to.awaitsStatusUpdate:
            return ([locationId], [])
        case .appointmentScheduled:
            return ([], Set([previous?.ownerId].compactMap { $0 }))
        default:
            return ([], [])
        }
    }

    // MARK: leads.assigned

    /// The new state and plan for an assignment. `now` is when it is processed.
    public func plan(assigned event: LeadAssigned, previous: TrackedLead?, zones: TimeZones, now: Date) -> (TrackedLead, Plan) {
        var lead = previous ?? TrackedLead(leadId: event.leadId)
        var plan = Plan()
        if let snapshot = event.lead {
            if let known = lead.snapshot, known.lastActivityAt > snapshot.lastActivityAt {
                lead.snapshot?.ownerId = event.ownerId ?? known.ownerId
                lead.snapshot?.locationId = event.locationId ?? known.locationId
            } else {
                lead.snapshot = snapshot
                lead.collaborators = snapshot.collaborators
                if lead.pipelineStatus == nil { lead.pipelineStatus = snapshot.pipelineStatus }
                lead.pipelineId = snapshot.pipelineId
            }
            if lead.erased { lead.snapshot?.erasePersonalData() }
        }
        let isFirstAssignment = previous?.alertedOwnerId == nil && previous?.alertedLocationId == nil
        let previousLocation = lead.locationId
        lead.ownerId = event.ownerId ?? event.lead?.ownerId ?? lead.ownerId
        lead.locationId = event.locationId ?? event.lead?.locationId ?? lead.locationId
        lead.teamId = event.teamId ?? lead.teamId
        if lead.locationId != previousLocation || lead.locationResponse == nil {
            lead.locationResponse = event.lead?.locationResponse ?? (lead.locationId == nil ? nil : .unacknowledged)
            lead.locationResponseAt = event.occurredAt
        }
        lead.reconcileSnapshot()
        guard !lead.erased else { return (lead, plan) }

        let ownerChanged = lead.ownerId != nil && lead.ownerId != lead.alertedOwnerId
        let locationChanged = lead.locationId != nil && lead.locationId != lead.alertedLocationId
        if let owner = lead.ownerId, ownerChanged {
            plan.notifications.append(NotificationRequest(
                kind: .newLeadAssigned, audience: .member(owner, isOwner: true), dueAt: now, respondBy: event.responseDueAt))
            lead.alertedOwnerId = owner
        }
        if let location = lead.locationId, locationChanged {
            plan.notifications.append(NotificationRequest(
                kind: .newLeadAssigned, audience: .locationContacts(location), dueAt: now, respondBy: event.responseDueAt))
            lead.alertedLocationId = location
        }
        // Re-routed to another location: the old one's status-update requests stop. (A location
        // response seen before this assignment — the topics are not ordered with each other — is
        // for the same location and keeps its requests.)
        if let previousLocation, previousLocation != lead.locationId {
            plan.cancellations.append(JobCancellation(kinds: [.statusUpdateRequest]))
        }
        if isFirstAssignment && options.customerAcknowledgement && lead.snapshot != nil {
            plan.notifications.append(NotificationRequest(kind: .customerAcknowledgement, audience: .customer, dueAt: now))
        }
        if ownerChanged || locationChanged {
            plan.cancellations.append(JobCancellation(kinds: [.responseOverdue]))
            if let due = event.responseDueAt {
                plan.jobs.append(JobRequest(
                    jobKey: "overdue/\(event.eventId.uuidString.lowercased())", kind: .responseOverdue, dueAt: due,
                    payload: JobPayload(locationId: lead.locationId, respondBy: due)))
            }
        }
        if let snapshot = lead.snapshot, lead.ownerId != nil || lead.locationId != nil {
            plan.jobs += defaultTaskJobs(category: snapshot.intakeCategory, lead: lead.leadId, from: event.occurredAt)
        }
        return (lead, plan)
    }

    // MARK: leads.lifecycle

    /// The new state and plan for a lifecycle change. `now` is when it is processed.
    public func plan(lifecycle event: LeadLifecycleEvent, previous: TrackedLead?, zones: TimeZones, now: Date) -> (TrackedLead, Plan) {
        var lead = previous ?? TrackedLead(leadId: event.leadId)
        var plan = Plan()
        let at = event.occurredAt
        lead.snapshot = lead.snapshot?.applying(event.change, at: at)
        let leadKey = event.leadId.description
        switch event.change {
        case .pipelineStatusChanged(let pipelineId, _, let to, _, _):
            lead.pipelineId = pipelineId
            lead.pipelineStatus = to
            if let outcome = PipelineRules.outcome(of: to, pipelineId: pipelineId) {
                plan.cancellations.append(JobCancellation(kinds: [.followUpReminder, .taskDue, .appointmentToday, .responseOverdue]))
                if outcome == .won, !lead.erased {
                    plan.jobs += defaultTaskJobs(category: .sold, lead: lead.leadId, from: at)
                }
            }
        case .locationResponseChanged(let locationId, _, let to, _, let delay):
            lead.locationId = locationId
            lead.locationResponse = to
            lead.locationResponseAt = at
            if let delay { lead.followUpDelay = delay }
            plan.cancellations.append(JobCancellation(kinds: [.statusUpdateRequest]))
            if to != .unacknowledged { plan.cancellations.append(JobCancellation(kinds: [.responseOverdue])) }
            guard !lead.erased else { break }
            if to.awaitsStatusUpdate {
                let chosen = delay ?? lead.followUpDelay ?? options.defaultFollowUpDelay
                plan.jobs.append(JobRequest(
                    jobKey: "status/\(event.eventId.uuidString.lowercased())", kind: .statusUpdateRequest,
                    dueAt: chosen.dueDate(after: at, in: zones.location(locationId), morningHour: options.morningHour),
                    payload: JobPayload(locationId: locationId, awaitedStatus: to, delay: chosen)))
            }
            if to == .complete {
                plan.notifications.append(NotificationRequest(kind: .locationSurvey, audience: .locationContacts(locationId), dueAt: now))
                plan.notifications.append(NotificationRequest(kind: .customerReviewRequest, audience: .customer, dueAt: now))
            }
        case .taskCreated(let task):
            guard !lead.erased else { break }
            plan.jobs.append(JobRequest(
                jobKey: "task/\(leadKey)/\(task.id)", kind: .taskDue, dueAt: task.dueAt, subject: task.id,
                payload: JobPayload(taskTitle: task.title, taskDueAt: task.dueAt, category: task.category, recipientId: task.assigneeId)))
        case .taskCompleted(let taskId, _, let nextFollowUpAt):
            plan.cancellations.append(JobCancellation(kinds: [.taskDue], subject: taskId))
            if let next = nextFollowUpAt, !lead.erased {
                let actor = [.salesperson, .manager].contains(event.actor.role) ? event.actor.id : nil
                plan.jobs.append(JobRequest(
                    jobKey: "followup/\(event.eventId.uuidString.lowercased())", kind: .followUpReminder, dueAt: next,
                    payload: JobPayload(recipientId: actor ?? lead.ownerId, note: "Next follow-up after completing a task")))
            }
        case .appointmentScheduled(let appointment):
            guard !lead.erased, appointment.at > now else { break }
            plan.jobs.append(JobRequest(
                jobKey: "appt/\(leadKey)/\(appointment.id)", kind: .appointmentToday,
                dueAt: attentionTime(for: appointment.at, in: zones.member(lead.ownerId), now: now),
                subject: appointment.id, payload: JobPayload(appointment: appointment)))
        case .appointmentOutcome(let appointmentId, _):
            plan.cancellations.append(JobCancellation(kinds: [.appointmentToday], subject: appointmentId))
        case .collaboratorsChanged(let added, let removed):
            lead.collaborators.removeAll { removed.contains($0) }
            for id in added where !lead.collaborators.contains(id) { lead.collaborators.append(id) }
        case .manuallyAssigned(let ownerId, let locationId, _):
            lead.ownerId = ownerId
            if let locationId { lead.locationId = locationId }
        case .erased:
            lead.erased = true
            plan.cancellations.append(.all)
            plan.eraseDeliveries = true
        case .stageChanged, .noteAdded, .activityLogged, .vehicleAdded, .tradeInAdded, .converted, .duplicateInquiry,
             .surveyAnswered, .merged, .unmerged:
            break
        }
        lead.reconcileSnapshot()
        return (lead, plan)
    }

    /// A follow-up reminder asked for through the API: due after `delay` in the member's zone.
    public func reminderJob(delay: FollowUpDelay, recipientId: String, note: String?, zone: TimeZone, now: Date) -> JobRequest {
        JobRequest(
            jobKey: "reminder/\(UUID().uuidString.lowercased())", kind: .followUpReminder,
            dueAt: delay.dueDate(after: now, in: zone, morningHour: options.morningHour),
            payload: JobPayload(recipientId: recipientId, note: note, delay: delay))
    }

    /// When "needs attention" goes out for an appointment: the morning of its day, not before
    /// `now` and not after the appointment itself.
    func attentionTime(for appointment: Date, in zone: TimeZone, now: Date) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let morning = calendar.date(bySettingHour: options.morningHour, minute: 0, second: 0, of: calendar.startOfDay(for: appointment))
            ?? appointment
        return max(now, min(morning, appointment))
    }

    /// Subjects of the jobs of a lead's default tasks start with this (explicit tasks use their id).
    static let defaultTaskSubjectPrefix = "default-"

    private func defaultTaskJobs(category: LeadCategory, lead: LeadID, from start: Date) -> [JobRequest] {
        (options.defaultTasks[category] ?? []).enumerated().map { index, task in
            let due = start.addingTimeInterval(TimeInterval(task.dueAfterSeconds))
            return JobRequest(
                jobKey: "default/\(lead)/\(category.rawValue)/\(index)", kind: .taskDue, dueAt: due,
                subject: "\(Self.defaultTaskSubjectPrefix)\(category.rawValue)-\(index)",
                payload: JobPayload(taskTitle: task.title, taskDueAt: due, category: category))
        }
    }
}
