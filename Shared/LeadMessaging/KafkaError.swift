import CRdKafka

/// An error raised by the Kafka client: a librdkafka error code plus a human-readable message.
///
/// Cases are kept in a private enum so that new kinds can be added without breaking callers;
/// branch on ``code`` (a raw `rd_kafka_resp_err_t`) or the `is…` properties instead.
public struct KafkaError: Error, CustomStringConvertible, Sendable {
    private enum Kind: Sendable {
        /// A code reported by librdkafka or the broker.
        case librdkafka
        /// A configuration key or value was rejected.
        case configuration
        /// The client was shut down (or is shutting down).
        case closed
    }

    private let kind: Kind
    private let retriableFlag: Bool?
    /// The raw `rd_kafka_resp_err_t` value (negative: client-side, positive: broker-side).
    public let code: Int32
    /// What went wrong, in words.
    public let message: String

    private init(kind: Kind, code: Int32, message: String, retriable: Bool? = nil) {
        self.kind = kind
        self.code = code
        self.message = message
        self.retriableFlag = retriable
    }

    /// The librdkafka symbolic name of ``code`` (for example `_QUEUE_FULL` or `TOPIC_ALREADY_EXISTS`).
    public var codeName: String { String(cString: rd_kafka_err2name(rd_kafka_resp_err_t(code))) }

    /// Whether retrying the same operation later may succeed.
    public var isRetriable: Bool {
        if let retriableFlag { return retriableFlag }
        switch kind {
        case .configuration, .closed: return false
        case .librdkafka: return Self.retriableCodes.contains(rd_kafka_resp_err_t(code))
        }
    }

    /// Whether the client was shut down (or was shutting down) when the operation ran.
    public var isClosed: Bool { kind == .closed }

    /// Whether this is a rejected configuration key or value.
    public var isConfigurationError: Bool { kind == .configuration }

    public var description: String {
        switch kind {
        case .configuration: return "KafkaError(configuration): \(message)"
        case .closed: return "KafkaError(closed): \(message)"
        case .librdkafka: return "KafkaError(\(codeName) [\(code)]): \(message)"
        }
    }

    // MARK: Internal constructors

    /// An error from a librdkafka response code; `message` defaults to librdkafka's text for it.
    static func rdkafka(_ err: rd_kafka_resp_err_t, _ message: String? = nil) -> KafkaError {
        KafkaError(kind: .librdkafka, code: err.rawValue, message: message ?? String(cString: rd_kafka_err2str(err)))
    }

    /// Takes ownership of an `rd_kafka_error_t` and destroys it.
    static func consuming(_ error: OpaquePointer) -> KafkaError {
        defer { rd_kafka_error_destroy(error) }
        return KafkaError(
            kind: .librdkafka,
            code: rd_kafka_error_code(error).rawValue,
            message: String(cString: rd_kafka_error_string(error)),
            retriable: rd_kafka_error_is_retriable(error) != 0
        )
    }

    static func configuration(_ message: String) -> KafkaError {
        KafkaError(kind: .configuration, code: RD_KAFKA_RESP_ERR__INVALID_ARG.rawValue, message: message)
    }

    static func closed(_ message: String = "the Kafka client is shut down") -> KafkaError {
        KafkaError(kind: .closed, code: RD_KAFKA_RESP_ERR__DESTROY.rawValue, message: message)
    }

    private static let retriableCodes: Set<rd_kafka_resp_err_t> = [
        RD_KAFKA_RESP_ERR__QUEUE_FULL, RD_KAFKA_RESP_ERR__TIMED_OUT, RD_KAFKA_RESP_ERR__MSG_TIMED_OUT,
        RD_KAFKA_RESP_ERR__TRANSPORT, RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN, RD_KAFKA_RESP_ERR__WAIT_COORD,
        RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
        RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE, RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS,
        RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND, RD_KAFKA_RESP_ERR_NETWORK_EXCEPTION,
        RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE, RD_KAFKA_RESP_ERR_NOT_COORDINATOR,
        RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS, RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS,
        RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART, RD_KAFKA_RESP_ERR_KAFKA_STORAGE_ERROR,
    ]
}
