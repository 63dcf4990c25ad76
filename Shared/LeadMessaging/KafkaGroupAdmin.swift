import CRdKafka

/// Where a consumer group stands on one partition.
public struct PartitionLag: Sendable, Hashable {
    /// The partition.
    public var partition: TopicPartition
    /// The group's committed offset (the next message it will read), `nil` when it has none.
    public var committed: Int64?
    /// The partition's end offset (high watermark).
    public var end: Int64
    /// The partition's first retained offset.
    public var start: Int64

    /// Messages the group has not yet committed: from its committed offset (or the start) to the end.
    public var lag: Int64 { max(0, end - (committed ?? start)) }
}

extension KafkaAdmin {
    /// The committed offsets of `group` for `partitions` (absent: the group committed nothing there).
    public func committedOffsets(group: String, partitions: [TopicPartition]) async throws -> [TopicPartition: Int64] {
        guard !partitions.isEmpty else { return [:] }
        let handle = self.handle
        return try await BlockingExecutor.run {
            try handle.use { rk in try AdminCall.listGroupOffsets(group: group, partitions: partitions, rk: rk) }
        }
    }

    /// Sets the committed offsets of `group` (for replay). The group must have no active members:
    /// stop (or scale to zero) the service first; the broker refuses otherwise.
    public func alterCommittedOffsets(group: String, offsets: [TopicPartition: Int64]) async throws {
        guard !offsets.isEmpty else { return }
        let handle = self.handle
        try await BlockingExecutor.run {
            try handle.use { rk in try AdminCall.alterGroupOffsets(group: group, offsets: offsets, rk: rk) }
        }
    }

    /// The first and end offsets of each partition of `topic`.
    public func watermarks(topic: String) async throws -> [Int32: (start: Int64, end: Int64)] {
        let partitionCount = try await listTopics()[topic] ?? 0
        let handle = self.handle
        return try await BlockingExecutor.run {
            try handle.use { rk in
                var result: [Int32: (start: Int64, end: Int64)] = [:]
                for partition in 0..<partitionCount {
                    var low: Int64 = 0
                    var high: Int64 = 0
                    let err = rd_kafka_query_watermark_offsets(rk, topic, partition, &low, &high, 10_000)
                    guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                        throw KafkaError.rdkafka(err, "watermarks of \(topic)[\(partition)]")
                    }
                    result[partition] = (low, high)
                }
                return result
            }
        }
    }

    /// The lag of `group` on every partition of `topics`.
    public func lag(group: String, topics: [String]) async throws -> [PartitionLag] {
        var marks: [TopicPartition: (start: Int64, end: Int64)] = [:]
        for topic in topics {
            for (partition, mark) in try await watermarks(topic: topic) {
                marks[TopicPartition(topic: topic, partition: partition)] = mark
            }
        }
        let committed = try await committedOffsets(group: group, partitions: Array(marks.keys))
        return marks.map { partition, mark in
            PartitionLag(partition: partition, committed: committed[partition], end: mark.end, start: mark.start)
        }.sorted { ($0.partition.topic, $0.partition.partition) < ($1.partition.topic, $1.partition.partition) }
    }

    /// For each partition of `topic`, the earliest offset whose timestamp is at or after
    /// `millisecondsSinceEpoch` (the end offset when there is none).
    public func offsets(topic: String, atOrAfter millisecondsSinceEpoch: Int64) async throws -> [TopicPartition: Int64] {
        let partitionCount = try await listTopics()[topic] ?? 0
        guard partitionCount > 0 else { throw KafkaError.configuration("topic \(topic) does not exist") }
        let handle = self.handle
        return try await BlockingExecutor.run {
            try handle.use { rk in
                let entries = (0..<partitionCount).map { (topic: topic, partition: $0, offset: millisecondsSinceEpoch) }
                return try PartitionList.with(entries) { list in
                    let err = rd_kafka_offsets_for_times(rk, list, 10_000)
                    guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError.rdkafka(err, "offsets for times of \(topic)") }
                    return try AdminCall.offsets(in: list)
                }
            }
        }
    }
}

extension AdminCall {
    static func listGroupOffsets(group: String, partitions: [TopicPartition], rk: OpaquePointer) throws -> [TopicPartition: Int64] {
        let entries = partitions.map { (topic: $0.topic, partition: $0.partition, offset: Int64(RD_KAFKA_OFFSET_INVALID)) }
        return try PartitionList.with(entries) { list in
            var requests: [OpaquePointer?] = [rd_kafka_ListConsumerGroupOffsets_new(group, list)]
            defer { rd_kafka_ListConsumerGroupOffsets_destroy_array(&requests, requests.count) }
            return try groupCall(RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPOFFSETS, rk: rk) { options, queue in
                requests.withUnsafeMutableBufferPointer { buffer in
                    rd_kafka_ListConsumerGroupOffsets(rk, buffer.baseAddress, buffer.count, options, queue)
                }
            } results: { event in
                var count = 0
                let groups = rd_kafka_ListConsumerGroupOffsets_result_groups(
                    rd_kafka_event_ListConsumerGroupOffsets_result(event), &count)
                return (groups, count)
            }.filter { $0.value >= 0 }
        }
    }

    static func alterGroupOffsets(group: String, offsets: [TopicPartition: Int64], rk: OpaquePointer) throws {
        let entries = offsets.map { (topic: $0.key.topic, partition: $0.key.partition, offset: $0.value) }
        try PartitionList.with(entries) { list in
            var requests: [OpaquePointer?] = [rd_kafka_AlterConsumerGroupOffsets_new(group, list)]
            defer { rd_kafka_AlterConsumerGroupOffsets_destroy_array(&requests, requests.count) }
            _ = try groupCall(RD_KAFKA_ADMIN_OP_ALTERCONSUMERGROUPOFFSETS, rk: rk) { options, queue in
                requests.withUnsafeMutableBufferPointer { buffer in
                    rd_kafka_AlterConsumerGroupOffsets(rk, buffer.baseAddress, buffer.count, options, queue)
                }
            } results: { event in
                var count = 0
                let groups = rd_kafka_AlterConsumerGroupOffsets_result_groups(
                    rd_kafka_event_AlterConsumerGroupOffsets_result(event), &count)
                return (groups, count)
            }
        }
    }

    /// Runs a group-offsets admin request and returns the offsets of its one group result,
    /// throwing the group's or a partition's error.
    private static func groupCall(
        _ op: rd_kafka_admin_op_t,
        rk: OpaquePointer,
        start: (OpaquePointer, OpaquePointer) -> Void,
        results: (OpaquePointer) -> (UnsafeMutablePointer<OpaquePointer?>?, Int)
    ) throws -> [TopicPartition: Int64] {
        var offsets: [TopicPartition: Int64] = [:]
        var failure: KafkaError?
        _ = try run(op, rk: rk, timeout: .seconds(30), start: start) { event in
            let (groups, count) = results(event)
            guard let groups, count > 0, let group = groups[0] else { return [] }
            if let error = rd_kafka_group_result_error(group) {
                failure = KafkaError.rdkafka(rd_kafka_error_code(error), String(cString: rd_kafka_error_string(error)))
                return []
            }
            do {
                offsets = try AdminCall.offsets(in: rd_kafka_group_result_partitions(group))
            } catch let error as KafkaError {
                failure = error
            } catch {}
            return []
        }
        if let failure { throw failure }
        return offsets
    }

    /// The offsets of a partition list, throwing the first per-partition error.
    static func offsets(in list: UnsafePointer<rd_kafka_topic_partition_list_t>?) throws -> [TopicPartition: Int64] {
        guard let list, let elements = list.pointee.elems else { return [:] }
        var result: [TopicPartition: Int64] = [:]
        for index in 0..<Int(list.pointee.cnt) {
            let element = elements[index]
            let partition = TopicPartition(topic: String(cString: element.topic), partition: element.partition)
            guard element.err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                throw KafkaError.rdkafka(element.err, "\(partition)")
            }
            result[partition] = element.offset
        }
        return result
    }
}
