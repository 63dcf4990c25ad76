import CRdKafka
import Logging

/// The producer's shared state: the librdkafka handle, the table of waiting senders, and the
/// poll loop that turns delivery-report events into resumed continuations.
final class ProducerCore: Sendable {
    let table = ContinuationTable()
    let lifecycle = PollLifecycle()
    private let client: ClientHandle
    private let handle: HandleGuard
    private let queue: UnsafeTransfer<OpaquePointer>
    private let closing = Locked(false)
    private let logger: Logger

    init(configuration: KafkaProducerConfiguration, logger: Logger) throws {
        self.logger = logger
        client = try ClientHandle(
            type: RD_KAFKA_PRODUCER,
            properties: configuration.properties,
            events: RD_KAFKA_EVENT_DR | RD_KAFKA_EVENT_ERROR,
            logger: logger
        )
        handle = HandleGuard(client.rk)
        queue = UnsafeTransfer(rd_kafka_queue_get_main(client.rk))
    }

    // MARK: Sending

    /// Enqueues `message`, backing off while librdkafka's queue is full; returns its opaque id.
    func enqueue(_ message: OutgoingMessage) async throws -> UInt {
        if closing.withLock({ $0 }) { throw KafkaError.closed("the producer is shutting down") }
        let id = try table.reserve()
        var backoffMs = 1
        while true {
            let error: KafkaError?
            do {
                error = try handle.use { rk in ProduceCall.enqueue(message, id: id, on: rk) }
            } catch {
                table.cancel(id)
                throw error
            }
            guard let error else { return id }
            guard error.code == RD_KAFKA_RESP_ERR__QUEUE_FULL.rawValue else {
                table.cancel(id)
                throw error
            }
            do {
                try await Task.sleep(for: .milliseconds(backoffMs))
            } catch {
                table.cancel(id)
                throw error
            }
            backoffMs = min(backoffMs * 2, 50)
        }
    }

    // MARK: Flush and shutdown

    func flush(timeout: Duration) async -> Bool {
        let handle = self.handle
        let ms = timeout.milliseconds
        return await BlockingExecutor.run {
            (try? handle.use { rk in rd_kafka_flush(rk, ms) == RD_KAFKA_RESP_ERR_NO_ERROR }) ?? false
        }
    }

    func shutdown(timeout: Duration) async {
        let first = closing.withLock { closing in
            defer { closing = true }
            return !closing
        }
        if first, !lifecycle.stopRequested {
            let flushed = await flush(timeout: timeout)
            if !flushed {
                logger.warning("Kafka producer: flush timed out, purging undelivered messages",
                               metadata: ["pending": "\(table.pendingCount)"])
                _ = try? handle.use { rk in
                    rd_kafka_purge(rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT)
                }
            }
            lifecycle.requestStop()
        }
        await lifecycle.waitUntilFinished()
    }

    // MARK: Poll thread

    /// Runs on the dedicated poll thread until a stop is requested, then tears everything down.
    func runPollLoop() {
        while !lifecycle.stopRequested {
            if let event = rd_kafka_queue_poll(queue.value, 100) {
                handle(event)
                rd_kafka_event_destroy(event)
            }
        }
        // Deliver the reports that are already queued (purged messages among them), then fail
        // whatever is left so no sender waits forever.
        while let event = rd_kafka_queue_poll(queue.value, 0) {
            handle(event)
            rd_kafka_event_destroy(event)
        }
        table.failAll(KafkaError.closed("the producer was shut down before the message was acknowledged"))
        handle.retire()
        rd_kafka_queue_destroy(queue.value)
        client.destroy()
        logger.debug("Kafka producer closed")
        lifecycle.markFinished()
    }

    private func handle(_ event: OpaquePointer) {
        switch rd_kafka_event_type(event) {
        case RD_KAFKA_EVENT_DR:
            while let message = rd_kafka_event_message_next(event) {
                deliver(message.pointee)
            }
        case RD_KAFKA_EVENT_ERROR:
            let error = KafkaError.rdkafka(rd_kafka_event_error(event), String(cString: rd_kafka_event_error_string(event)))
            if rd_kafka_event_error_is_fatal(event) != 0 {
                logger.critical("Kafka producer fatal error", metadata: ["error": "\(error)"])
            } else {
                logger.warning("Kafka producer error", metadata: ["error": "\(error)"])
            }
        default:
            break
        }
    }

    private func deliver(_ message: rd_kafka_message_t) {
        let id = UInt(bitPattern: message._private)
        guard id != 0 else { return }
        if message.err == RD_KAFKA_RESP_ERR_NO_ERROR {
            let topic = String(cString: rd_kafka_topic_name(message.rkt))
            table.complete(id, with: .success(DeliveryReceipt(topic: topic, partition: message.partition, offset: message.offset)))
        } else {
            var text = String(cString: rd_kafka_err2str(message.err))
            withUnsafePointer(to: message) { pointer in
                if let detail = rd_kafka_message_errstr(pointer) { text = String(cString: detail) }
            }
            table.complete(id, with: .failure(KafkaError.rdkafka(message.err, text)))
        }
    }
}
