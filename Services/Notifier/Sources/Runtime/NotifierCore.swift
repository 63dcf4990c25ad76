import Foundation
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
        composer = DeliveryComposer(
            recipients: recipients, templates: templates, deliveries: deliveries,
            links: ActionLinkBuilder(signer: context.actionLinks, baseURL: configuration.publicIngestURL,
                                     lifetime: configuration.actionLinkLifetime),
            outcomes: outcomes, smsEnabled: configuration.sms != nil)
        dispatcherSignal = WakeSignal()
        schedulerSignal = WakeSignal()
    }

    /// Runs `body` on a pooled connection (reads outside a transaction).
    func withConnection<Result: Sendable>(_ body: (PostgresConnection) async throws -> Result) async throws -> Result {
        try await postgres.withConnection { connection in try await body(connection) }
    }
}
