import LeadModel

/// What a notification is about. Each kind has its own templates per channel and maps to the
/// ``NotificationPurpose`` published in `notifications.outcomes`.
public enum NotificationKind: String, Hashable, Sendable, Codable, CaseIterable {
    /// A lead was assigned to the recipient (speed to lead).
    case newLeadAssigned = "new_lead_assigned"
    /// A follow-up reminder the salesperson asked for (1 hour, tomorrow, 3 days, 1 week, custom).
    case reminder
    /// A task on the lead is due (default tasks per lead category, or a task someone created).
    case taskDue = "task_due"
    /// The lead has an appointment today ("needs attention").
    case appointmentToday = "appointment_today"
    /// A response or task is overdue.
    case overdue
    /// A location contact is asked for the status of an accepted or won lead.
    case statusUpdateRequest = "status_update_request"
    /// The location reports the revenue attributable to a completed lead.
    case locationSurvey = "location_survey"
    /// The customer reviews the location after a completed lead.
    case customerReviewRequest = "customer_review_request"
    /// The customer's automatic "we got your request" message.
    case customerAcknowledgement = "customer_acknowledgement"

    /// The purpose reported in `notifications.outcomes`.
    public var purpose: NotificationPurpose {
        switch self {
        case .newLeadAssigned: .newLeadAssigned
        case .reminder, .taskDue, .appointmentToday: .reminder
        case .overdue: .overdue
        case .statusUpdateRequest: .statusUpdateRequest
        case .locationSurvey: .locationSurvey
        case .customerReviewRequest: .customerReviewRequest
        case .customerAcknowledgement: .customerAcknowledgement
        }
    }

    /// Whether the notification goes to the lead's customer rather than to staff.
    public var isCustomerFacing: Bool {
        self == .customerReviewRequest || self == .customerAcknowledgement
    }

    /// Whether the lead owner's "include collaborators" preference copies the lead's
    /// collaborators on this kind.
    public var copiesCollaborators: Bool {
        switch self {
        case .newLeadAssigned, .reminder, .taskDue, .appointmentToday, .overdue: true
        default: false
        }
    }

    /// A short human-readable name (used in previews and listings).
    public var title: String {
        switch self {
        case .newLeadAssigned: "New lead assigned"
        case .reminder: "Follow-up reminder"
        case .taskDue: "Task due"
        case .appointmentToday: "Needs attention: appointment today"
        case .overdue: "Overdue"
        case .statusUpdateRequest: "Status-update request"
        case .locationSurvey: "Location survey"
        case .customerReviewRequest: "Customer review request"
        case .customerAcknowledgement: "Customer auto-acknowledgement"
        }
    }
}
