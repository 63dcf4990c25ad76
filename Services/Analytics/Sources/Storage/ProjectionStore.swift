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
        return try await client.transaction(logger: logger) { connection -> Int in
            let fresh = try await Self.recordFirstDeliveries(events.map(\.eventId), schema: schema, on: connection, logger: logger)
            var seen: Set<UUID> = []
            let toApply = events.filter { fresh.contains($0.eventId) && seen.insert($0.eventId).inserted }
            try await ProjectionWriter(schema: schema, connection: connection, logger: logger).apply(toApply)
            return toApply.count
        }
    }

    /// Records the ids in `processed_events` for consumer `analytics` — the record
    /// `IdempotencyRecorder` (and so `applyOnce`) writes, one statement for the batch — and
    /// returns those recorded now (the others were applied before).
    static func recordFirstDeliveries(_ ids: [UUID], schema: SQLIdentifier, on connection: PostgresConnection, logger: Logger) async throws -> Set<UUID> {
        let rows = try await connection.query("""
            INSERT INTO \(unescaped: schema.name).processed_events (consumer, event_id)
            SELECT \(consumerName), id FROM unnest(\(ids)::uuid[]) AS e(id)
            ON CONFLICT DO NOTHING
            RETURNING event_id
            """, logger: logger)
        var fresh: Set<UUID> = []
        for try await id in rows.decode(UUID.self) { fresh.insert(id) }
        return fresh
    }

    /// Applies `event` unless it was applied before; returns whether it was applied now.
    @discardableResult
    public func apply(_ event: AnyLeadflowEvent) async throws -> Bool {
        let schema = self.schema
        let logger = self.logger
        return try await applier.applyOnce(consumer: Self.consumerName, eventId: event.eventId) { connection in
            try await ProjectionWriter(schema: schema, connection: connection, logger: logger).apply([event])
            return []
        }
    }
}
