import Foundation
import LeadModel
import LeadServiceKit
import LeadStorage

/// Builds what the notifier publishes about deliveries: `notifications.outcomes` events and, for
/// deliveries given up on, `leads.deadletter` entries. Neither ever holds an address or content.
struct Outcomes: Sendable {
    let events: EventEncoder

    /// The outbox record of an outcome of `record`.
    func outcome(
        _ record: DeliveryRecord, status: NotificationStatus, attempts: Int, error: String?, nextAttemptAt: Date?, now: Date
    ) throws -> OutboxRecord {
        try events.record(NotificationOutcome(
            leadId: record.leadId, occurredAt: now, notificationKey: record.key.value, channel: record.channel,
            purpose: record.kind.purpose, recipient: record.recipient, status: status, attempts: attempts, error: error,
            nextAttemptAt: nextAttemptAt, causationEventId: record.causeEventId))
    }

    /// What a dead letter of a delivery carries: enough to find and replay it, nothing personal.
    struct DeadDelivery: Codable {
        let deliveryId: UUID
        let notificationKey: String
        let kind: NotificationKind
        let purpose: NotificationPurpose
        let channel: NotificationChannel
        let recipient: NotificationRecipient
        let attempts: Int
        let lastError: String
        let causeEventId: UUID?
    }

    /// The outbox record dead-lettering a delivery that failed for good.
    func deadLetter(_ record: DeliveryRecord, attempts: Int, error: String, now: Date) throws -> OutboxRecord {
        let body = DeadDelivery(
            deliveryId: record.id, notificationKey: record.key.value, kind: record.kind, purpose: record.kind.purpose,
            channel: record.channel, recipient: record.recipient, attempts: attempts, lastError: error,
            causeEventId: record.causeEventId)
        return try events.record(DeadLetter(
            leadId: record.leadId, originalTopic: "notifier.deliveries", originalKey: record.leadId.description,
            originalHeaders: ["notification-key": record.key.value, "delivery-id": record.id.uuidString.lowercased()],
            originalValue: try LeadflowJSON.encode(body), stage: .notifier, errorCode: "delivery_failed",
            reason: "gave up after \(attempts) attempt(s): \(error)", failedAt: now, attempts: attempts))
    }
}
