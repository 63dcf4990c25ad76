import Foundation
import Logging
import PostgresNIO

/// Records which events a consumer has applied, inside the same transaction as their effects,
/// so a redelivered event (Kafka is at-least-once) is recognised and skipped.
public struct IdempotencyRecorder: Sendable {
    /// The schema holding `processed_events`.
    public let schema: SQLIdentifier

    /// Creates a recorder for `schema`.
    public init(schema: SQLIdentifier) {
        self.schema = schema
    }

    /// Records `eventId` for `consumer` on `connection` (inside the caller's transaction).
    /// Returns `true` the first time, `false` when the event was already applied.
    public func recordFirstDelivery(
        consumer: String,
        eventId: UUID,
        on connection: PostgresConnection,
        logger: Logger
    ) async throws -> Bool {
        let rows = try await connection.query(
            """
            INSERT INTO \(unescaped: schema.name).processed_events (consumer, event_id)
            VALUES (\(consumer), \(eventId))
            ON CONFLICT DO NOTHING
            RETURNING 1
            """,
            logger: logger
        )
        for try await _ in rows { return true }
        return false
    }
}
