import Foundation
import Hummingbird
import LeadMessaging
import LeadModel
import LeadStorage
import Logging
import PostgresNIO
import ServiceLifecycle
import UnixSignals

/// Runs a Leadflow service process: configuration, logging and metrics, database and broker
/// bootstrap, then the HTTP server, the consumer and the outbox relay until SIGTERM/SIGINT.
///
/// Shutdown order (the reverse of start): HTTP stops taking requests, extra services stop, the consumer
/// finishes its message, commits and leaves the group, the relay finishes its batch, the producer
/// flushes, and the database pool closes last.
public enum LeadflowRuntime {
    /// The oldest librdkafka Leadflow runs with (older ones cannot talk to current brokers).
    public static let minimumLibrdkafka = "2.1.0"

    /// The whole life of a service process; exits with 0 after a clean shutdown.
    public static func main(_ definition: ServiceDefinition) async -> Never {
        let configuration: ServiceConfiguration
        do {
            configuration = try ServiceConfiguration(serviceName: definition.name, defaultHTTPPort: definition.defaultHTTPPort)
        } catch {
            FileHandle.standardError.write(Data("leadflow-\(definition.name): \(error)\n".utf8))
            exit(78)  // EX_CONFIG
        }
        LoggingSystem.bootstrapLeadflow(
            json: configuration.jsonLogs, level: configuration.logLevel, instance: configuration.instanceId
        )
        LeadflowMetrics.bootstrap()
        let logger = Logger(label: definition.name)
        do {
            try await run(definition, configuration: configuration, logger: logger)
            logger.info("stopped cleanly")
            exit(0)
        } catch {
            logger.critical("service failed", metadata: ["error": "\(String(reflecting: error))"])
            exit(1)
        }
    }

    /// Runs `definition` with `configuration` until graceful shutdown (signals or the parent group).
    public static func run(
        _ definition: ServiceDefinition,
        configuration: ServiceConfiguration,
        logger: Logger,
        signals: [UnixSignal] = [.sigterm, .sigint]
    ) async throws {
        let version = Kafka.librdkafkaVersion
        logger.info("starting", metadata: [
            "librdkafka": "\(version)", "http": "\(configuration.httpHost):\(configuration.httpPort)",
            "brokers": "\(configuration.kafkaBrokers)", "database": "\(configuration.database.host):\(configuration.database.port)/\(configuration.database.database)",
            "group": "\(configuration.consumerGroup)",
        ])
        guard version.compare(minimumLibrdkafka, options: .numeric) != .orderedAscending else {
            throw ConfigurationError(variable: "librdkafka", value: version, expected: ">= \(minimumLibrdkafka); run scripts/setup")
        }
        let postgres = configuration.database.makeClient(logger: logger)
        let runtime = ServiceRuntime(definition: definition, configuration: configuration, postgres: postgres, logger: logger)
        let group = ServiceGroup(configuration: .init(
            services: [
                .init(service: postgres),
                .init(service: runtime, successTerminationBehavior: .gracefullyShutdownGroup),
            ],
            gracefulShutdownSignals: signals,
            logger: logger
        ))
        try await group.run()
    }
}

/// Bootstraps the dependencies, then runs the service's parts as a child group.
final class ServiceRuntime: Service, Sendable {
    let definition: ServiceDefinition
    let configuration: ServiceConfiguration
    let postgres: PostgresClient
    let logger: Logger

    init(definition: ServiceDefinition, configuration: ServiceConfiguration, postgres: PostgresClient, logger: Logger) {
        self.definition = definition
        self.configuration = configuration
        self.postgres = postgres
        self.logger = logger
    }

    func run() async throws {
        let schema = try SQLIdentifier(definition.name)
        try await postgres.waitUntilReachable(timeout: configuration.database.connectTimeout, logger: logger)
        let applied = try await Migrator(client: postgres, logger: logger).migrate([
            .messagingTables(schema: schema),
            MigrationSet(name: definition.name, schema: schema, migrations: definition.migrations),
        ])
        logger.info("database ready", metadata: ["migrationsApplied": "\(applied)"])

        let admin = try KafkaAdmin(bootstrapServers: configuration.kafkaBrokers, logger: logger)
        defer { admin.shutdown() }
        let created = try await admin.createTopics(Topic.allLeadflowTopics.map {
            TopicSpec(name: configuration.topic($0.name), partitions: configuration.topicPartitions,
                      replicationFactor: configuration.topicReplication)
        })
        logger.info("topics ready", metadata: ["created": "\(created.sorted().joined(separator: ","))"])

        let producer = try KafkaProducer(
            configuration: KafkaProducerConfiguration(
                bootstrapServers: configuration.kafkaBrokers,
                clientId: "\(definition.name)-\(configuration.instanceId)"
            ),
            logger: logger
        )
        let relay = OutboxRelay(client: postgres, schema: schema, sink: KafkaOutboxSink(producer: producer), logger: logger)
        if configuration.auth.usesDevelopmentSecret {
            logger.warning("using the built-in development secrets for tokens or action links; set LEADFLOW_JWT_HS256_KEYS and LEADFLOW_ACTION_LINK_SECRET in production")
        }
        let events = EventEncoder(source: "/leadflow/\(definition.name)", topicPrefix: configuration.topicPrefix)
        let context = ServiceContext(
            configuration: configuration, logger: logger, postgres: postgres, schema: schema, producer: producer,
            applier: EventApplier(client: postgres, schema: schema, relay: relay, logger: logger),
            events: events,
            tokens: try await TokenAuthority(configuration: configuration.auth, logger: logger),
            actionLinks: ActionLinkSigner(secret: configuration.auth.actionLinkSecret),
            deadLetters: DeadLetterWriter(producer: producer, topic: configuration.topic(Topic.deadLetter.name), encoder: events)
        )
        let parts = try await definition.makeParts(context)

        var services: [any Service] = [ProducerService(producer: producer), relay]
        if !definition.consumedTopics.isEmpty {
            guard let handler = parts.eventHandler else {
                throw ConfigurationError(variable: "service \(definition.name)", value: "no event handler",
                                         expected: "a handler for \(definition.consumedTopics)")
            }
            services.append(EventConsumerService(
                configuration: KafkaConsumerConfiguration(
                    bootstrapServers: configuration.kafkaBrokers,
                    groupId: configuration.consumerGroup,
                    topics: definition.consumedTopics.map(configuration.topic),
                    clientId: "\(definition.name)-\(configuration.instanceId)",
                    sessionTimeoutMs: configuration.kafkaSessionTimeoutMs,
                    maxPollIntervalMs: configuration.kafkaMaxPollIntervalMs,
                    groupInstanceId: configuration.hasStableInstanceId
                        ? "\(definition.name)-\(configuration.instanceId)" : nil,
                    extra: ["fetch.wait.max.ms": String(configuration.kafkaFetchWaitMaxMs)]
                ),
                handler: handler,
                deadLetters: context.deadLetters,
                stage: definition.name,
                lanes: configuration.consumerLanes,
                logger: logger
            ))
        }
        services.append(contentsOf: parts.services)
        services.append(makeApplication(parts: parts, admin: admin, tokens: context.tokens))
        try await ServiceGroup(configuration: .init(services: services, logger: logger)).run()
    }

    private func makeApplication(parts: ServiceParts, admin: KafkaAdmin, tokens: TokenAuthority) -> some Service {
        let router = Router(context: LeadflowRequestContext.self)
        router.middlewares.add(CorrelationMiddleware())
        router.middlewares.add(ProblemMiddleware())
        router.middlewares.add(MetricsMiddleware())
        router.middlewares.add(AuthenticationMiddleware(
            authenticators: [BearerTokenAuthenticator(authority: tokens)] + parts.authenticators,
            limiter: AuthFailureLimiter(limit: configuration.auth.failureLimit, window: configuration.auth.failureWindow)
        ))
        let postgres = self.postgres
        let logger = self.logger
        HealthEndpoints(checks: [
            ReadinessCheck(name: "database") { try await postgres.query("SELECT 1", logger: logger) },
            ReadinessCheck(name: "broker") { _ = try await admin.listTopics() },
        ]).addRoutes(to: router)
        LeadflowMetrics.addRoute(to: router)
        parts.routes(router)
        // Closes connections that stay silent (`LEADFLOW_HTTP_IDLE_TIMEOUT_SECONDS`, default 30): without
        // it a request refused before its body was read (413) leaves the connection half-closed with
        // the client's unread bytes queued, and its socket and buffers were never released (found
        // by scripts/hostile: every oversized upload kept ≈ 0.5 MiB and a file descriptor).
        return Application(
            router: router,
            server: .http1(configuration: .init(idleTimeout: .seconds(Int64(configuration.httpIdleTimeoutSeconds)))),
            configuration: .init(
                address: .hostname(configuration.httpHost, port: configuration.httpPort),
                serverName: "leadflow-\(definition.name)"
            ),
            logger: logger
        )
    }
}

/// Keeps the producer open while the service runs; on shutdown flushes it within a deadline.
struct ProducerService: Service {
    let producer: KafkaProducer

    func run() async throws {
        try? await gracefulShutdown()
        await producer.shutdown(timeout: .seconds(10))
    }
}
