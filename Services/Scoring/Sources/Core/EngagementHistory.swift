import Foundation
import LeadModel

/// What happened on a lead since intake that scoring counts: replies, calls, appointments, chats,
/// repeat inquiries, rejections and the outcome. Kept beside scoring's copy of the lead (the lead
/// record itself does not keep its activities) and updated from every `leads.lifecycle` change.
public struct EngagementHistory: Hashable, Sendable, Codable {
    /// Customer replies: inbound e-mails, SMS or chats, and activities marked `replied`.
    public var replies: Int = 0
    /// Calls that connected, either direction.
    public var callsConnected: Int = 0
    /// Appointments scheduled.
    public var appointmentsScheduled: Int = 0
    /// Whether a test drive was requested (an appointment of that kind, or the pipeline reached it).
    public var testDriveRequested: Bool = false
    /// Appointments the customer kept.
    public var appointmentsKept: Int = 0
    /// Appointments the customer missed.
    public var noShows: Int = 0
    /// The latest chat with the customer.
    public var lastChatAt: Date?
    /// The latest sign of life from the customer (reply, connected call, appointment, repeat
    /// inquiry, a move to a later lifecycle stage); recency decay counts from it.
    public var lastEngagementAt: Date?
    /// Repeat submissions by the same person.
    public var duplicateInquiries: Int = 0
    /// Whether a location rejected the lead as a duplicate.
    public var rejectedAsDuplicate: Bool = false
    /// How the lead ended, once it did.
    public var outcome: PipelineOutcome?

    /// An empty history.
    public init() {}

    /// Counts `change`, which happened at `time`. `duplicateKeywords` recognise a
    /// location's rejection of a duplicate. Returns the outcome the change settled, if it closed
    /// the lead just now.
    @discardableResult
    public mutating func record(_ change: LifecycleChange, at time: Date, duplicateKeywords: [String]) -> PipelineOutcome? {
        let before = outcome
        switch change {
        case .activityLogged(let activity):
            record(activity)
        case .appointmentScheduled(let appointment):
            appointmentsScheduled += 1
            if appointment.kind == .testDrive { testDriveRequested = true }
            engaged(at: time)
        case .appointmentOutcome(_, let kept):
            if kept {
                appointmentsKept += 1
                engaged(at: time)
            } else {
                noShows += 1
            }
        case .duplicateInquiry:
            duplicateInquiries += 1
            engaged(at: time)
        case .stageChanged(let from, let to):
            if to > from { engaged(at: time) }
        case .pipelineStatusChanged(let pipelineId, _, let to, _, _):
            if to == .testDrive { testDriveRequested = true }
            if let settled = Self.outcome(of: to, pipelineId: pipelineId) { outcome = settled }
        case .locationResponseChanged(_, _, let to, let note, _):
            switch to {
            case .rejected:
                if LeadFacts.mentions(duplicateKeywords, in: (note ?? "").prefix(65_536).lowercased()) {
                    rejectedAsDuplicate = true
                }
            case .won: outcome = .won
            case .lost: outcome = outcome ?? .lost
            default: break
            }
        case .converted:
            outcome = .won
        case .noteAdded, .taskCreated, .taskCompleted, .vehicleAdded, .tradeInAdded, .collaboratorsChanged,
             .manuallyAssigned, .erased, .surveyAnswered, .merged, .unmerged:
            break
        }
        return before != outcome ? outcome : nil
    }

    private mutating func record(_ activity: Activity) {
        let failed: Set<Activity.Outcome> = [.noAnswer, .bounced, .cancelled, .busy, .voicemail]
        let written: Set<Activity.Kind> = [.email, .sms, .chat]
        if (activity.direction == .inbound && written.contains(activity.kind) && !failed.contains(activity.outcome))
            || activity.outcome == .replied
        {
            replies += 1
            engaged(at: activity.at)
        }
        if activity.kind == .call && activity.outcome == .connected {
            callsConnected += 1
            engaged(at: activity.at)
        }
        if activity.kind == .meeting && (activity.outcome == .completed || activity.outcome == .connected) {
            engaged(at: activity.at)
        }
        if activity.kind == .chat && !failed.contains(activity.outcome) {
            lastChatAt = max(lastChatAt ?? activity.at, activity.at)
        }
    }

    private mutating func engaged(at time: Date) {
        lastEngagementAt = max(lastEngagementAt ?? time, time)
    }

    /// The outcome a pipeline status records: from the pipeline's definition for the default
    /// pipeline, else from the status key (`…won` / `…lost`) of a custom pipeline.
    public static func outcome(of status: PipelineStatus, pipelineId: String) -> PipelineOutcome? {
        if pipelineId == Pipeline.default.id, let definition = Pipeline.default.definition(of: status) {
            return definition.outcome
        }
        let key = status.rawValue.lowercased()
        if key.hasSuffix("won") { return .won }
        if key.hasSuffix("lost") { return .lost }
        return nil
    }
}
