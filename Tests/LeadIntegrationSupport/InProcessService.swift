import Foundation
import LeadServiceKit
import LeadTestSupport
import Logging
import ServiceLifecycle

/// A Leadflow service running inside the test process against the real broker and database,
/// exactly as `LeadflowRuntime` runs it in production, on a free port, until ``stop()``.
public final class InProcessService: Sendable {
    /// The HTTP port.
    public let port: Int
    /// The configuration it runs with.
    public let configuration: ServiceConfiguration
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    /// `http://127.0.0.1:<port>`.
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    private init(port: Int, configuration: ServiceConfiguration, group: ServiceGroup, task: Task<Void, any Error>) {
        self.port = port
        self.configuration = configuration
        self.group = group
        self.task = task
    }

    /// Starts `definition` against `database` with topics under `topicPrefix` and waits until it
    /// is ready. `environment` adds or overrides variables (the process environment is the base).
    public static func start(
        _ definition: ServiceDefinition, database: String, topicPrefix: String,
        environment: [String: String] = [:], readyTimeout: Duration = .seconds(60)
    ) async throws -> InProcessService {
        let port = try ServiceProcess.freePort()
        var env = ProcessInfo.processInfo.environment
        env["LEADFLOW_HTTP_PORT"] = "\(port)"
        env["LEADFLOW_PG_DATABASE"] = database
        env["LEADFLOW_TOPIC_PREFIX"] = topicPrefix
        env["LEADFLOW_TOPIC_PARTITIONS"] = env["LEADFLOW_TOPIC_PARTITIONS"] ?? "3"
        env["LEADFLOW_CONSUMER_GROUP"] = topicPrefix + definition.name
        env["LEADFLOW_KAFKA_SESSION_TIMEOUT_MS"] = "6000"
        env["LEADFLOW_KAFKA_MAX_POLL_INTERVAL_MS"] = "10000"
        env["LEADFLOW_AUTH_FAILURE_LIMIT"] = env["LEADFLOW_AUTH_FAILURE_LIMIT"] ?? "100000"
        env.merge(environment) { _, new in new }
        let configuration = try ServiceConfiguration(
            serviceName: definition.name, defaultHTTPPort: port, environment: env)
        var logger = Logger(label: "test.\(definition.name)")
        logger.logLevel = ProcessInfo.processInfo.environment["SERVICE_TEST_LOG"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
        let runtime = RuntimeService(definition: definition, configuration: configuration, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [runtime], logger: logger))
        let task = Task { try await group.run() }
        let service = InProcessService(port: port, configuration: configuration, group: group, task: task)
        let ready = await eventually(timeout: readyTimeout, every: .milliseconds(100)) {
            (try? await TestHTTP.get(service.baseURL + "/health/ready").status) == 200
        }
        guard ready else {
            await service.stop()
            throw NotReady(service: definition.name)
        }
        return service
    }

    /// Shuts the service down gracefully (HTTP, consumer, relay, producer, pool) and waits.
    public func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
    }

    /// The service did not become ready in time.
    public struct NotReady: Error, CustomStringConvertible {
        /// Which service.
        public let service: String
        public var description: String { "\(service) did not become ready" }
    }
}

/// `LeadflowRuntime.run` as a child service, so the test can trigger its graceful shutdown.
private struct RuntimeService: Service {
    let definition: ServiceDefinition
    let configuration: ServiceConfiguration
    let logger: Logger

    func run() async throws {
        try await LeadflowRuntime.run(definition, configuration: configuration, logger: logger, signals: [])
    }
}
