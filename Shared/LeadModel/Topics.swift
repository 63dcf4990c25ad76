/// The Kafka topics Leadflow uses. Every topic is keyed by lead id.
public enum Topic: String, Hashable, Sendable, Codable, CaseIterable, CustomStringConvertible {
    /// Raw leads published directly by feeds (consumed by ingest).
    case inbound = "leads.inbound"
    /// A new lead was accepted and normalized (``LeadReceived``).
    case received = "leads.received"
    /// Something happened to an existing lead (``LeadLifecycleEvent``).
    case lifecycle = "leads.lifecycle"
    /// A lead was (re)scored (``LeadScored``).
    case scored = "leads.scored"
    /// A lead was assigned or re-assigned (``LeadAssigned``).
    case assigned = "leads.assigned"
    /// A notification was sent, failed or suppressed (``NotificationOutcome``).
    case notificationOutcomes = "notifications.outcomes"
    /// Periodic metrics (``MetricsSnapshot``).
    case analyticsMetrics = "analytics.metrics"
    /// Anything that could not be processed (``DeadLetter``).
    case deadLetter = "leads.deadletter"

    /// Every Leadflow topic, for creating them.
    public static let allLeadflowTopics: [Topic] = allCases

    /// Partitions per topic by default: each service scales to this many consumers per group.
    public static let defaultPartitionCount = 12

    /// The topic name.
    public var name: String { rawValue }

    /// The topic name.
    public var description: String { rawValue }
}
