import CRdKafka
import Foundation
import Logging

/// The consumer's shared state and its dedicated poll thread: serves the consumer queue
/// (fetched messages, rebalances, commit results, errors) and closes the group membership.
///
/// The poll thread never blocks on the application. When the channel to the application is
/// full it holds the message back, pauses fetching of every assigned partition and goes on
/// polling — so a slow application (a database outage its handlers wait out) stays in its group
/// instead of exceeding `max.poll.interval.ms` — and resumes once the channel has drained.
final class ConsumerCore: Sendable {
    let channel: BoundedChannel<ConsumedMessage>
    let lifecycle = PollLifecycle()
    let handle: HandleGuard
    let assigned = Locked(Set<TopicPartition>())
    /// Messages polled while the channel was full, and whether fetching is paused. Poll thread only.
    private let heldBack = Locked(HeldBack())
    private let client: ClientHandle
    private let consumerQueue: UnsafeTransfer<OpaquePointer>
    private let logger: Logger
    private let groupId: String

    init(configuration: KafkaConsumerConfiguration, logger: Logger) throws {
        groupId = configuration.groupId
        guard !configuration.topics.isEmpty else { throw KafkaError.configuration("no topics to subscribe to") }
        self.logger = logger
        let client = try ClientHandle(
            type: RD_KAFKA_CONSUMER,
            properties: configuration.properties,
            events: RD_KAFKA_EVENT_REBALANCE | RD_KAFKA_EVENT_OFFSET_COMMIT | RD_KAFKA_EVENT_ERROR | RD_KAFKA_EVENT_STATS,
            logger: logger
        )
        let rk = client.rk
        var err = rd_kafka_poll_set_consumer(rk)
        if err == RD_KAFKA_RESP_ERR_NO_ERROR {
            let topics = configuration.topics.map { (topic: $0, partition: RD_KAFKA_PARTITION_UA, offset: Int64(RD_KAFKA_OFFSET_INVALID)) }
            err = PartitionList.with(topics) { rd_kafka_subscribe(rk, $0) }
        }
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            client.destroy()
            throw KafkaError.rdkafka(err, "subscribing to \(configuration.topics) failed: \(String(cString: rd_kafka_err2str(err)))")
        }
        self.client = client
        handle = HandleGuard(rk)
        consumerQueue = UnsafeTransfer(rd_kafka_queue_get_consumer(rk))
        channel = BoundedChannel(capacity: configuration.bufferSize)
    }

    /// Asks the poll thread to close the consumer; does not wait.
    func requestClose() {
        lifecycle.requestStop()
        channel.finish()
    }

    // MARK: Poll thread

    func runPollLoop() {
        while !lifecycle.stopRequested {
            guard deliverHeldBack() else { break }
            guard let event = rd_kafka_queue_poll(consumerQueue.value, 100) else { continue }
            let message = handle(event, closing: false)
            rd_kafka_event_destroy(event)
            if let message, !deliver(message) { break }
        }
        close()
    }

    // MARK: Backpressure

    /// Hands `message` to the application, or — channel full — holds it back and pauses fetching.
    /// Returns `false` once the channel is finished.
    private func deliver(_ message: ConsumedMessage) -> Bool {
        if heldBack.withLock({ $0.isEmpty }) {
            switch channel.trySend(message) {
            case .sent: return true
            case .finished: return false
            case .full: break
            }
        }
        heldBack.withLock { $0.append(message) }
        pauseFetching()
        return true
    }

    /// Moves held-back messages into the channel while it has room, in order; resumes fetching once
    /// none is left and the channel has drained to half. Returns `false` once the channel is finished.
    private func deliverHeldBack() -> Bool {
        while let next = heldBack.withLock({ $0.first }) {
            switch channel.trySend(next) {
            case .sent: heldBack.withLock { $0.removeFirst() }
            case .full: return true
            case .finished: return false
            }
        }
        if heldBack.withLock({ $0.paused }), channel.isAtOrBelow(channel.capacity / 2) { resumeFetching() }
        return true
    }

    /// Pauses fetching of every assigned partition (librdkafka drops what it prefetched and, on
    /// resume, fetches again from the message after the last one handed to us).
    private func pauseFetching() {
        let alreadyPaused = heldBack.withLock { state -> Bool in
            defer { state.paused = true }
            return state.paused
        }
        guard !alreadyPaused else { return }
        withAssignment { rd_kafka_pause_partitions(client.rk, $0) }
        logger.debug("consumer buffer full; fetching paused")
    }

    private func resumeFetching() {
        heldBack.withLock { $0.paused = false }
        withAssignment { rd_kafka_resume_partitions(client.rk, $0) }
        logger.debug("fetching resumed")
    }

    /// Runs `body` with the current assignment, logging a failure (fetching then carries on as before).
    private func withAssignment(_ body: (UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) -> rd_kafka_resp_err_t) {
        var list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
        guard rd_kafka_assignment(client.rk, &list) == RD_KAFKA_RESP_ERR_NO_ERROR, let list else { return }
        defer { rd_kafka_topic_partition_list_destroy(list) }
        guard list.pointee.cnt > 0 else { return }
        let err = body(list)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR {
            logger.warning("Kafka pause/resume failed", metadata: ["error": "\(KafkaError.rdkafka(err))"])
        }
    }

    /// Handles one event; returns a copied message for FETCH events that carry one.
    private func handle(_ event: OpaquePointer, closing: Bool) -> ConsumedMessage? {
        switch rd_kafka_event_type(event) {
        case RD_KAFKA_EVENT_FETCH:
            guard let raw = rd_kafka_event_message_next(event) else { return nil }
            if raw.pointee.err != RD_KAFKA_RESP_ERR_NO_ERROR {
                let text = rd_kafka_message_errstr(raw).map { String(cString: $0) } ?? ""
                logger.warning("Kafka consumer error message", metadata: [
                    "error": "\(KafkaError.rdkafka(raw.pointee.err, text))",
                ])
                return nil
            }
            return closing ? nil : MessageCopy.consumed(raw)
        case RD_KAFKA_EVENT_REBALANCE:
            rebalance(event)
        case RD_KAFKA_EVENT_OFFSET_COMMIT:
            let err = rd_kafka_event_error(event)
            if err != RD_KAFKA_RESP_ERR_NO_ERROR, err != RD_KAFKA_RESP_ERR__NO_OFFSET {
                logger.warning("Kafka offset commit failed", metadata: ["error": "\(KafkaError.rdkafka(err))"])
            }
        case RD_KAFKA_EVENT_STATS:
            if let json = rd_kafka_event_stats(event) {
                ConsumerLagGauges.record(statistics: Array(UnsafeRawBufferPointer(start: json, count: strlen(json))), group: groupId)
            }
        case RD_KAFKA_EVENT_ERROR:
            let error = KafkaError.rdkafka(rd_kafka_event_error(event), String(cString: rd_kafka_event_error_string(event)))
            if rd_kafka_event_error_is_fatal(event) != 0 {
                logger.critical("Kafka consumer fatal error", metadata: ["error": "\(error)"])
            } else {
                logger.warning("Kafka consumer error", metadata: ["error": "\(error)"])
            }
        default:
            break
        }
        return nil
    }

    /// Applies an assignment change. Before partitions go, buffered messages of theirs are
    /// dropped (their new owner reads them again) and stored offsets are committed.
    private func rebalance(_ event: OpaquePointer) {
        let rk = client.rk
        let kind = rd_kafka_event_error(event)
        let list = rd_kafka_event_topic_partition_list(event)
        let partitions = PartitionList.read(list)
        let cooperative = rd_kafka_rebalance_protocol(rk).map { String(cString: $0) } == "COOPERATIVE"

        switch kind {
        case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
            logger.info("Kafka partitions assigned", metadata: ["partitions": "\(partitions)"])
            let failure: KafkaError? = cooperative
                ? rd_kafka_incremental_assign(rk, list).map(KafkaError.consuming)
                : Self.check(rd_kafka_assign(rk, list))
            if let failure {
                logger.error("Kafka assign failed", metadata: ["error": "\(failure)"])
            } else {
                assigned.withLock { $0.formUnion(partitions) }
                // While the application is behind, new partitions wait too.
                if heldBack.withLock({ $0.paused }), let list {
                    let err = rd_kafka_pause_partitions(rk, list)
                    if err != RD_KAFKA_RESP_ERR_NO_ERROR {
                        logger.warning("Kafka pause failed", metadata: ["error": "\(KafkaError.rdkafka(err))"])
                    }
                }
            }
        case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
            let revoked = Set(partitions)
            logger.info("Kafka partitions revoked", metadata: ["partitions": "\(partitions)"])
            channel.removeAll { revoked.contains($0.topicPartition) }
            heldBack.withLock { $0.removeAll { revoked.contains($0.topicPartition) } }
            if rd_kafka_assignment_lost(rk) == 0 {
                let err = rd_kafka_commit(rk, nil, 0)
                if err != RD_KAFKA_RESP_ERR_NO_ERROR, err != RD_KAFKA_RESP_ERR__NO_OFFSET {
                    logger.warning("Kafka commit before revoke failed", metadata: ["error": "\(KafkaError.rdkafka(err))"])
                }
            }
            let failure: KafkaError? = cooperative
                ? rd_kafka_incremental_unassign(rk, list).map(KafkaError.consuming)
                : Self.check(rd_kafka_assign(rk, nil))
            if let failure { logger.error("Kafka unassign failed", metadata: ["error": "\(failure)"]) }
            assigned.withLock { current in
                if cooperative { current.subtract(revoked) } else { current.removeAll() }
            }
        default:
            logger.error("Kafka rebalance error", metadata: ["error": "\(KafkaError.rdkafka(kind))"])
            _ = rd_kafka_assign(rk, nil)
            assigned.withLock { $0.removeAll() }
            heldBack.withLock { $0.removeAll { _ in true } }
        }
    }

    /// Leaves the group (committing stored offsets) and destroys the handle.
    private func close() {
        channel.finish()
        let rk = client.rk
        rd_kafka_queue_destroy(consumerQueue.value)
        let closeQueue = rd_kafka_queue_new(rk)!
        if let error = rd_kafka_consumer_close_queue(rk, closeQueue).map(KafkaError.consuming) {
            logger.error("Kafka consumer close failed", metadata: ["error": "\(error)"])
        } else {
            while rd_kafka_consumer_closed(rk) == 0 {
                guard let event = rd_kafka_queue_poll(closeQueue, 100) else { continue }
                _ = handle(event, closing: true)
                rd_kafka_event_destroy(event)
            }
        }
        rd_kafka_queue_destroy(closeQueue)
        handle.retire()
        client.destroy()
        assigned.withLock { $0.removeAll() }
        logger.debug("Kafka consumer closed")
        lifecycle.markFinished()
    }

    private static func check(_ err: rd_kafka_resp_err_t) -> KafkaError? {
        err == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : KafkaError.rdkafka(err)
    }
}

/// Messages the poll thread took from librdkafka while the application's channel was full, in
/// order, and whether fetching is paused because of them.
struct HeldBack {
    private var messages: [ConsumedMessage] = []
    private var head = 0
    /// Whether fetching of the assigned partitions is paused.
    var paused = false

    var isEmpty: Bool { head == messages.count }
    var first: ConsumedMessage? { isEmpty ? nil : messages[head] }

    mutating func append(_ message: ConsumedMessage) { messages.append(message) }

    mutating func removeFirst() {
        head += 1
        if head == messages.count {
            messages.removeAll(keepingCapacity: true)
            head = 0
        }
    }

    /// Drops held messages matching `predicate` (those of revoked partitions).
    mutating func removeAll(where predicate: (ConsumedMessage) -> Bool) {
        messages = messages[head...].filter { !predicate($0) }
        head = 0
    }
}
