import Foundation
import Logging
import PostgresNIO

/// Applies a consumed event exactly once in effect (DESIGN.md, "Delivery guarantees"): in one
/// transaction it records the event id for this consumer, runs the caller's state change, and writes
/// the events to emit into the outbox. A redelivered event is recognised and changes nothing.
public struct EventApplier: Sendable {
    private let client: PostgresClient
    private let idempotency: IdempotencyRecorder
    private let outbox: Outbox
    private let relay: OutboxRelay?
    private let logger: Logger

    /// Creates an applier for the service owning `schema`; `relay` is woken after each commit.
    public init(client: PostgresClient, schema: SQLIdentifier, relay: OutboxRelay?, logger: Logger) {
        self.client = client
        self.idempotency = IdempotencyRecorder(schema: schema)
        self.outbox = Outbox(schema: schema)
        self.relay = relay
        self.logger = logger
    }

    /// Runs `body` in a transaction unless `consumer` already applied `eventId`; `body` returns the
    /// records to publish. Returns whether the event was applied now (`false`: it was a redelivery).
    @discardableResult
    public func applyOnce(
        consumer: String,
        eventId: UUID,
        _ body: (PostgresConnection) async throws -> [OutboxRecord]
    ) async throws -> Bool {
        let logger = self.logger
        let applied = try await client.transaction(logger: logger) { connection -> Bool in
            guard try await idempotency.recordFirstDelivery(
                consumer: consumer, eventId: eventId, on: connection, logger: logger
            ) else { return false }
            let records = try await body(connection)
            try await outbox.enqueue(records, on: connection, logger: logger)
            return true
        }
        if applied { relay?.wake() }
        return applied
    }

    /// Runs `body` in a transaction and publishes what it returns; for commands that enter from
    /// outside (HTTP), whose own idempotency the caller handles.
    public func perform<Result: Sendable>(
        _ body: (PostgresConnection) async throws -> (Result, [OutboxRecord])
    ) async throws -> Result {
        let logger = self.logger
        let result = try await client.transaction(logger: logger) { connection -> Result in
            let (result, records) = try await body(connection)
            try await outbox.enqueue(records, on: connection, logger: logger)
            return result
        }
        relay?.wake()
        return result
    }
}
