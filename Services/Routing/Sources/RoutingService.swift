import Foundation
import LeadModel
import LeadServiceKit
import LeadStorage
import Logging

/// The routing service: assignment of leads to locations and salespeople; consumes `leads.scored`
/// and `leads.lifecycle`, publishes `leads.assigned`.
public enum RoutingService {
    /// The service's name, schema and HTTP port.
    public static let name = "routing"

    /// Everything `LeadflowRuntime` needs to run the service, on the system clock.
    public static let definition = makeDefinition()

    /// A definition whose time-dependent behaviour (working hours, SLA deadlines, event times)
    /// reads `clock`; tests pass a clock they move.
    public static func makeDefinition(clock: any RoutingClock = SystemClock()) -> ServiceDefinition {
        ServiceDefinition(
            name: name,
            defaultHTTPPort: 8083,
            migrations: RoutingMigrations.all(schema: name),
            consumedTopics: [Topic.scored.name, Topic.lifecycle.name],
            makeParts: { context in try makeParts(context, clock: clock) }
        )
    }

    static func makeParts(_ context: ServiceContext, clock: any RoutingClock) throws -> ServiceParts {
        let options = try RoutingOptions(environment: context.configuration.environment)
        let logger = context.logger
        let config = ConfigRepository(schema: context.schema, logger: logger)
        let leads = LeadRepository(schema: context.schema, logger: logger)
        let engine = RoutingEngine(
            leads: leads, config: config, cache: DirectoryCache(repository: config), events: context.events,
            clock: clock, instanceId: context.configuration.instanceId, logger: logger)
        let handler = RoutingEventHandler(applier: context.applier, leads: leads, engine: engine, logger: logger)
        let scheduler = ResponseDeadlineScheduler(
            applier: context.applier, leads: leads, engine: engine, clock: clock, pollInterval: options.slaPollInterval,
            logger: logger)
        let configRoutes = ConfigRoutes(postgres: context.postgres, config: config, logger: logger)
        let leadRoutes = LeadRoutes(
            postgres: context.postgres, applier: context.applier, leads: leads, engine: engine, schema: context.schema,
            logger: logger)
        return ServiceParts(
            routes: { router in
                configRoutes.add(to: router)
                leadRoutes.add(to: router)
            },
            eventHandler: handler,
            services: options.slaSchedulerEnabled ? [scheduler] : []
        )
    }
}

/// Routing's own settings, from `LEADFLOW_ROUTING_*` environment variables.
///
/// | variable | default | meaning |
/// |---|---|---|
/// | `LEADFLOW_ROUTING_SLA_POLL_MS` | `1000` | how often the scheduler looks for leads past their response target |
/// | `LEADFLOW_ROUTING_SLA_SCHEDULER` | `true` | whether this instance runs the scheduler (any number may) |
public struct RoutingOptions: Sendable {
    /// How often overdue leads are looked for.
    public var slaPollInterval: Duration
    /// Whether this instance runs the SLA scheduler.
    public var slaSchedulerEnabled: Bool

    /// Reads the options; throws on malformed values.
    public init(environment: [String: String]) throws {
        let env = EnvironmentReader(environment)
        slaPollInterval = .milliseconds(try env.int("LEADFLOW_ROUTING_SLA_POLL_MS", default: 1000, in: 10...3_600_000))
        slaSchedulerEnabled = try env.bool("LEADFLOW_ROUTING_SLA_SCHEDULER", default: true)
    }
}
