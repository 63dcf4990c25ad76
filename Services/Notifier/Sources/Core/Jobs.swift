import Foundation
import LeadModel

/// Kinds of scheduled work, persisted and claimed by one instance at a time.
public enum JobKind: String, Hashable, Sendable, Codable, CaseIterable {
    /// A follow-up reminder to a member (asked for through the API, or a task's next follow-up).
    case followUpReminder = "follow_up_reminder"
    /// A task's due reminder, then its overdue alert.
    case taskDue = "task_due"
    /// "Needs attention" on the morning of an appointment.
    case appointmentToday = "appointment_today"
    /// The assignment's response deadline (SLA): alert if nobody responded.
    case responseOverdue = "response_overdue"
    /// A status-update request to the location, repeated at its chosen delay until the lead advances.
    case statusUpdateRequest = "status_update_request"
}

/// The parameters of a job (stored as JSON).
public struct JobPayload: Hashable, Sendable, Codable {
    /// Task title (task jobs).
    public var taskTitle: String?
    /// When the task is due (task jobs).
    public var taskDueAt: Date?
    /// The lead category of a default task.
    public var category: LeadCategory?
    /// Who is reminded (nil: the lead's owner at the time the job fires).
    public var recipientId: String?
    /// The appointment (appointment jobs).
    public var appointment: Appointment?
    /// The reminder's note.
    public var note: String?
    /// The location concerned (status-update requests, response deadline).
    public var locationId: String?
    /// The status the request waits on; the job stops once the lead leaves it.
    public var awaitedStatus: LocationResponseStatus?
    /// The delay between status-update requests.
    public var delay: FollowUpDelay?
    /// The response deadline.
    public var respondBy: Date?

    /// Creates a payload.
    public init(
        taskTitle: String? = nil, taskDueAt: Date? = nil, category: LeadCategory? = nil, recipientId: String? = nil,
        appointment: Appointment? = nil, note: String? = nil, locationId: String? = nil,
        awaitedStatus: LocationResponseStatus? = nil, delay: FollowUpDelay? = nil, respondBy: Date? = nil
    ) {
        self.taskTitle = taskTitle
        self.taskDueAt = taskDueAt
        self.category = category
        self.recipientId = recipientId
        self.appointment = appointment
        self.note = note
        self.locationId = locationId
        self.awaitedStatus = awaitedStatus
        self.delay = delay
        self.respondBy = respondBy
    }
}

/// A job to create. `jobKey` makes creation idempotent (a default task is created once per lead).
public struct JobRequest: Hashable, Sendable {
    /// Unique key of the job.
    public var jobKey: String
    /// What it does.
    public var kind: JobKind
    /// When it first fires.
    public var dueAt: Date
    /// What it is about within the lead (task id, appointment id), for cancellation.
    public var subject: String?
    /// Its parameters.
    public var payload: JobPayload

    /// Creates a request.
    public init(jobKey: String, kind: JobKind, dueAt: Date, subject: String? = nil, payload: JobPayload = JobPayload()) {
        self.jobKey = jobKey
        self.kind = kind
        self.dueAt = dueAt
        self.subject = subject
        self.payload = payload
    }
}

/// Which scheduled jobs of the lead to cancel.
public struct JobCancellation: Hashable, Sendable {
    /// Jobs of these kinds…
    public var kinds: Set<JobKind>
    /// …about this subject only (nil: any).
    public var subject: String?

    /// Creates a cancellation.
    public init(kinds: Set<JobKind>, subject: String? = nil) {
        self.kinds = kinds
        self.subject = subject
    }

    /// Every job of the lead.
    public static let all = JobCancellation(kinds: Set(JobKind.allCases))
}

/// A job as stored, when it fires.
public struct ScheduledJob: Hashable, Sendable {
    /// Its id.
    public var id: UUID
    /// The lead.
    public var leadId: LeadID
    /// What it does.
    public var kind: JobKind
    /// When it is due.
    public var dueAt: Date
    /// How many times it fired before (0 the first time).
    public var occurrence: Int
    /// Its subject.
    public var subject: String?
    /// Its parameters.
    public var payload: JobPayload

    /// Creates a job value.
    public init(id: UUID, leadId: LeadID, kind: JobKind, dueAt: Date, occurrence: Int, subject: String?, payload: JobPayload) {
        self.id = id
        self.leadId = leadId
        self.kind = kind
        self.dueAt = dueAt
        self.occurrence = occurrence
        self.subject = subject
        self.payload = payload
    }
}

/// Who a notification is for, before the recipients directory resolves it.
public enum Audience: Hashable, Sendable {
    /// A member (salesperson, manager) by id; `isOwner` lets the owner's preference copy collaborators.
    case member(String, isOwner: Bool)
    /// Every active contact of a location.
    case locationContacts(String)
    /// The lead's customer.
    case customer
}

/// A notification to compose: what, for whom, when, with which details.
public struct NotificationRequest: Hashable, Sendable {
    /// What it is about.
    public var kind: NotificationKind
    /// For whom.
    public var audience: Audience
    /// When it is due (quiet hours may delay it further).
    public var dueAt: Date
    /// Task details.
    public var taskTitle: String?
    /// Task due time.
    public var taskDueAt: Date?
    /// Appointment details.
    public var appointment: Appointment?
    /// Reminder note.
    public var note: String?
    /// Response deadline.
    public var respondBy: Date?

    /// Creates a request.
    public init(
        kind: NotificationKind, audience: Audience, dueAt: Date, taskTitle: String? = nil, taskDueAt: Date? = nil,
        appointment: Appointment? = nil, note: String? = nil, respondBy: Date? = nil
    ) {
        self.kind = kind
        self.audience = audience
        self.dueAt = dueAt
        self.taskTitle = taskTitle
        self.taskDueAt = taskDueAt
        self.appointment = appointment
        self.note = note
        self.respondBy = respondBy
    }
}

/// Everything an event makes the notifier do.
public struct Plan: Hashable, Sendable {
    /// Notifications to compose now.
    public var notifications: [NotificationRequest] = []
    /// Scheduled jobs to cancel (applied before ``jobs`` are created).
    public var cancellations: [JobCancellation] = []
    /// Jobs to create.
    public var jobs: [JobRequest] = []
    /// Whether to erase the lead's personal data from stored deliveries and stop pending ones.
    public var eraseDeliveries = false

    /// An empty plan.
    public init() {}
}
