import Foundation
import Hummingbird
import LeadModel
import LeadServiceKit
import LeadStorage

/// The ingest service: the write gateway: intake channels, normalization, de-duplication and
/// lifecycle commands; publishes `leads.received` and `leads.lifecycle`.
public enum IngestService {
    /// The service's name, schema and HTTP port.
    public static let name = "ingest"

    /// Everything `LeadflowRuntime` needs to run the service.
    public static let definition = makeDefinition()

    /// A definition with an injected clock (tests control windows, expiries and rates with it).
    public static func makeDefinition(clock: @escaping @Sendable () -> Date = Date.init) -> ServiceDefinition {
        ServiceDefinition(
            name: name,
            defaultHTTPPort: 8081,
            migrations: IngestMigrations.all,
            consumedTopics: [Topic.inbound.name, Topic.assigned.name],
            makeParts: { context in try makeParts(context, clock: clock) }
        )
    }

    static func makeParts(_ context: ServiceContext, clock: @escaping @Sendable () -> Date) throws -> ServiceParts {
        let configuration = try IngestConfiguration(environment: context.configuration.environment)
        let core = IngestCore(configuration: configuration, context: context, clock: clock)
        let metaQueue = MetaFetchQueue(core: core)
        let imports = ImportStore(client: context.postgres, logger: context.logger)
        let lifecycle = LifecycleRoutes(core: core)
        let handler = IngestEventHandler(
            core: core, metaQueue: metaQueue,
            inboundTopic: context.configuration.topic(Topic.inbound.name),
            assignedTopic: context.configuration.topic(Topic.assigned.name))
        if configuration.meta.appSecret == nil || configuration.google.key == nil {
            context.logger.notice("a webhook channel is not configured", metadata: [
                "meta": "\(configuration.meta.appSecret != nil)", "google": "\(configuration.google.key != nil)",
            ])
        }
        return ServiceParts(
            routes: { router in
                router.middlewares.add(RejectionMetricsMiddleware())
                IntakeRoutes(core: core).register(on: router)
                WebhookRoutes(core: core, metaQueue: metaQueue).register(on: router)
                ImportRoutes(core: core, imports: imports).register(on: router)
                SourceRoutes(core: core).register(on: router)
                lifecycle.register(on: router)
                MergeRoutes(core: core).register(on: router)
                ActionRoutes(core: core, lifecycle: lifecycle).register(on: router)
                router.get("/v1/openapi.json") { _, context in
                    _ = try context.requirePrincipal()
                    return Response(
                        status: .ok, headers: [.contentType: "application/json"],
                        body: .init(byteBuffer: ByteBuffer(string: IngestOpenAPI.document)))
                }
            },
            eventHandler: handler,
            services: [metaQueue, ErasureSweep(client: context.postgres, logger: context.logger, interval: .seconds(30))],
            authenticators: [core.apiKeys]
        )
    }
}
