import Foundation
import LeadModel
import LeadServiceKit
import LeadStorage

/// The scoring service: explainable 0–100 scores; consumes `leads.received`, `leads.lifecycle`
/// (and `leads.assigned`, only to know who may read a score) and publishes `leads.scored`.
public enum ScoringService {
    /// The service's name, schema and HTTP port.
    public static let name = "scoring"

    /// Everything `LeadflowRuntime` needs to run the service, on the system clock.
    public static let definition = makeDefinition()

    /// The definition with `clock` as the time scores are computed at (tests pass their own).
    public static func makeDefinition(clock: @escaping @Sendable () -> Date = { Date() }) -> ServiceDefinition {
        ServiceDefinition(
            name: name,
            defaultHTTPPort: 8082,
            migrations: ScoringMigrations.all(schema: name),
            consumedTopics: [Topic.received.name, Topic.lifecycle.name, Topic.assigned.name],
            makeParts: { context in try await makeParts(context, clock: clock) }
        )
    }

    static func makeParts(_ context: ServiceContext, clock: @escaping @Sendable () -> Date) async throws -> ServiceParts {
        let schema = context.schema.name
        let settings = try ScoringSettings(schema: schema, environment: context.configuration.environment)
        let logger = context.logger
        let leads = LeadStore(schema: schema, logger: logger)
        let rules = RulesStore(schema: schema, logger: logger)
        let models = ModelStore(schema: schema, logger: logger)
        let jobs = RescoreJobStore(schema: schema, logger: logger)
        let versions = ScoringVersions(rules: rules, models: models)
        try await rules.seedDefaults(client: context.postgres)

        let worker = RescoreWorker(
            client: context.postgres, applier: context.applier, events: context.events, jobs: jobs, leads: leads,
            versions: versions, schema: schema,
            settings: .init(batchSize: settings.rescoreBatchSize, pollInterval: settings.rescorePollInterval,
                            recencySweepInterval: settings.recencySweepInterval),
            clock: clock, logger: logger)
        let api = ScoringAPI(
            client: context.postgres, applier: context.applier, leads: leads, rules: rules, models: models, jobs: jobs,
            versions: versions, worker: worker, settings: settings, clock: clock, logger: logger)
        let handler = ScoringEventHandler(
            applier: context.applier, events: context.events, store: leads, versions: versions, clock: clock, logger: logger)
        return ServiceParts(routes: { api.addRoutes(to: $0) }, eventHandler: handler, services: [worker])
    }
}
