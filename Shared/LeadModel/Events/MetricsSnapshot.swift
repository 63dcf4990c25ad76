import Foundation

/// Counts for one source within a metrics window.
public struct SourceMetrics: Hashable, Sendable, Codable {
    /// The source id.
    public var sourceId: String
    /// Leads received.
    public var received: Int
    /// Leads scored.
    public var scored: Int
    /// Leads assigned.
    public var assigned: Int

    /// Creates source counts.
    public init(sourceId: String, received: Int = 0, scored: Int = 0, assigned: Int = 0) {
        self.sourceId = sourceId
        self.received = received
        self.scored = scored
        self.assigned = assigned
    }
}

/// Closed leads within a metrics window.
public struct ConversionCounts: Hashable, Sendable, Codable {
    /// Closed won.
    public var won: Int
    /// Closed lost.
    public var lost: Int

    /// Creates conversion counts.
    public init(won: Int = 0, lost: Int = 0) {
        self.won = won
        self.lost = lost
    }
}

/// Periodic pipeline metrics (topic `analytics.metrics`).
///
/// Not about one lead: keyed by ``partitionKeyValue`` (`metrics`) and has no subject.
public struct MetricsSnapshot: LeadflowEvent {
    /// The CloudEvents type.
    public static let eventType = "io.leadflow.metrics.snapshot.v1"
    /// The topic it is published to.
    public static let topic = Topic.analyticsMetrics
    /// The Kafka key of every snapshot, so snapshots stay in order.
    public static let partitionKeyValue = "metrics"

    /// Unique per event; consumers de-duplicate on it.
    public var eventId: UUID
    /// When it happened.
    public var occurredAt: Date
    /// Window start (inclusive).
    public var windowStart: Date
    /// Window end (exclusive).
    public var windowEnd: Date
    /// Counts per source.
    public var perSource: [SourceMetrics]
    /// Median time from receipt to first response, in milliseconds, if any responded.
    public var medianSpeedToLeadMs: Int?
    /// Closed leads.
    public var conversions: ConversionCounts

    /// Creates a snapshot.
    public init(
        eventId: UUID = UUID(), occurredAt: Date, windowStart: Date, windowEnd: Date,
        perSource: [SourceMetrics] = [], medianSpeedToLeadMs: Int? = nil,
        conversions: ConversionCounts = ConversionCounts()
    ) {
        self.eventId = eventId
        self.occurredAt = occurredAt
        self.windowStart = windowStart
        self.windowEnd = windowEnd
        self.perSource = perSource
        self.medianSpeedToLeadMs = medianSpeedToLeadMs
        self.conversions = conversions
    }

    /// Always `metrics`.
    public var partitionKey: String { MetricsSnapshot.partitionKeyValue }
    /// None: a snapshot is about no single lead.
    public var subject: String? { nil }
}
