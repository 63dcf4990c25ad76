import Foundation
import LeadModel

/// A change someone asks for on an existing lead, read and normalized; ``CommandPlanner``
/// validates it against the lead and turns it into lifecycle changes.
public enum LifecycleCommand: Sendable, Hashable {
    case changeStage(to: LifecycleStage)
    case changeStatus(to: PipelineStatus, lostReason: LostReason?, note: String?, pipelineId: String?)
    case respond(to: LocationResponseStatus, note: String?, followUpDelay: FollowUpDelay?, lostReason: LostReason?)
    case addNote(String)
    case logActivity(Activity)
    case createTask(LeadTask)
    case completeTask(id: String, comment: String, nextFollowUpAt: Date?)
    case scheduleAppointment(Appointment)
    case recordAppointmentOutcome(id: String, kept: Bool)
    case addVehicle(VehicleOfInterest)
    case addTradeIn(TradeIn)
    case changeCollaborators(add: [String], remove: [String])
    case assign(ownerId: String, locationId: String?, note: String)
    case convert(Conversion)
    case erase
    case answerSurvey(SurveyAnswer)

    /// A short name for logs and metrics.
    public var name: String {
        switch self {
        case .changeStage: "stage"
        case .changeStatus: "status"
        case .respond: "location_response"
        case .addNote: "note"
        case .logActivity: "activity"
        case .createTask: "task"
        case .completeTask: "task_completion"
        case .scheduleAppointment: "appointment"
        case .recordAppointmentOutcome: "appointment_outcome"
        case .addVehicle: "vehicle"
        case .addTradeIn: "trade_in"
        case .changeCollaborators: "collaborators"
        case .assign: "assignment"
        case .convert: "conversion"
        case .erase: "erasure"
        case .answerSurvey: "survey"
        }
    }
}

/// Why a command cannot apply to the lead as it is. `kind` decides the HTTP status.
public struct CommandError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// The lead's state forbids it (409).
        case conflict
        /// The request lacks what the change needs (422).
        case invalid
        /// A task or appointment it names does not exist (404).
        case notFound
    }

    public var kind: Kind
    public var code: String
    public var detail: String
    public var field: String?
    public var rule: String?

    public init(_ kind: Kind, code: String, detail: String, field: String? = nil, rule: String? = nil) {
        self.kind = kind
        self.code = code
        self.detail = detail
        self.field = field
        self.rule = rule
    }

    init(_ error: TransitionError) {
        let conflict: Set<String> = ["illegal_transition", "terminal_status", "no_change"]
        let field: String? = switch error.code.rawValue {
        case "lost_reason_required", "unexpected_lost_reason": "/lostReason"
        case "note_required": "/note"
        default: "/to"
        }
        self.init(conflict.contains(error.code.rawValue) ? .conflict : .invalid, code: error.code.rawValue,
                  detail: error.message, field: field, rule: "transition")
    }

    public var description: String { "\(code): \(detail)" }
}

/// What the planner needs to know beyond the lead record.
public struct CommandContext: Sendable, Hashable {
    /// For `completeTask`: `nil` unknown task, `.some(nil)` open, `.some(date)` completed.
    public var taskCompletedAt: Date??
    /// For `recordAppointmentOutcome`: `nil` unknown, `.some(nil)` no outcome yet.
    public var appointmentKept: Bool??

    public init(taskCompletedAt: Date?? = nil, appointmentKept: Bool?? = nil) {
        self.taskCompletedAt = taskCompletedAt
        self.appointmentKept = appointmentKept
    }
}

/// Validates commands against a lead with LeadModel's transition rules and says which lifecycle
/// changes they make. Pure: no storage, no clock.
public enum CommandPlanner {
    /// The changes `command` makes to `lead`, in order.
    public static func changes(
        for command: LifecycleCommand, lead: Lead, context: CommandContext = CommandContext()
    ) throws(CommandError) -> [LifecycleChange] {
        switch command {
        case .changeStage(let to):
            guard to != lead.lifecycleStage else {
                throw CommandError(.conflict, code: "no_change", detail: "the lead is already at stage \(to.rawValue)", field: "/to", rule: "transition")
            }
            do { try lead.lifecycleStage.validateTransition(to: to) } catch { throw CommandError(error) }
            return [.stageChanged(from: lead.lifecycleStage, to: to)]

        case .changeStatus(let to, let lostReason, let note, let pipelineId):
            if let pipelineId, pipelineId != lead.pipelineId {
                throw CommandError(.invalid, code: "unknown_pipeline", detail: "the lead is in pipeline \(lead.pipelineId)", field: "/pipelineId", rule: "match")
            }
            let pipeline = Pipeline.default
            do {
                try pipeline.validateTransition(from: lead.pipelineStatus, to: to, lostReason: lostReason, note: note)
            } catch {
                throw CommandError(error)
            }
            return [.pipelineStatusChanged(pipelineId: lead.pipelineId, from: lead.pipelineStatus, to: to, lostReason: lostReason, note: note)]

        case .respond(let to, let note, let followUpDelay, let lostReason):
            guard let locationId = lead.locationId else {
                throw CommandError(.conflict, code: "no_location", detail: "the lead has not been sent to a location", rule: "state")
            }
            let from = lead.locationResponse ?? .unacknowledged
            do { try from.validateTransition(to: to) } catch { throw CommandError(error) }
            var text = note
            if to == .lost {
                guard let lostReason else {
                    throw CommandError(.invalid, code: "lost_reason_required", detail: "a lost lead needs a lost reason", field: "/lostReason", rule: "required")
                }
                if lostReason.requiresNote, (note ?? "").isEmpty {
                    throw CommandError(.invalid, code: "note_required", detail: "lost reason \"other\" needs a note saying why", field: "/note", rule: "required")
                }
                text = "lost reason: \(lostReason.rawValue)" + (note.map { " — \($0)" } ?? "")
            } else if lostReason != nil {
                throw CommandError(.invalid, code: "unexpected_lost_reason", detail: "a lost reason only goes with lost", field: "/lostReason", rule: "transition")
            }
            if followUpDelay != nil, !to.awaitsStatusUpdate {
                throw CommandError(.invalid, code: "unexpected_follow_up_delay", detail: "a follow-up delay only goes with accepted or won", field: "/followUpDelay", rule: "transition")
            }
            return [.locationResponseChanged(locationId: locationId, from: from, to: to, note: text, followUpDelay: followUpDelay)]

        case .addNote(let text):
            return [.noteAdded(text: text)]

        case .logActivity(let activity):
            return [.activityLogged(activity)]

        case .createTask(let task):
            return [.taskCreated(task)]

        case .completeTask(let id, let comment, let next):
            switch context.taskCompletedAt {
            case nil:
                throw CommandError(.notFound, code: "task_not_found", detail: "the lead has no task \(id.prefix(64))")
            case .some(.some):
                throw CommandError(.conflict, code: "task_already_completed", detail: "the task is already completed", rule: "state")
            case .some(.none):
                return [.taskCompleted(taskId: id, comment: comment, nextFollowUpAt: next)]
            }

        case .scheduleAppointment(let appointment):
            return [.appointmentScheduled(appointment)]

        case .recordAppointmentOutcome(let id, let kept):
            switch context.appointmentKept {
            case nil:
                throw CommandError(.notFound, code: "appointment_not_found", detail: "the lead has no appointment \(id.prefix(64))")
            case .some(.some):
                throw CommandError(.conflict, code: "appointment_outcome_recorded", detail: "the appointment's outcome is already recorded", rule: "state")
            case .some(.none):
                return [.appointmentOutcome(appointmentId: id, kept: kept)]
            }

        case .addVehicle(let vehicle):
            return [.vehicleAdded(vehicle)]

        case .addTradeIn(let tradeIn):
            return [.tradeInAdded(tradeIn)]

        case .changeCollaborators(let add, let remove):
            let existing = Set(lead.collaborators)
            var added: [String] = []
            for id in add where !existing.contains(id) && !added.contains(id) && id != lead.ownerId { added.append(id) }
            var removed: [String] = []
            for id in remove where existing.contains(id) && !removed.contains(id) { removed.append(id) }
            guard !added.isEmpty || !removed.isEmpty else {
                throw CommandError(.conflict, code: "no_change", detail: "the collaborators are already so", rule: "state")
            }
            return [.collaboratorsChanged(added: added, removed: removed)]

        case .assign(let ownerId, let locationId, let note):
            if ownerId == lead.ownerId, locationId == nil || locationId == lead.locationId {
                throw CommandError(.conflict, code: "no_change", detail: "the lead is already assigned so", field: "/ownerId", rule: "state")
            }
            return [.manuallyAssigned(ownerId: ownerId, locationId: locationId, note: note)]

        case .convert(let conversion):
            var changes: [LifecycleChange] = []
            if lead.pipelineStatus != .closedWon {
                do {
                    try Pipeline.default.validateTransition(from: lead.pipelineStatus, to: .closedWon)
                } catch {
                    throw CommandError(error)
                }
                changes.append(.pipelineStatusChanged(pipelineId: lead.pipelineId, from: lead.pipelineStatus, to: .closedWon, lostReason: nil, note: nil))
            }
            changes.append(.converted(conversion))
            return changes

        case .erase:
            return [.erased]

        case .answerSurvey(let answer):
            return [.surveyAnswered(answer)]
        }
    }
}
