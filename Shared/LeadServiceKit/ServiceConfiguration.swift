import Foundation
import LeadStorage
import Logging

/// Everything a Leadflow service reads from its environment. Every variable has a default that
/// works with the embedded stack (`make run`), so a bare `leadflow-ingest` just starts.
///
/// | variable | default | meaning |
/// |---|---|---|
/// | `LEADFLOW_HTTP_HOST` | `127.0.0.1` | address the HTTP server binds |
/// | `LEADFLOW_HTTP_PORT` | the service's port (8081…8085) | HTTP port |
/// | `LEADFLOW_HTTP_IDLE_TIMEOUT_SECONDS` | `30` | closes idle or half-closed client connections |
/// | `LEADFLOW_KAFKA_BROKERS` | `127.0.0.1:19092` | bootstrap servers |
/// | `LEADFLOW_TOPIC_PREFIX` | empty | prefix on every topic name (test isolation, shared clusters) |
/// | `LEADFLOW_TOPIC_PARTITIONS` | `12` | partitions of topics created at start |
/// | `LEADFLOW_TOPIC_REPLICATION` | `-1` (broker default) | replication factor of created topics |
/// | `LEADFLOW_CONSUMER_GROUP` | `leadflow-<service>` | consumer group id |
/// | `LEADFLOW_KAFKA_SESSION_TIMEOUT_MS` | `10000` | consumer session timeout |
/// | `LEADFLOW_KAFKA_MAX_POLL_INTERVAL_MS` | `60000` | consumer max poll interval |
/// | `LEADFLOW_CONSUMER_LANES` | `8` | events processed in parallel per instance (one lead's events stay sequential) |
/// | `LEADFLOW_KAFKA_FETCH_WAIT_MAX_MS` | `100` | longest a consumer's fetch waits for new records (`fetch.wait.max.ms`; librdkafka's 500 adds up to half a second per hop) |
/// | `LEADFLOW_PG_HOST` / `_PORT` / `_DATABASE` / `_USER` / `_PASSWORD` | `127.0.0.1` / `54329` / `leadflow` / `leadflow` / `leadflow` | PostgreSQL |
/// | `LEADFLOW_PG_POOL_SIZE` | `20` | most database connections per process |
/// | `LEADFLOW_LOG_LEVEL` | `info` | trace, debug, info, notice, warning, error, critical |
/// | `LEADFLOW_LOG_FORMAT` | `json` | `json` (one object per line) or `text` |
/// | `LEADFLOW_INSTANCE_ID` | `<host>-<pid>` | this process's name in logs, metrics and client ids; when set, also its static consumer-group membership (keep it stable across restarts, e.g. the pod name) |
///
/// Authentication settings (`LEADFLOW_JWT_*`, `LEADFLOW_AUTH_*`, `LEADFLOW_ACTION_LINK_SECRET`)
/// are listed on ``AuthConfiguration``.
public struct ServiceConfiguration: Sendable {
    /// The service's short name (`ingest`, `scoring`, …).
    public var serviceName: String
    /// HTTP bind address.
    public var httpHost: String
    /// HTTP port.
    public var httpPort: Int
    /// How long a client connection may stay silent before the server closes it (also frees a
    /// connection whose request was refused before its body was read).
    public var httpIdleTimeoutSeconds: Int
    /// Kafka bootstrap servers.
    public var kafkaBrokers: String
    /// Prefix on every topic name.
    public var topicPrefix: String
    /// Partitions of topics this service creates.
    public var topicPartitions: Int32
    /// Replication factor of topics this service creates (-1 = broker default).
    public var topicReplication: Int16
    /// Consumer group id.
    public var consumerGroup: String
    /// Consumer session timeout, milliseconds.
    public var kafkaSessionTimeoutMs: Int
    /// Consumer max poll interval, milliseconds.
    public var kafkaMaxPollIntervalMs: Int
    /// Parallel processing lanes of the consumer (messages with one key share a lane).
    public var consumerLanes: Int
    /// Longest a consumer fetch waits for new records, milliseconds (`fetch.wait.max.ms`).
    public var kafkaFetchWaitMaxMs: Int
    /// PostgreSQL connection.
    public var database: DatabaseConfiguration
    /// Log level.
    public var logLevel: Logger.Level
    /// Whether logs are JSON lines.
    public var jsonLogs: Bool
    /// This process's name.
    public var instanceId: String
    /// Whether ``instanceId`` was set explicitly (`LEADFLOW_INSTANCE_ID`): then it is stable across
    /// restarts and used as the consumer's static group membership (`group.instance.id`), so a
    /// restarted instance takes its partitions back at once.
    public var hasStableInstanceId: Bool
    /// How callers are authenticated (JWT keys, failure limits, action-link secret).
    public var auth: AuthConfiguration
    /// The raw environment, for service-specific settings.
    public var environment: [String: String]

    /// Reads the configuration of `serviceName` from `environment`; throws on malformed values.
    public init(
        serviceName: String,
        defaultHTTPPort: Int,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws {
        let env = EnvironmentReader(environment)
        self.serviceName = serviceName
        self.environment = environment
        httpHost = env.string("LEADFLOW_HTTP_HOST", default: "127.0.0.1")
        httpPort = try env.int("LEADFLOW_HTTP_PORT", default: defaultHTTPPort, in: 0...65535)
        httpIdleTimeoutSeconds = try env.int("LEADFLOW_HTTP_IDLE_TIMEOUT_SECONDS", default: 30, in: 1...86_400)
        kafkaBrokers = env.string("LEADFLOW_KAFKA_BROKERS", default: "127.0.0.1:19092")
        topicPrefix = env.string("LEADFLOW_TOPIC_PREFIX", default: "")
        topicPartitions = Int32(try env.int("LEADFLOW_TOPIC_PARTITIONS", default: 12, in: 1...10_000))
        topicReplication = Int16(try env.int("LEADFLOW_TOPIC_REPLICATION", default: -1, in: -1...32))
        consumerGroup = env.string("LEADFLOW_CONSUMER_GROUP", default: "leadflow-\(serviceName)")
        kafkaSessionTimeoutMs = try env.int("LEADFLOW_KAFKA_SESSION_TIMEOUT_MS", default: 10_000, in: 1000...3_600_000)
        kafkaMaxPollIntervalMs = try env.int("LEADFLOW_KAFKA_MAX_POLL_INTERVAL_MS", default: 60_000, in: 1000...86_400_000)
        consumerLanes = try env.int("LEADFLOW_CONSUMER_LANES", default: 8, in: 1...256)
        kafkaFetchWaitMaxMs = try env.int("LEADFLOW_KAFKA_FETCH_WAIT_MAX_MS", default: 100, in: 1...5000)
        database = DatabaseConfiguration(
            host: env.string("LEADFLOW_PG_HOST", default: "127.0.0.1"),
            port: try env.int("LEADFLOW_PG_PORT", default: 54329, in: 1...65535),
            database: env.string("LEADFLOW_PG_DATABASE", default: "leadflow"),
            username: env.string("LEADFLOW_PG_USER", default: "leadflow"),
            password: env.string("LEADFLOW_PG_PASSWORD", default: "leadflow"),
            maximumConnections: try env.int("LEADFLOW_PG_POOL_SIZE", default: 20, in: 1...1000)
        )
        let level = env.string("LEADFLOW_LOG_LEVEL", default: "info").lowercased()
        guard let parsedLevel = Logger.Level(rawValue: level) else {
            throw ConfigurationError(variable: "LEADFLOW_LOG_LEVEL", value: level, expected: "a swift-log level")
        }
        logLevel = parsedLevel
        let format = env.string("LEADFLOW_LOG_FORMAT", default: "json").lowercased()
        guard ["json", "text"].contains(format) else {
            throw ConfigurationError(variable: "LEADFLOW_LOG_FORMAT", value: format, expected: "json or text")
        }
        jsonLogs = format == "json"
        auth = try AuthConfiguration(environment: env)
        hasStableInstanceId = !env.string("LEADFLOW_INSTANCE_ID", default: "").isEmpty
        instanceId = env.string(
            "LEADFLOW_INSTANCE_ID",
            default: "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)"
        )
    }

    /// The full name of a Leadflow topic, with the configured prefix.
    public func topic(_ name: String) -> String { topicPrefix + name }
}

/// A malformed environment variable.
public struct ConfigurationError: Error, CustomStringConvertible, Sendable {
    /// The variable's name.
    public let variable: String
    /// What it held.
    public let value: String
    /// What it should hold.
    public let expected: String

    public var description: String { "\(variable)=\(value) is invalid: expected \(expected)" }
}

/// Typed reads of environment variables with defaults.
public struct EnvironmentReader: Sendable {
    private let values: [String: String]

    /// Wraps `values`.
    public init(_ values: [String: String]) { self.values = values }

    /// The value of `name`, or `fallback` when unset or empty.
    public func string(_ name: String, default fallback: String) -> String {
        guard let value = values[name]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return fallback }
        return value
    }

    /// The integer value of `name` within `range`, or `fallback` when unset.
    public func int(_ name: String, default fallback: Int, in range: ClosedRange<Int>) throws -> Int {
        let raw = string(name, default: "")
        if raw.isEmpty { return fallback }
        guard let value = Int(raw), range.contains(value) else {
            throw ConfigurationError(variable: name, value: raw, expected: "an integer in \(range)")
        }
        return value
    }

    /// The boolean value of `name` (`true/false/1/0/yes/no`), or `fallback` when unset.
    public func bool(_ name: String, default fallback: Bool) throws -> Bool {
        let raw = string(name, default: "").lowercased()
        switch raw {
        case "": return fallback
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw ConfigurationError(variable: name, value: raw, expected: "true or false")
        }
    }
}
