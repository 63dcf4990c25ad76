import Foundation
import LeadModel

/// One stretch of time a lead spent in a pipeline status.
public struct StatusPeriod: Hashable, Sendable, Codable {
    /// The status.
    public var status: PipelineStatus
    /// When the lead entered it.
    public var enteredAt: Date
    /// When it left it; `nil` while the lead is still there.
    public var leftAt: Date?

    /// Creates a period.
    public init(status: PipelineStatus, enteredAt: Date, leftAt: Date? = nil) {
        self.status = status
        self.enteredAt = enteredAt
        self.leftAt = leftAt
    }
}

/// An appointment as analytics tracks it.
public struct AppointmentFact: Hashable, Sendable, Codable {
    /// The appointment id.
    public var id: String
    /// When it is.
    public var at: Date
    /// Test drive, visit or call.
    public var kind: Appointment.Kind
    /// Kept (`true`), missed (`false`) or not yet known.
    public var kept: Bool?

    /// Creates an appointment fact.
    public init(id: String, at: Date, kind: Appointment.Kind, kept: Bool? = nil) {
        self.id = id
        self.at = at
        self.kind = kind
        self.kept = kept
    }
}

/// A follow-up promised when a task was completed.
public struct FollowUp: Hashable, Sendable, Codable {
    /// When the next contact is due.
    public var dueAt: Date
    /// When it was promised (the task completion).
    public var promisedAt: Date
}

/// Everything analytics knows about one lead, folded from its events in ``EventOrder``.
///
/// Pure: no Kafka, no SQL. ``fold(leadId:events:)`` builds it from a lead's whole history;
/// ``canApplyIncrementally(_:)`` says when a new event may simply be applied on top
/// (it sorts after everything seen and does not change the lead's base), which is the common case.
public struct LeadProjection: Hashable, Sendable, Codable {
    /// The lead.
    public var leadId: LeadID
    /// The lead as it stands now; `nil` until a `leads.received` event or a snapshot arrived.
    public var lead: Lead?
    /// Whether the base is the `leads.received` event (rather than a later snapshot).
    public var hasReceived: Bool = false
    /// The intake channel, from `leads.received`.
    public var intakeChannel: IntakeChannel?
    /// The team working it (from `leads.assigned`).
    public var teamId: String?
    /// The first assignment.
    public var firstAssignedAt: Date?
    /// The latest assignment.
    public var assignedAt: Date?
    /// The response deadline of the latest assignment.
    public var responseDueAt: Date?
    /// When the lead was sent to its current location.
    public var locationSentAt: Date?
    /// When the current location first reached each response status (raw value → time).
    public var locationResponseAt: [String: Date] = [:]
    /// The first response by a person (see ``ResponseRule``).
    public var firstResponseAt: Date?
    /// The latest response by a person.
    public var lastResponseAt: Date?
    /// When each lifecycle stage was first reached (raw value → time).
    public var stageReachedAt: [String: Date] = [:]
    /// The pipeline statuses the lead went through, in order.
    public var statusHistory: [StatusPeriod] = []
    /// Won or lost, once closed.
    public var outcome: LeadOutcome?
    /// When it closed.
    public var closedAt: Date?
    /// Why it was lost.
    public var lostReason: LostReason?
    /// What was sold, for a converted lead.
    public var conversion: Conversion?
    /// Revenue the location reported in surveys.
    public var surveyRevenue: [Money] = []
    /// Open tasks: id → due time.
    public var openTasks: [String: Date] = [:]
    /// The pending follow-up, if a task completion promised one.
    public var followUp: FollowUp?
    /// Appointments by id.
    public var appointments: [String: AppointmentFact] = [:]
    /// Leads merged into this one (and not unmerged).
    public var mergedLeadIds: [LeadID] = []
    /// Whether personal data was erased.
    public var erased: Bool = false
    /// The latest event applied, in ``EventOrder``.
    public var last: EventOrder?
    /// Events applied.
    public var eventCount: Int = 0

    /// An empty projection of `leadId`.
    public init(leadId: LeadID) {
        self.leadId = leadId
    }

    // MARK: Folding

    /// The projection of a lead's whole history, whatever order the events arrived in.
    ///
    /// The base is the `leads.received` lead if there is one, else the earliest snapshot
    /// (scored or assigned); every event is then applied in ``EventOrder``.
    public static func fold(leadId: LeadID, events: [ProjectedEvent]) -> LeadProjection {
        var projection = LeadProjection(leadId: leadId)
        let sorted = events.sorted { $0.order < $1.order }
        if let received = sorted.first(where: { if case .received = $0.event { true } else { false } }),
           case .received(let event) = received.event {
            projection.setBase(event.lead, fromReceived: true)
            projection.intakeChannel = event.intake.channel
        } else if let snapshot = sorted.lazy.compactMap(\.leadSnapshot).first {
            projection.setBase(snapshot, fromReceived: false)
        }
        for event in sorted {
            projection.applyEffects(event)
        }
        return projection
    }

    /// Whether `event` may be applied on top of this projection with the same result as
    /// folding the whole history again.
    public func canApplyIncrementally(_ event: ProjectedEvent) -> Bool {
        guard eventCount > 0, let last else { return true }
        if event.order < last { return false }
        if case .received = event.event, !hasReceived { return false }
        if lead == nil, event.leadSnapshot != nil { return false }
        return true
    }

    /// Applies `event` on top (check ``canApplyIncrementally(_:)`` first).
    public mutating func apply(_ event: ProjectedEvent) {
        if eventCount == 0 || lead == nil {
            if case .received(let received) = event.event {
                setBase(received.lead, fromReceived: true)
                intakeChannel = received.intake.channel
            } else if let snapshot = event.leadSnapshot {
                setBase(snapshot, fromReceived: false)
            }
        }
        applyEffects(event)
    }

    /// Sets the lead the events are applied to and the facts it starts with.
    private mutating func setBase(_ base: Lead, fromReceived: Bool) {
        var base = base
        base.id = leadId
        lead = base
        hasReceived = fromReceived
        stageReachedAt = [base.lifecycleStage.rawValue: base.createdAt]
        statusHistory = [StatusPeriod(status: base.pipelineStatus, enteredAt: base.createdAt)]
        if let outcome = OutcomeRule.outcome(pipelineId: base.pipelineId, status: base.pipelineStatus, lostReason: nil) {
            self.outcome = outcome
            closedAt = base.createdAt
        }
        if base.locationId != nil {
            locationSentAt = base.createdAt
            if let response = base.locationResponse { locationResponseAt[response.rawValue] = base.createdAt }
        }
    }

    /// Applies what `event` changes; without a base only the bookkeeping moves.
    private mutating func applyEffects(_ projected: ProjectedEvent) {
        defer {
            eventCount += 1
            let order = projected.order
            if last.map({ order > $0 }) ?? true { last = order }
        }
        guard lead != nil else { return }
        let time = projected.event.occurredAt
        switch projected.event {
        case .received:
            break
        case .lifecycle(let event):
            applyLifecycle(event.change, actor: event.actor, at: time)
        case .scored(let event):
            guard var scoredLead = lead else { return }
            scoredLead.score = event.score
            scoredLead.priority = event.priority
            if time > scoredLead.lastActivityAt { scoredLead.lastActivityAt = time }
            lead = scoredLead
        case .assigned(let event):
            applyAssignment(event, at: time)
        case .notification, .metrics, .deadLetter:
            break
        }
    }

    private mutating func applyAssignment(_ event: LeadAssigned, at time: Date) {
        guard var lead else { return }
        if let locationId = event.locationId, locationId != lead.locationId {
            lead.locationId = locationId
            lead.locationResponse = .unacknowledged
            locationSentAt = time
            locationResponseAt = [LocationResponseStatus.unacknowledged.rawValue: time]
        }
        if let ownerId = event.ownerId { lead.ownerId = ownerId }
        if let teamId = event.teamId { self.teamId = teamId }
        if time > lead.lastActivityAt { lead.lastActivityAt = time }
        self.lead = lead
        if firstAssignedAt == nil { firstAssignedAt = time }
        assignedAt = time
        responseDueAt = event.responseDueAt
    }

    private mutating func applyLifecycle(_ change: LifecycleChange, actor: Actor, at time: Date) {
        guard let before = lead else { return }
        var after = before
        after.apply(change, at: time)
        if after.lifecycleStage != before.lifecycleStage, stageReachedAt[after.lifecycleStage.rawValue] == nil {
            stageReachedAt[after.lifecycleStage.rawValue] = time
        }
        if ResponseRule.isResponse(change, by: actor) {
            if firstResponseAt == nil { firstResponseAt = time }
            lastResponseAt = max(lastResponseAt ?? time, time)
        }
        switch change {
        case .pipelineStatusChanged(let pipelineId, _, let to, let lostReason, _):
            if let index = statusHistory.indices.last { statusHistory[index].leftAt = time }
            statusHistory.append(StatusPeriod(status: to, enteredAt: time))
            if let outcome = OutcomeRule.outcome(pipelineId: pipelineId, status: to, lostReason: lostReason) {
                self.outcome = outcome
                closedAt = time
                self.lostReason = outcome == .lost ? lostReason : nil
            }
        case .locationResponseChanged(let locationId, _, let to, _, _):
            if locationId != before.locationId {
                locationSentAt = time
                locationResponseAt = [:]
            }
            if locationResponseAt[to.rawValue] == nil { locationResponseAt[to.rawValue] = time }
        case .manuallyAssigned(_, let locationId, _):
            if let locationId, locationId != before.locationId {
                locationSentAt = time
                locationResponseAt = [:]
            }
            if firstAssignedAt == nil { firstAssignedAt = time }
            assignedAt = time
        case .taskCreated(let task):
            openTasks[task.id] = task.dueAt
        case .taskCompleted(let taskId, _, let nextFollowUpAt):
            openTasks[taskId] = nil
            followUp = nextFollowUpAt.map { FollowUp(dueAt: $0, promisedAt: time) }
        case .appointmentScheduled(let appointment):
            appointments[appointment.id] = AppointmentFact(id: appointment.id, at: appointment.at, kind: appointment.kind)
        case .appointmentOutcome(let appointmentId, let kept):
            appointments[appointmentId]?.kept = kept
        case .converted(let conversion):
            self.conversion = conversion
        case .surveyAnswered(let survey):
            if survey.kind == .locationRevenue, let revenue = survey.revenue { surveyRevenue.append(revenue) }
        case .merged(let ids, _):
            for id in ids where !mergedLeadIds.contains(id) { mergedLeadIds.append(id) }
        case .unmerged(let ids, _):
            mergedLeadIds.removeAll { ids.contains($0) }
        case .erased:
            erased = true
            conversion = conversion.map(Self.anonymized)
        default:
            break
        }
        lead = after
    }

    private static func anonymized(_ conversion: Conversion) -> Conversion {
        var conversion = conversion
        conversion.vehicleSold?.vin = nil
        conversion.vehicleSold?.comments = nil
        conversion.tradeIn?.vin = nil
        conversion.tradeIn?.comments = nil
        return conversion
    }
}
