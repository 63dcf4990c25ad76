import Foundation
import LeadMessaging
import LeadModel
import LeadServiceKit
import LeadStorage
import Logging
import PostgresNIO

/// The projection of one schema: applies consumed events exactly once (`EventApplier.applyOnce`
/// records the event id in the schema's `processed_events` in the same transaction as the
/// read-model change), so a redelivery after a crash, a rebalance or a replay changes nothing.
public struct ProjectionStore: Sendable {
    /// The consumer name of every idempotency record analytics writes. The live projection and
    /// a rebuild use the same name, so after a swap the live consumer recognises what the
    /// rebuild already applied.
    public static let consumerName = "analytics"

    /// The database.
    public let client: PostgresClient
    /// The projection's schema.
    public let schema: SQLIdentifier
    private let applier: EventApplier
    private let logger: Logger

    /// A store writing to `schema`.
    public init(client: PostgresClient, schema: SQLIdentifier, logger: Logger) {
        self.client = client
        self.schema = schema
        self.applier = EventApplier(client: client, schema: schema, relay: nil, logger: logger)
        self.logger = logger
    }

    /// Applies `events` in one transaction, each unless it was applied before (the same
    /// idempotency record `applyOnce` writes); returns how many were applied now.
    @discardableResult
    public func apply(_ events: [AnyLeadflowEvent]) async throws -> Int {
        guard !events.isEmpty else { return 0 }
        let schema = self.schema
        let logger = self.logger
        let idempotency = IdempotencyRecorder(schema: schema)
        return try await client.transaction(logger: logger) { connection -> Int in
            var applied = 0
            for event in events {
                guard try await idempotency.recordFirstDelivery(
                    consumer: Self.consumerName, eventId: event.eventId, on: connection, logger: logger) else { continue }
                try await ProjectionWriter(schema: schema, connection: connection, logger: logger).apply(event)
                applied += 1
            }
            return applied
        }
    }

    /// Applies `event` unless it was applied before; returns whether it was applied now.
    @discardableResult
    public func apply(_ event: AnyLeadflowEvent) async throws -> Bool {
        let schema = self.schema
        let logger = self.logger
        return try await applier.applyOnce(consumer: Self.consumerName, eventId: event.eventId) { connection in
            try await ProjectionWriter(schema: schema, connection: connection, logger: logger).apply(event)
            return []
        }
    }
}
