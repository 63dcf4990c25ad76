import CRdKafka
import Logging

/// Settings of a ``KafkaProducer``.
public struct KafkaProducerConfiguration: Sendable {
    /// Comma-separated `host:port` list of brokers to bootstrap from.
    public var bootstrapServers: String
    /// The `client.id` shown in broker logs and metrics.
    public var clientId: String = "leadflow"
    /// How long to wait to batch records before sending (`linger.ms`).
    public var lingerMs: Int = 5
    /// Most records that may wait for acknowledgement at once
    /// (`queue.buffering.max.messages`); further sends wait until room frees up.
    public var maxInFlightSends: Int = 10_000
    /// Any further librdkafka properties. They may not override `enable.idempotence` or `acks`.
    public var extra: [String: String] = [:]

    /// Creates a producer configuration.
    public init(
        bootstrapServers: String,
        clientId: String = "leadflow",
        lingerMs: Int = 5,
        maxInFlightSends: Int = 10_000,
        extra: [String: String] = [:]
    ) {
        self.bootstrapServers = bootstrapServers
        self.clientId = clientId
        self.lingerMs = lingerMs
        self.maxInFlightSends = maxInFlightSends
        self.extra = extra
    }

    /// The librdkafka properties this configuration stands for, in the order they are applied.
    var properties: [(String, String)] {
        var result: [(String, String)] = [
            ("bootstrap.servers", bootstrapServers),
            ("client.id", clientId),
            ("linger.ms", String(lingerMs)),
            ("queue.buffering.max.messages", String(max(1, maxInFlightSends))),
        ]
        result += extra.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        result += [("enable.idempotence", "true"), ("acks", "all")]
        return result
    }
}

/// Settings of a ``KafkaConsumer``.
public struct KafkaConsumerConfiguration: Sendable {
    /// Where a group without a committed offset starts reading a partition.
    public enum OffsetReset: String, Sendable {
        /// From the oldest retained record.
        case earliest
        /// Only records produced after the consumer joined.
        case latest
    }

    /// Comma-separated `host:port` list of brokers to bootstrap from.
    public var bootstrapServers: String
    /// The consumer group; members of one group share the partitions of the topics.
    public var groupId: String
    /// Topics to subscribe to.
    public var topics: [String]
    /// The `client.id` shown in broker logs and metrics.
    public var clientId: String = "leadflow"
    /// `auto.offset.reset`.
    public var autoOffsetReset: OffsetReset = .earliest
    /// `session.timeout.ms`: how long the group waits for a silent member before rebalancing.
    public var sessionTimeoutMs: Int = 10_000
    /// `max.poll.interval.ms`: a member that does not take messages for this long leaves the group.
    /// Messages wait in a bounded buffer; when the application stops draining it for this long,
    /// the consumer is evicted (and its partitions rebalanced).
    public var maxPollIntervalMs: Int = 300_000
    /// `auto.commit.interval.ms`: how often offsets stored by ``KafkaConsumer/markProcessed(_:)`` are committed.
    public var autoCommitIntervalMs: Int = 1_000
    /// How many copied messages may wait for the application before polling pauses.
    public var bufferSize: Int = 512
    /// `group.instance.id`: a stable identity (for example the pod or host name) for static
    /// membership. A static member does not leave the group on ``KafkaConsumer/close()``; a
    /// restarted instance with the same id takes its partitions back, and (on Apache Kafka) an
    /// instance that never comes back is dropped after `sessionTimeoutMs`.
    ///
    /// On Tansu 0.6 set it and reuse it across restarts: there, once the group leader leaves
    /// (LeaveGroup) or stops heartbeating, the group is wedged — later members never get an
    /// assignment — unless a member with the leader's instance id rejoins.
    public var groupInstanceId: String?
    /// How often librdkafka reports statistics, from which the per-partition consumer lag gauge
    /// (`leadflow_consumer_lag`) is updated; 0 turns it off.
    public var statisticsIntervalMs: Int = 5_000
    /// Any further librdkafka properties. They may not override the offset-store and rebalance
    /// settings the consumer relies on.
    public var extra: [String: String] = [:]

    /// Creates a consumer configuration.
    public init(
        bootstrapServers: String,
        groupId: String,
        topics: [String],
        clientId: String = "leadflow",
        autoOffsetReset: OffsetReset = .earliest,
        sessionTimeoutMs: Int = 10_000,
        maxPollIntervalMs: Int = 300_000,
        autoCommitIntervalMs: Int = 1_000,
        bufferSize: Int = 512,
        groupInstanceId: String? = nil,
        extra: [String: String] = [:]
    ) {
        self.bootstrapServers = bootstrapServers
        self.groupId = groupId
        self.topics = topics
        self.clientId = clientId
        self.autoOffsetReset = autoOffsetReset
        self.sessionTimeoutMs = sessionTimeoutMs
        self.maxPollIntervalMs = maxPollIntervalMs
        self.autoCommitIntervalMs = autoCommitIntervalMs
        self.bufferSize = bufferSize
        self.groupInstanceId = groupInstanceId
        self.extra = extra
    }

    /// The librdkafka properties this configuration stands for, in the order they are applied.
    var properties: [(String, String)] {
        var result: [(String, String)] = [
            ("bootstrap.servers", bootstrapServers),
            ("group.id", groupId),
            ("client.id", clientId),
            ("auto.offset.reset", autoOffsetReset.rawValue),
            ("session.timeout.ms", String(sessionTimeoutMs)),
            ("max.poll.interval.ms", String(maxPollIntervalMs)),
            ("auto.commit.interval.ms", String(autoCommitIntervalMs)),
            ("partition.assignment.strategy", "cooperative-sticky"),
            ("statistics.interval.ms", String(statisticsIntervalMs)),
        ]
        if let groupInstanceId { result.append(("group.instance.id", groupInstanceId)) }
        result += extra.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        result += [
            ("enable.auto.commit", "true"),
            ("enable.auto.offset.store", "false"),
            ("enable.partition.eof", "false"),
        ]
        return result
    }
}

/// Owns the `Logger` that librdkafka's log callback writes to; lives as long as the handle.
final class LogContext: Sendable {
    let logger: Logger
    init(logger: Logger) { self.logger = logger }
}

/// A created `rd_kafka_t` plus what must be released after `rd_kafka_destroy`.
struct ClientHandle: @unchecked Sendable {
    let rk: OpaquePointer
    private let logContext: Unmanaged<LogContext>

    /// Turns `properties` into an `rd_kafka_conf_t` and creates the client.
    ///
    /// - Throws: ``KafkaError`` naming the offending key when librdkafka rejects a property.
    init(type: rd_kafka_type_t, properties: [(String, String)], events: Int32, logger: Logger) throws {
        let conf = try Self.makeConf(properties)
        let context = Unmanaged.passRetained(LogContext(logger: logger))
        rd_kafka_conf_set_opaque(conf, context.toOpaque())
        rd_kafka_conf_set_log_cb(conf) { rk, level, facility, message in
            guard let rk, let opaque = rd_kafka_opaque(rk) else { return }
            let logger = Unmanaged<LogContext>.fromOpaque(opaque).takeUnretainedValue().logger
            let text = message.map { String(cString: $0) } ?? ""
            let fac = facility.map { String(cString: $0) } ?? ""
            logger.log(level: ClientHandle.logLevel(syslog: level), "librdkafka \(fac): \(text)")
        }
        if events != 0 { rd_kafka_conf_set_events(conf, events) }

        var errstr = [CChar](repeating: 0, count: 512)
        guard let rk = rd_kafka_new(type, conf, &errstr, errstr.count) else {
            rd_kafka_conf_destroy(conf)
            context.release()
            throw KafkaError.configuration("rd_kafka_new failed: \(string(fromBuffer: errstr))")
        }
        self.rk = rk
        self.logContext = context
    }

    /// Destroys the client (blocking) and releases the log context.
    func destroy() {
        rd_kafka_destroy(rk)
        logContext.release()
    }

    private static func makeConf(_ properties: [(String, String)]) throws -> OpaquePointer {
        let conf = rd_kafka_conf_new()!
        var errstr = [CChar](repeating: 0, count: 512)
        for (key, value) in properties {
            let result = rd_kafka_conf_set(conf, key, value, &errstr, errstr.count)
            guard result == RD_KAFKA_CONF_OK else {
                rd_kafka_conf_destroy(conf)
                let reason = string(fromBuffer: errstr)
                throw KafkaError.configuration("property \"\(key)\" = \"\(value)\" rejected: \(reason)")
            }
        }
        return conf
    }

    static func logLevel(syslog level: Int32) -> Logger.Level {
        switch level {
        case ...2: return .critical
        case 3: return .error
        case 4: return .warning
        case 5: return .notice
        case 6: return .info
        default: return .debug
        }
    }
}

/// The NUL-terminated text in a C `errstr` buffer.
func string(fromBuffer buffer: [CChar]) -> String {
    String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
