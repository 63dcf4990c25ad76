import Foundation
import LeadModel
import LeadStorage
import Logging
import PostgresNIO

/// Turns consumed events into subscription deliveries, inside the transaction that records the
/// event as applied (`applyOnce`): one delivery row per matching event and subscription, unique on
/// (subscription, event), so a redelivered event or a kill -9 never doubles or loses one.
struct SubscriptionFanout: Sendable {
    let store: SubscriptionStore
    let logger: Logger
    let signal: WakeSignal

    /// Records the deliveries of `event` for every subscription (active or paused) whose filter
    /// matches; `known` are the lead facts the caller already holds (the notifier's tracked lead).
    /// Returns how many deliveries were recorded.
    @discardableResult
    func record(
        _ event: AnyLeadflowEvent, known: SubscribedEvent.LeadFacts, now: Date, on connection: PostgresConnection
    ) async throws -> Int {
        guard let leadId = event.leadId else { return 0 }
        let stored = try await store.facts(leadId, on: connection, logger: logger)
        let facts = SubscribedEvent.LeadFacts(
            sourceId: known.sourceId ?? stored.sourceId, locationId: known.locationId ?? stored.locationId)
        guard let subscribed = SubscribedEvent(event, facts: facts) else { return 0 }
        try await store.remember(leadId, SubscribedEvent.LeadFacts(sourceId: subscribed.sourceId, locationId: subscribed.locationId),
                                 on: connection, logger: logger)
        let subscriptions = try await store.all(on: connection, logger: logger).filter { $0.filter.matches(subscribed) }
        guard !subscriptions.isEmpty else { return 0 }
        var deliveries: [SubscriptionStore.NewDelivery] = []
        for subscription in subscriptions {
            let id = UUID()
            let body = try SubscriptionPayload(deliveryId: id, subscriptionId: subscription.id, event: subscribed).encoded()
            deliveries.append(SubscriptionStore.NewDelivery(id: id, subscriptionId: subscription.id, event: subscribed, body: body))
        }
        return try await store.insert(deliveries, now: now, on: connection, logger: logger)
    }
}
