import Foundation

/// What happened to a lead, in a ``LeadLifecycleEvent``.
///
/// JSON: an object with a `kind` discriminator (the snake_case ``Kind``) and the case's fields,
/// e.g. `{"kind": "stage_changed", "from": "lead", "to": "quote"}`. Struct payloads sit under
/// one named field (`activity`, `task`, `appointment`, `vehicle`, `tradeIn`, `conversion`,
/// `inquiry`, `survey`).
public enum LifecycleChange: Hashable, Sendable, Codable {
    /// The lifecycle stage moved forward.
    case stageChanged(from: LifecycleStage, to: LifecycleStage)
    /// The pipeline status changed; lost statuses carry a reason (and a note for `other`).
    case pipelineStatusChanged(
        pipelineId: String, from: PipelineStatus, to: PipelineStatus, lostReason: LostReason?, note: String?)
    /// The assigned location responded; accepting may set its follow-up delay.
    case locationResponseChanged(
        locationId: String, from: LocationResponseStatus, to: LocationResponseStatus, note: String?,
        followUpDelay: FollowUpDelay?)
    /// A note was added.
    case noteAdded(text: String)
    /// A call, e-mail, chat, SMS or meeting was logged.
    case activityLogged(Activity)
    /// A task was created.
    case taskCreated(LeadTask)
    /// A task was completed, with a comment and optionally the next follow-up.
    case taskCompleted(taskId: String, comment: String, nextFollowUpAt: Date?)
    /// An appointment was scheduled.
    case appointmentScheduled(Appointment)
    /// An appointment was kept or missed (no-show).
    case appointmentOutcome(appointmentId: String, kept: Bool)
    /// A vehicle of interest was added.
    case vehicleAdded(VehicleOfInterest)
    /// A trade-in was added.
    case tradeInAdded(TradeIn)
    /// Collaborators were added or removed.
    case collaboratorsChanged(added: [String], removed: [String])
    /// A person reassigned the lead by hand, with a note.
    case manuallyAssigned(ownerId: String, locationId: String?, note: String)
    /// The lead was sold (recorded with the move to a won status).
    case converted(Conversion)
    /// The lead's personal data was erased (GDPR). Carries no personal data.
    case erased
    /// The same person submitted again; merged into this lead.
    case duplicateInquiry(DuplicateInquiry)
    /// A location or customer answered a survey.
    case surveyAnswered(SurveyAnswer)
    /// Other leads were merged into this one; `details` (optional, absent in older events) carries
    /// the survivor after the merge, the merged leads as they were and the field choices.
    case merged(mergedLeadIds: [LeadID], details: MergeDetails? = nil)
    /// A merge was undone; these leads exist again. `details` (optional, absent in older events)
    /// carries the survivor after the unmerge and the restored leads' snapshots.
    case unmerged(restoredLeadIds: [LeadID], details: UnmergeDetails? = nil)

    /// The discriminator values.
    public enum Kind: String, Hashable, Sendable, Codable, CaseIterable {
        case stageChanged = "stage_changed"
        case pipelineStatusChanged = "pipeline_status_changed"
        case locationResponseChanged = "location_response_changed"
        case noteAdded = "note_added"
        case activityLogged = "activity_logged"
        case taskCreated = "task_created"
        case taskCompleted = "task_completed"
        case appointmentScheduled = "appointment_scheduled"
        case appointmentOutcome = "appointment_outcome"
        case vehicleAdded = "vehicle_added"
        case tradeInAdded = "trade_in_added"
        case collaboratorsChanged = "collaborators_changed"
        case manuallyAssigned = "manually_assigned"
        case converted
        case erased
        case duplicateInquiry = "duplicate_inquiry"
        case surveyAnswered = "survey_answered"
        case merged
        case unmerged
    }

    /// This change's discriminator.
    public var kind: Kind {
        switch self {
        case .stageChanged: .stageChanged
        case .pipelineStatusChanged: .pipelineStatusChanged
        case .locationResponseChanged: .locationResponseChanged
        case .noteAdded: .noteAdded
        case .activityLogged: .activityLogged
        case .taskCreated: .taskCreated
        case .taskCompleted: .taskCompleted
        case .appointmentScheduled: .appointmentScheduled
        case .appointmentOutcome: .appointmentOutcome
        case .vehicleAdded: .vehicleAdded
        case .tradeInAdded: .tradeInAdded
        case .collaboratorsChanged: .collaboratorsChanged
        case .manuallyAssigned: .manuallyAssigned
        case .converted: .converted
        case .erased: .erased
        case .duplicateInquiry: .duplicateInquiry
        case .surveyAnswered: .surveyAnswered
        case .merged: .merged
        case .unmerged: .unmerged
        }
    }

    private enum CodingKeys: String, CodingKey {
        case kind, from, to, pipelineId, lostReason, note, locationId, followUpDelay, text
        case activity, task, taskId, comment, nextFollowUpAt, appointment, appointmentId, kept
        case vehicle, tradeIn, added, removed, ownerId, conversion, inquiry, survey
        case mergedLeadIds, restoredLeadIds, merge, unmerge
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        switch try c.decode(Kind.self, forKey: .kind) {
        case .stageChanged:
            self = .stageChanged(
                from: try c.decode(LifecycleStage.self, forKey: .from),
                to: try c.decode(LifecycleStage.self, forKey: .to))
        case .pipelineStatusChanged:
            self = .pipelineStatusChanged(
                pipelineId: try c.decode(String.self, forKey: .pipelineId),
                from: try c.decode(PipelineStatus.self, forKey: .from),
                to: try c.decode(PipelineStatus.self, forKey: .to),
                lostReason: try c.decodeIfPresent(LostReason.self, forKey: .lostReason),
                note: try c.decodeIfPresent(String.self, forKey: .note))
        case .locationResponseChanged:
            self = .locationResponseChanged(
                locationId: try c.decode(String.self, forKey: .locationId),
                from: try c.decode(LocationResponseStatus.self, forKey: .from),
                to: try c.decode(LocationResponseStatus.self, forKey: .to),
                note: try c.decodeIfPresent(String.self, forKey: .note),
                followUpDelay: try c.decodeIfPresent(FollowUpDelay.self, forKey: .followUpDelay))
        case .noteAdded:
            self = .noteAdded(text: try c.decode(String.self, forKey: .text))
        case .activityLogged:
            self = .activityLogged(try c.decode(Activity.self, forKey: .activity))
        case .taskCreated:
            self = .taskCreated(try c.decode(LeadTask.self, forKey: .task))
        case .taskCompleted:
            self = .taskCompleted(
                taskId: try c.decode(String.self, forKey: .taskId),
                comment: try c.decode(String.self, forKey: .comment),
                nextFollowUpAt: try c.decodeIfPresent(Date.self, forKey: .nextFollowUpAt))
        case .appointmentScheduled:
            self = .appointmentScheduled(try c.decode(Appointment.self, forKey: .appointment))
        case .appointmentOutcome:
            self = .appointmentOutcome(
                appointmentId: try c.decode(String.self, forKey: .appointmentId),
                kept: try c.decode(Bool.self, forKey: .kept))
        case .vehicleAdded:
            self = .vehicleAdded(try c.decode(VehicleOfInterest.self, forKey: .vehicle))
        case .tradeInAdded:
            self = .tradeInAdded(try c.decode(TradeIn.self, forKey: .tradeIn))
        case .collaboratorsChanged:
            self = .collaboratorsChanged(
                added: try c.decode([String].self, forKey: .added),
                removed: try c.decode([String].self, forKey: .removed))
        case .manuallyAssigned:
            self = .manuallyAssigned(
                ownerId: try c.decode(String.self, forKey: .ownerId),
                locationId: try c.decodeIfPresent(String.self, forKey: .locationId),
                note: try c.decode(String.self, forKey: .note))
        case .converted:
            self = .converted(try c.decode(Conversion.self, forKey: .conversion))
        case .erased:
            self = .erased
        case .duplicateInquiry:
            self = .duplicateInquiry(try c.decode(DuplicateInquiry.self, forKey: .inquiry))
        case .surveyAnswered:
            self = .surveyAnswered(try c.decode(SurveyAnswer.self, forKey: .survey))
        case .merged:
            self = .merged(
                mergedLeadIds: try c.decode([LeadID].self, forKey: .mergedLeadIds),
                details: try c.decodeIfPresent(MergeDetails.self, forKey: .merge))
        case .unmerged:
            self = .unmerged(
                restoredLeadIds: try c.decode([LeadID].self, forKey: .restoredLeadIds),
                details: try c.decodeIfPresent(UnmergeDetails.self, forKey: .unmerge))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .kind)
        switch self {
        case .stageChanged(let from, let to):
            try c.encode(from, forKey: .from)
            try c.encode(to, forKey: .to)
        case .pipelineStatusChanged(let pipelineId, let from, let to, let lostReason, let note):
            try c.encode(pipelineId, forKey: .pipelineId)
            try c.encode(from, forKey: .from)
            try c.encode(to, forKey: .to)
            try c.encodeIfPresent(lostReason, forKey: .lostReason)
            try c.encodeIfPresent(note, forKey: .note)
        case .locationResponseChanged(let locationId, let from, let to, let note, let followUpDelay):
            try c.encode(locationId, forKey: .locationId)
            try c.encode(from, forKey: .from)
            try c.encode(to, forKey: .to)
            try c.encodeIfPresent(note, forKey: .note)
            try c.encodeIfPresent(followUpDelay, forKey: .followUpDelay)
        case .noteAdded(let text):
            try c.encode(text, forKey: .text)
        case .activityLogged(let activity):
            try c.encode(activity, forKey: .activity)
        case .taskCreated(let task):
            try c.encode(task, forKey: .task)
        case .taskCompleted(let taskId, let comment, let nextFollowUpAt):
            try c.encode(taskId, forKey: .taskId)
            try c.encode(comment, forKey: .comment)
            try c.encodeIfPresent(nextFollowUpAt, forKey: .nextFollowUpAt)
        case .appointmentScheduled(let appointment):
            try c.encode(appointment, forKey: .appointment)
        case .appointmentOutcome(let appointmentId, let kept):
            try c.encode(appointmentId, forKey: .appointmentId)
            try c.encode(kept, forKey: .kept)
        case .vehicleAdded(let vehicle):
            try c.encode(vehicle, forKey: .vehicle)
        case .tradeInAdded(let tradeIn):
            try c.encode(tradeIn, forKey: .tradeIn)
        case .collaboratorsChanged(let added, let removed):
            try c.encode(added, forKey: .added)
            try c.encode(removed, forKey: .removed)
        case .manuallyAssigned(let ownerId, let locationId, let note):
            try c.encode(ownerId, forKey: .ownerId)
            try c.encodeIfPresent(locationId, forKey: .locationId)
            try c.encode(note, forKey: .note)
        case .converted(let conversion):
            try c.encode(conversion, forKey: .conversion)
        case .erased:
            break
        case .duplicateInquiry(let inquiry):
            try c.encode(inquiry, forKey: .inquiry)
        case .surveyAnswered(let survey):
            try c.encode(survey, forKey: .survey)
        case .merged(let ids, let details):
            try c.encode(ids, forKey: .mergedLeadIds)
            try c.encodeIfPresent(details, forKey: .merge)
        case .unmerged(let ids, let details):
            try c.encode(ids, forKey: .restoredLeadIds)
            try c.encodeIfPresent(details, forKey: .unmerge)
        }
    }
}
