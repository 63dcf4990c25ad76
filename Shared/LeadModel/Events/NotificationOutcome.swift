import Foundation

/// The channel a notification goes out on.
public enum NotificationChannel: String, Hashable, Sendable, Codable, CaseIterable {
    case email, sms, webhook
}

/// Why a notification was sent.
public enum NotificationPurpose: String, Hashable, Sendable, Codable, CaseIterable {
    case newLeadAssigned = "new_lead_assigned"
    case reminder
    case overdue
    case statusUpdateRequest = "status_update_request"
    case locationSurvey = "location_survey"
    case customerReviewRequest = "customer_review_request"
    case customerAcknowledgement = "customer_acknowledgement"
}

/// What happened to the delivery attempt.
public enum NotificationStatus: String, Hashable, Sendable, Codable, CaseIterable {
    /// Accepted by the SMTP server, SMS provider or webhook endpoint.
    case sent
    /// Given up after the last attempt.
    case failed
    /// Failed for now; another attempt is scheduled.
    case retrying
    /// Not sent on purpose (opt-out, quiet hours, test lead, duplicate).
    case suppressed
}

/// Who a notification went to, without personal data.
public struct NotificationRecipient: Hashable, Sendable, Codable {
    /// What kind of recipient.
    public enum Kind: String, Hashable, Sendable, Codable, CaseIterable {
        case member
        case locationContact = "location_contact"
        case customer
        case webhook
    }

    /// The recipient's id (member id, location contact id, lead id for the customer, webhook id).
    public var id: String
    /// What kind of recipient.
    public var kind: NotificationRecipient.Kind
    /// A hash of the normalized address (e.g. hex SHA-256), to correlate without revealing it.
    public var addressHash: String?
    /// A masked address for display, e.g. `j***@example.com`, `+1******0142`.
    public var maskedAddress: String?

    /// Creates a recipient record.
    public init(id: String, kind: NotificationRecipient.Kind, addressHash: String? = nil, maskedAddress: String? = nil) {
        self.id = id
        self.kind = kind
        self.addressHash = addressHash
        self.maskedAddress = maskedAddress
    }
}

/// The outcome of one notification delivery (topic `notifications.outcomes`).
public struct NotificationOutcome: LeadEvent {
    /// The CloudEvents type.
    public static let eventType = "io.leadflow.notification.outcome.v1"
    /// The topic it is published to.
    public static let topic = Topic.notificationOutcomes

    /// Unique per event; consumers de-duplicate on it.
    public var eventId: UUID
    /// The lead it is about.
    public var leadId: LeadID
    /// When it happened.
    public var occurredAt: Date
    /// The notification's idempotency key (the same across retries of one notification).
    public var notificationKey: String
    /// E-mail, SMS or webhook.
    public var channel: NotificationChannel
    /// Why it was sent.
    public var purpose: NotificationPurpose
    /// Who it went to.
    public var recipient: NotificationRecipient
    /// Sent, failed, retrying or suppressed.
    public var status: NotificationStatus
    /// Attempts made so far (at least 1 unless suppressed).
    public var attempts: Int
    /// The last error, for failed and retrying.
    public var error: String?
    /// When the next attempt is due, for retrying.
    public var nextAttemptAt: Date?
    /// The event that caused the notification.
    public var causationEventId: UUID?

    /// Creates an outcome event.
    public init(
        eventId: UUID = UUID(), leadId: LeadID, occurredAt: Date, notificationKey: String,
        channel: NotificationChannel, purpose: NotificationPurpose, recipient: NotificationRecipient,
        status: NotificationStatus, attempts: Int, error: String? = nil, nextAttemptAt: Date? = nil,
        causationEventId: UUID? = nil
    ) {
        self.eventId = eventId
        self.leadId = leadId
        self.occurredAt = occurredAt
        self.notificationKey = notificationKey
        self.channel = channel
        self.purpose = purpose
        self.recipient = recipient
        self.status = status
        self.attempts = attempts
        self.error = error
        self.nextAttemptAt = nextAttemptAt
        self.causationEventId = causationEventId
    }
}
