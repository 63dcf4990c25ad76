import Foundation
import LeadModel
import LeadServiceKit
import LeadStorage
import Logging
import PostgresNIO

/// Everything the notifier's handler, dispatcher, scheduler and routes share.
struct NotifierCore: Sendable {
    let configuration: NotifierConfiguration
    let clock: NotifierClock
    let logger: Logger
    let postgres: PostgresClient
    let applier: EventApplier
    let instanceId: String
    let leads: LeadStore
    let recipients: RecipientStore
    let templates: TemplateStore
    let defaultTasks: DefaultTaskStore
    let jobs: JobStore
    let deliveries: DeliveryStore
    let composer: DeliveryComposer
    let outcomes: Outcomes
    let dispatcherSignal: WakeSignal
    let schedulerSignal: WakeSignal
    /// Templates as stored (defaults filled in), cached briefly.
    let templateCache: ExpiringCache<[TemplateKey: TemplateContent]>
    /// Default tasks per category, cached briefly.
    let defaultTaskCache: ExpiringCache<[LeadCategory: [DefaultTask]]>

    init(context: ServiceContext, configuration: NotifierConfiguration, clock: @escaping NotifierClock) {
        let schema = context.schema.name
        self.configuration = configuration
        self.clock = clock
        self.logger = context.logger
        self.postgres = context.postgres
        self.applier = context.applier
        self.instanceId = context.configuration.instanceId
        leads = LeadStore(schema: schema)
        recipients = RecipientStore(schema: schema)
        templates = TemplateStore(schema: schema)
        defaultTasks = DefaultTaskStore(schema: schema)
        jobs = JobStore(schema: schema)
        deliveries = DeliveryStore(schema: schema)
        outcomes = Outcomes(events: context.events)
        let templateCache = ExpiringCache<[TemplateKey: TemplateContent]>(timeToLive: configuration.cacheTimeToLive)
        self.templateCache = templateCache
        defaultTaskCache = ExpiringCache(timeToLive: configuration.cacheTimeToLive)
        let templates = self.templates
        let logger = context.logger
        composer = DeliveryComposer(
            recipients: recipients,
            templates: { connection in
                try await templateCache.value { try await templates.current(on: connection, logger: logger) }
            },
            deliveries: deliveries,
            links: ActionLinkBuilder(signer: context.actionLinks, baseURL: configuration.publicIngestURL,
                                     lifetime: configuration.actionLinkLifetime),
            outcomes: outcomes, smsEnabled: configuration.sms != nil)
        dispatcherSignal = WakeSignal()
        schedulerSignal = WakeSignal()
    }

    /// The default tasks per category (cached briefly).
    func cachedDefaultTasks(on connection: PostgresConnection) async throws -> [LeadCategory: [DefaultTask]] {
        let store = defaultTasks
        let logger = self.logger
        return try await defaultTaskCache.value { try await store.all(on: connection, logger: logger) }
    }

    /// Runs `body` on a pooled connection (reads outside a transaction).
    func withConnection<Result: Sendable>(_ body: (PostgresConnection) async throws -> Result) async throws -> Result {
        try await postgres.withConnection { connection in try await body(connection) }
    }
}
