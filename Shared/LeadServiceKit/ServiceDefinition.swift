import Hummingbird
import LeadMessaging
import LeadStorage
import Logging
import PostgresNIO
import ServiceLifecycle

/// What a Leadflow service is made of; ``LeadflowRuntime`` turns it into a running process.
public struct ServiceDefinition: Sendable {
    /// Short name: `ingest`, `scoring`, `routing`, `notifier` or `analytics`. Also its schema's name.
    public var name: String
    /// HTTP port when `LEADFLOW_HTTP_PORT` is not set.
    public var defaultHTTPPort: Int
    /// Migrations of the service's own schema (the messaging tables are added automatically).
    public var migrations: [Migration]
    /// Topics the service consumes (names without the configured prefix); empty for none.
    public var consumedTopics: [String]
    /// Builds the service's parts once the database is migrated and the producer is up.
    public var makeParts: @Sendable (ServiceContext) async throws -> ServiceParts

    /// Creates a definition.
    public init(
        name: String,
        defaultHTTPPort: Int,
        migrations: [Migration] = [],
        consumedTopics: [String] = [],
        makeParts: @escaping @Sendable (ServiceContext) async throws -> ServiceParts = { _ in ServiceParts() }
    ) {
        self.name = name
        self.defaultHTTPPort = defaultHTTPPort
        self.migrations = migrations
        self.consumedTopics = consumedTopics
        self.makeParts = makeParts
    }
}

/// The shared plumbing a service's parts are built from.
public struct ServiceContext: Sendable {
    /// The process configuration.
    public let configuration: ServiceConfiguration
    /// The service's logger.
    public let logger: Logger
    /// The database pool.
    public let postgres: PostgresClient
    /// The service's own schema.
    public let schema: SQLIdentifier
    /// The idempotent producer (events normally leave through the outbox instead).
    public let producer: KafkaProducer
    /// Exactly-once application of events and commands (idempotency record + outbox).
    public let applier: EventApplier
    /// Turns events into outbox records.
    public let events: EventEncoder
    /// Verifies bearer tokens (and mints them, for tools).
    public let tokens: TokenAuthority
    /// Signs and verifies one-click action links.
    public let actionLinks: ActionLinkSigner
    /// Publishes messages that cannot be processed to `leads.deadletter`.
    public let deadLetters: DeadLetterWriter
}

/// The parts of a service: its routes, its event handler and any extra background services.
public struct ServiceParts: Sendable {
    /// Adds the service's own HTTP routes (health and metrics are added by the runtime).
    public var routes: @Sendable (Router<LeadflowRequestContext>) -> Void
    /// Handles messages of the consumed topics; required when the definition consumes topics.
    public var eventHandler: (any EventHandler)?
    /// Extra long-running work (schedulers, …), started after the consumer and stopped before it.
    public var services: [any Service]
    /// Ways to authenticate besides bearer tokens (e.g. ingest's intake API keys), tried after them.
    public var authenticators: [any RequestAuthenticator]

    /// Creates the parts.
    public init(
        routes: @escaping @Sendable (Router<LeadflowRequestContext>) -> Void = { _ in },
        eventHandler: (any EventHandler)? = nil,
        services: [any Service] = [],
        authenticators: [any RequestAuthenticator] = []
    ) {
        self.routes = routes
        self.eventHandler = eventHandler
        self.services = services
        self.authenticators = authenticators
    }
}
