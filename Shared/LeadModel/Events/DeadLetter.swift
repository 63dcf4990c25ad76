import Foundation

/// The processing stage that gave up on a message.
public enum ProcessingStage: String, Hashable, Sendable, Codable, CaseIterable {
    case ingest, scoring, routing, notifier, analytics
}

/// A message that could not be processed, kept with everything needed to replay it
/// (topic `leads.deadletter`). Nothing is dropped silently.
///
/// Keyed by the original key (the lead id, when there was one) so a lead's failures stay in
/// order. The body says `failedAt`; ``occurredAt`` is the same instant.
public struct DeadLetter: LeadflowEvent {
    /// The CloudEvents type.
    public static let eventType = "io.leadflow.deadletter.v1"
    /// The topic it is published to.
    public static let topic = Topic.deadLetter

    /// Unique per event; consumers de-duplicate on it.
    public var eventId: UUID
    /// The lead, when the original message identified one.
    public var leadId: LeadID?
    /// The topic the message came from (or `http` for intake requests).
    public var originalTopic: String
    /// Its partition.
    public var originalPartition: Int?
    /// Its offset.
    public var originalOffset: Int64?
    /// Its key, as UTF-8 text.
    public var originalKey: String?
    /// Its headers (values as UTF-8 text).
    public var originalHeaders: [String: String]
    /// Its value, base64-encoded, byte for byte.
    public var originalValueBase64: String
    /// The stage that failed.
    public var stage: ProcessingStage
    /// A stable machine-readable code, e.g. `invalid_json`, `schema_violation`, `unknown_event_type`.
    public var errorCode: String
    /// A human-readable explanation.
    public var reason: String
    /// When it was given up on.
    public var failedAt: Date
    /// Processing attempts made.
    public var attempts: Int

    /// Creates a dead letter from the original bytes.
    public init(
        eventId: UUID = UUID(), leadId: LeadID? = nil, originalTopic: String, originalPartition: Int? = nil,
        originalOffset: Int64? = nil, originalKey: String? = nil, originalHeaders: [String: String] = [:],
        originalValue: [UInt8], stage: ProcessingStage, errorCode: String, reason: String,
        failedAt: Date, attempts: Int = 1
    ) {
        self.eventId = eventId
        self.leadId = leadId ?? originalKey.flatMap(LeadID.init)
        self.originalTopic = originalTopic
        self.originalPartition = originalPartition
        self.originalOffset = originalOffset
        self.originalKey = originalKey
        self.originalHeaders = originalHeaders
        self.originalValueBase64 = Data(originalValue).base64EncodedString()
        self.stage = stage
        self.errorCode = errorCode
        self.reason = reason
        self.failedAt = failedAt
        self.attempts = attempts
    }

    /// The original value's bytes; `nil` if the base64 text is corrupt.
    public var originalValue: [UInt8]? {
        Data(base64Encoded: originalValueBase64).map(Array.init)
    }

    /// Same as ``failedAt``.
    public var occurredAt: Date { failedAt }

    /// The original key, else the event id.
    public var partitionKey: String { originalKey ?? eventId.uuidString.lowercased() }

    /// The lead id, when known.
    public var subject: String? { leadId?.description }
}
