import Foundation
import LeadModel
import Testing

/// An encoded sample event, named for test output, with the schema file it must satisfy.
struct EventSample: Sendable, CustomTestStringConvertible {
    let name: String
    let eventType: String
    let schemaFile: String
    let json: [UInt8]

    init<Event: LeadflowEvent>(_ name: String, _ event: Event) throws {
        self.name = name
        self.eventType = Event.eventType
        self.schemaFile = "\(Event.topic.rawValue).schema.json"
        self.json = try LeadflowJSON.encode(event)
    }

    var testDescription: String { name }

    /// Every event type, full and minimal, and one lifecycle event per change kind.
    static func all() throws -> [EventSample] {
        var samples = [
            try EventSample("received", Fixtures.leadReceived),
            try EventSample("received.minimal", Fixtures.minimalLeadReceived),
            try EventSample("scored", Fixtures.leadScored),
            try EventSample("scored.minimal", LeadScored(
                leadId: Fixtures.leadId, occurredAt: Fixtures.later, score: 0, rulesVersion: 1, factors: [],
                causationEventId: Fixtures.eventId)),
            try EventSample("assigned", Fixtures.leadAssigned),
            try EventSample("assigned.fallback", LeadAssigned(
                leadId: Fixtures.leadId, occurredAt: Fixtures.later, strategy: .fallback, reason: "No rule matched",
                isFallback: true, causationEventId: Fixtures.eventId)),
            try EventSample("notification", Fixtures.notificationOutcome),
            try EventSample("notification.minimal", NotificationOutcome(
                leadId: Fixtures.leadId, occurredAt: Fixtures.later, notificationKey: "k", channel: .webhook,
                purpose: .overdue, recipient: NotificationRecipient(id: "hook-1", kind: .webhook),
                status: .suppressed, attempts: 0)),
            try EventSample("metrics", Fixtures.metricsSnapshot),
            try EventSample("metrics.empty", MetricsSnapshot(
                occurredAt: Fixtures.later, windowStart: Fixtures.received, windowEnd: Fixtures.later)),
            try EventSample("deadletter", Fixtures.deadLetter),
            try EventSample("deadletter.minimal", DeadLetter(
                originalTopic: "http", originalValue: [], stage: .scoring, errorCode: "schema_violation",
                reason: "missing lead", failedAt: Fixtures.later)),
        ]
        for kind in LifecycleChange.Kind.allCases {
            samples.append(try EventSample("lifecycle.\(kind.rawValue)", Fixtures.lifecycleEvent(kind)))
        }
        samples.append(try EventSample("lifecycle.minimal", LeadLifecycleEvent(
            leadId: Fixtures.leadId, occurredAt: Fixtures.later, actor: .system("ingest"),
            change: .pipelineStatusChanged(pipelineId: "default", from: .new, to: .contacted, lostReason: nil, note: nil))))
        samples.append(try EventSample("lifecycle.follow_up_kind", LeadLifecycleEvent(
            leadId: Fixtures.leadId, occurredAt: Fixtures.later, actor: Fixtures.locationContact,
            change: .locationResponseChanged(locationId: "loc-1", from: .unacknowledged, to: .accepted, note: nil, followUpDelay: .tomorrow))))
        return samples
    }
}
