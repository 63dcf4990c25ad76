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

/// Feeds every consumed message to the projection. Messages that are not Leadflow events are
/// rejected (dead-lettered by the runtime with the reason); database failures are retried.
public struct AnalyticsEventHandler: EventHandler {
    let store: ProjectionStore

    /// A handler applying to `store`.
    public init(store: ProjectionStore) {
        self.store = store
    }

    public func handle(_ message: ConsumedMessage) async throws {
        let incoming = try IncomingEvent(message)
        switch incoming.event {
        case .received, .lifecycle, .scored, .assigned, .notification:
            guard incoming.event.leadId != nil else { return }
        case .deadLetter:
            break
        case .metrics:
            return  // analytics' own output; nothing to project
        }
        try await store.apply(incoming.event)
    }
}
