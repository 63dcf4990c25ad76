import Foundation
import LeadModel
import LeadServiceKit
import LeadStorage
import Logging
import PostgresNIO

/// A source of random numbers in 0…1 (backoff jitter); tests inject a fixed one.
public typealias RandomSource = @Sendable () -> Double

/// The system random source.
public let systemRandom: RandomSource = { Double.random(in: 0...1) }

/// What the subscription routes, fan-out and delivery worker share.
struct SubscriptionCore: Sendable {
    let configuration: SubscriptionConfiguration
    let store: SubscriptionStore
    let fanout: SubscriptionFanout
    let signal: WakeSignal
    let postgres: PostgresClient
    let logger: Logger
    let clock: NotifierClock
    let random: RandomSource
    let instanceId: String
    let lease: Duration
    let pollInterval: Duration

    init(context: ServiceContext, notifier: NotifierConfiguration, configuration: SubscriptionConfiguration,
         clock: @escaping NotifierClock, random: @escaping RandomSource) {
        let store = SubscriptionStore(schema: context.schema.name)
        let signal = WakeSignal()
        self.configuration = configuration
        self.store = store
        self.signal = signal
        self.fanout = SubscriptionFanout(store: store, logger: context.logger, signal: signal)
        self.postgres = context.postgres
        self.logger = context.logger
        self.clock = clock
        self.random = random
        self.instanceId = context.configuration.instanceId
        self.lease = notifier.lease
        self.pollInterval = notifier.pollInterval
    }
}

extension SubscriptionCore {
    /// Applies an event consumed for subscriptions only (`leads.received`, `leads.scored`): with no
    /// subscription at all it only remembers the lead's source and location; otherwise it records
    /// the matching deliveries exactly once (`applyOnce`).
    func applyOnce(_ event: AnyLeadflowEvent, consumer: String, applier: EventApplier) async throws {
        guard let leadId = event.leadId, let subscribed = SubscribedEvent(event, facts: .init()) else { return }
        let store = self.store
        let logger = self.logger
        let any = try await postgres.withConnection { connection -> Bool in
            let subscriptions = try await store.all(on: connection, logger: logger)
            if subscriptions.isEmpty {
                try await store.remember(leadId, .init(sourceId: subscribed.sourceId, locationId: subscribed.locationId),
                                         on: connection, logger: logger)
            }
            return !subscriptions.isEmpty
        }
        guard any else { return }
        let fanout = self.fanout
        let now = clock()
        var recorded = 0
        try await applier.applyOnce(consumer: consumer, eventId: event.eventId) { connection in
            recorded = try await fanout.record(event, known: .init(), now: now, on: connection)
            return []
        }
        if recorded > 0 { signal.wake() }
    }
}
