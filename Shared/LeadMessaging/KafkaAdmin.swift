import CRdKafka
import Logging

/// A topic to create.
public struct TopicSpec: Sendable {
    /// The topic name.
    public var name: String
    /// Number of partitions (Leadflow's default is 12: one per possible consumer instance).
    public var partitions: Int32 = 12
    /// Replicas per partition; `-1` takes the broker's default.
    public var replicationFactor: Int16 = -1
    /// Topic-level configuration (for example `retention.ms`).
    public var config: [String: String] = [:]

    /// Creates a topic specification.
    public init(name: String, partitions: Int32 = 12, replicationFactor: Int16 = -1, config: [String: String] = [:]) {
        self.name = name
        self.partitions = partitions
        self.replicationFactor = replicationFactor
        self.config = config
    }
}

/// Topic administration (create, list, delete) through librdkafka's admin API.
///
/// Each call waits for the broker's answer on a thread outside the Swift cooperative pool.
public final class KafkaAdmin: Sendable {
    private let client: ClientHandle
    let handle: HandleGuard
    private let destroyed = Locked(false)

    /// Creates an admin client.
    ///
    /// - Throws: ``KafkaError`` when the client cannot be created.
    public init(bootstrapServers: String, logger: Logger) throws {
        client = try ClientHandle(
            type: RD_KAFKA_PRODUCER,
            properties: [("bootstrap.servers", bootstrapServers), ("client.id", "leadflow-admin")],
            events: 0,
            logger: logger
        )
        handle = HandleGuard(client.rk)
    }

    deinit { shutdown() }

    /// Creates the topics that do not exist yet.
    ///
    /// - Returns: the names of the topics this call created; existing topics are skipped.
    /// - Throws: ``KafkaError`` for the first topic the broker refused for another reason.
    public func createTopics(_ topics: [TopicSpec], timeout: Duration = .seconds(30)) async throws -> [String] {
        guard !topics.isEmpty else { return [] }
        let handle = self.handle
        return try await BlockingExecutor.run {
            try handle.use { rk in try AdminCall.createTopics(topics, rk: rk, timeout: timeout) }
        }
    }

    /// The topics the cluster knows, with their partition counts (from cluster metadata).
    public func listTopics() async throws -> [String: Int32] {
        let handle = self.handle
        return try await BlockingExecutor.run {
            try handle.use { rk in try AdminCall.listTopics(rk: rk, timeout: .seconds(10)) }
        }
    }

    /// Deletes the topics; topics that do not exist are ignored.
    public func deleteTopics(_ names: [String]) async throws {
        guard !names.isEmpty else { return }
        let handle = self.handle
        try await BlockingExecutor.run {
            try handle.use { rk in try AdminCall.deleteTopics(names, rk: rk, timeout: .seconds(30)) }
        }
    }

    /// Destroys the client after in-flight calls finish (it blocks the caller until then).
    /// Later calls throw a closed error. Safe to call more than once.
    public func shutdown() {
        let first = destroyed.withLock { done in
            defer { done = true }
            return !done
        }
        guard first else { return }
        handle.retire()
        client.destroy()
    }
}

/// The blocking admin operations, each with its own temporary result queue.
enum AdminCall {
    static func createTopics(_ topics: [TopicSpec], rk: OpaquePointer, timeout: Duration) throws -> [String] {
        var errstr = [CChar](repeating: 0, count: 512)
        var newTopics: [OpaquePointer?] = []
        defer { for topic in newTopics { rd_kafka_NewTopic_destroy(topic) } }
        for spec in topics {
            guard let topic = rd_kafka_NewTopic_new(
                spec.name, spec.partitions, Int32(spec.replicationFactor), &errstr, errstr.count
            ) else {
                throw KafkaError.configuration("topic \(spec.name): \(string(fromBuffer: errstr))")
            }
            newTopics.append(topic)
            for (key, value) in spec.config.sorted(by: { $0.key < $1.key }) {
                let err = rd_kafka_NewTopic_set_config(topic, key, value)
                if err != RD_KAFKA_RESP_ERR_NO_ERROR {
                    throw KafkaError.rdkafka(err, "topic \(spec.name): config \(key)=\(value) rejected")
                }
            }
        }
        let results = try run(RD_KAFKA_ADMIN_OP_CREATETOPICS, rk: rk, timeout: timeout) { options, queue in
            newTopics.withUnsafeMutableBufferPointer { buffer in
                rd_kafka_CreateTopics(rk, buffer.baseAddress, buffer.count, options, queue)
            }
        } results: { event in
            var count = 0
            let list = rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(event), &count)
            return topicResults(list, count)
        }
        var created: [String] = []
        for result in results {
            switch result.error {
            case nil: created.append(result.name)
            case let error? where error.code == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS.rawValue: continue
            case let error?: throw error
            }
        }
        return created
    }

    static func deleteTopics(_ names: [String], rk: OpaquePointer, timeout: Duration) throws {
        var deletions: [OpaquePointer?] = names.map { rd_kafka_DeleteTopic_new($0) }
        defer { for deletion in deletions { rd_kafka_DeleteTopic_destroy(deletion) } }
        let results = try run(RD_KAFKA_ADMIN_OP_DELETETOPICS, rk: rk, timeout: timeout) { options, queue in
            deletions.withUnsafeMutableBufferPointer { buffer in
                rd_kafka_DeleteTopics(rk, buffer.baseAddress, buffer.count, options, queue)
            }
        } results: { event in
            var count = 0
            let list = rd_kafka_DeleteTopics_result_topics(rd_kafka_event_DeleteTopics_result(event), &count)
            return topicResults(list, count)
        }
        for case let error? in results.map(\.error) where error.code != RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART.rawValue {
            throw error
        }
    }

    static func listTopics(rk: OpaquePointer, timeout: Duration) throws -> [String: Int32] {
        var metadata: UnsafePointer<rd_kafka_metadata>?
        let err = rd_kafka_metadata(rk, 1, nil, &metadata, timeout.milliseconds)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else { throw KafkaError.rdkafka(err) }
        defer { rd_kafka_metadata_destroy(metadata) }
        var topics: [String: Int32] = [:]
        for index in 0..<Int(metadata.pointee.topic_cnt) {
            let topic = metadata.pointee.topics[index]
            guard topic.err == RD_KAFKA_RESP_ERR_NO_ERROR, let name = topic.topic else { continue }
            topics[String(cString: name)] = topic.partition_cnt
        }
        return topics
    }

    // MARK: Helpers

    /// Starts an admin request on a temporary queue and waits for its result event.
    static func run(
        _ op: rd_kafka_admin_op_t,
        rk: OpaquePointer,
        timeout: Duration,
        start: (OpaquePointer, OpaquePointer) -> Void,
        results: (OpaquePointer) -> [(name: String, error: KafkaError?)]
    ) throws -> [(name: String, error: KafkaError?)] {
        var errstr = [CChar](repeating: 0, count: 512)
        let options = rd_kafka_AdminOptions_new(rk, op)!
        defer { rd_kafka_AdminOptions_destroy(options) }
        let ms = timeout.milliseconds
        _ = rd_kafka_AdminOptions_set_request_timeout(options, ms, &errstr, errstr.count)
        _ = rd_kafka_AdminOptions_set_operation_timeout(options, ms, &errstr, errstr.count)
        let queue = rd_kafka_queue_new(rk)!
        defer { rd_kafka_queue_destroy(queue) }
        start(options, queue)
        guard let event = rd_kafka_queue_poll(queue, ms &+ 1_000) else {
            throw KafkaError.rdkafka(RD_KAFKA_RESP_ERR__TIMED_OUT, "admin request timed out")
        }
        defer { rd_kafka_event_destroy(event) }
        let err = rd_kafka_event_error(event)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError.rdkafka(err, rd_kafka_event_error_string(event).map { String(cString: $0) })
        }
        return results(event)
    }

    private static func topicResults(_ list: UnsafeMutablePointer<OpaquePointer?>?, _ count: Int) -> [(name: String, error: KafkaError?)] {
        guard let list else { return [] }
        return (0..<count).compactMap { index in
            guard let result = list[index] else { return nil }
            let name = String(cString: rd_kafka_topic_result_name(result))
            let err = rd_kafka_topic_result_error(result)
            guard err != RD_KAFKA_RESP_ERR_NO_ERROR else { return (name, nil) }
            let text = rd_kafka_topic_result_error_string(result).map { String(cString: $0) }
            return (name, KafkaError.rdkafka(err, "\(name): \(text ?? "")"))
        }
    }
}
