import Foundation
import LeadModel
import LeadServiceKit

/// The analytics service: read models, reports and dashboard; consumes every topic, publishes `analytics.metrics`.
public enum AnalyticsService {
    /// The service's name, schema and HTTP port.
    public static let name = "analytics"

    /// The topics analytics consumes: every lead topic, and dead letters (counted for operations).
    /// (Consumed by ``ProjectionConsumerService``, which batches, not by the runtime's consumer.)
    public static let consumedTopics: [Topic] = [.received, .lifecycle, .scored, .assigned, .notificationOutcomes, .deadLetter]

    /// Everything `LeadflowRuntime` needs to run the service.
    public static let definition = makeDefinition()

    /// The definition with an injected clock (tests control "now": overdue, hot sheet, metrics windows).
    public static func makeDefinition(clock: @escaping @Sendable () -> Date = { Date() }) -> ServiceDefinition {
        ServiceDefinition(
            name: name,
            defaultHTTPPort: 8085,
            migrations: ProjectionSchema.migrations,
            // No runtime consumer: analytics runs its own batching one (ProjectionConsumerService).
            consumedTopics: [],
            makeParts: { context in
                let settings = try AnalyticsConfiguration(environment: context.configuration.environment)
                let postgres = context.postgres
                let logger = context.logger
                let store = ProjectionStore(client: postgres, schema: ProjectionSchema.live, logger: logger)
                let readModel = LeadReadModel(client: postgres, schema: ProjectionSchema.live, logger: logger)
                let costs = SourceCostStore(client: postgres, defaults: settings.sourceCosts, logger: logger)
                let sessions = DashboardSessions(
                    secret: settings.sessionSecret, lifetime: settings.sessionLifetime,
                    secureCookies: settings.secureCookies, clock: clock)
                if settings.sessionSecret == AnalyticsConfiguration.developmentSessionSecret {
                    logger.warning("using the built-in development session secret; set LEADFLOW_ANALYTICS_SESSION_SECRET in production")
                }
                let reports = ReportService(readModel: readModel, costs: costs, currency: settings.currency, clock: clock)
                let api = AnalyticsAPI(
                    readModel: readModel, reports: reports, costs: costs, sessions: sessions,
                    loginCodes: LoginCodeStore(client: postgres, logger: logger),
                    cursors: Signer(secret: settings.sessionSecret, purpose: "lead-cursor"),
                    settings: settings, clock: clock)
                let consumer = ProjectionConsumerService(
                    configuration: ProjectionConsumerService.consumerConfiguration(context.configuration, name: name),
                    store: store, deadLetters: context.deadLetters, logger: logger)
                return ServiceParts(
                    routes: { router in api.addRoutes(to: router) },
                    services: [consumer, MetricsPublisher(
                        client: postgres, applier: context.applier, events: context.events, projection: ProjectionSchema.live,
                        interval: settings.metricsInterval, grace: settings.metricsGrace, horizon: settings.metricsHorizon,
                        clock: clock, logger: logger)],
                    authenticators: [DashboardSessionAuthenticator(sessions: sessions)]
                )
            }
        )
    }
}
