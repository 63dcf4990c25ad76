import CRdKafka
import Logging

/// An idempotent Kafka producer (`enable.idempotence=true`, `acks=all`).
///
/// Each `send` returns once the broker has acknowledged the record. Delivery reports arrive
/// through librdkafka's event API on a dedicated poll thread and resume the waiting sender;
/// nothing blocks the Swift cooperative pool. Call ``shutdown(timeout:)`` before dropping the
/// producer to deliver what is queued; sends still pending after its deadline fail.
public final class KafkaProducer: Sendable {
    private let core: ProducerCore

    /// Creates the producer and starts its poll thread.
    ///
    /// - Throws: ``KafkaError`` when a configuration property is rejected.
    public init(configuration: KafkaProducerConfiguration, logger: Logger) throws {
        core = try ProducerCore(configuration: configuration, logger: logger)
        let core = self.core
        PollLifecycle.startThread(named: "kafka-producer-poll") { core.runPollLoop() }
    }

    deinit {
        // Without shutdown(): stop without flushing; the poll thread fails what is pending.
        core.lifecycle.requestStop()
    }

    /// Publishes one record and returns where the broker stored it.
    ///
    /// When librdkafka's local queue is full the call backs off and retries, so at most
    /// ``KafkaProducerConfiguration/maxInFlightSends`` records wait at once.
    /// - Throws: ``KafkaError`` when the record is rejected or its delivery fails, or when the
    ///   producer is shut down before it was acknowledged; `CancellationError` when the task is
    ///   cancelled while waiting for queue space (an enqueued record cannot be recalled).
    public func send(_ message: OutgoingMessage) async throws -> DeliveryReceipt {
        let id = try await core.enqueue(message)
        return try await core.table.wait(for: id)
    }

    /// Publishes several records (batched by `linger.ms`) and waits for all acknowledgements.
    ///
    /// Records are enqueued in order, so records with one key keep their order.
    /// - Returns: one receipt per record, in the order given.
    /// - Throws: the first error; records enqueued before it are still awaited first.
    public func send(_ messages: [OutgoingMessage]) async throws -> [DeliveryReceipt] {
        var ids: [UInt] = []
        ids.reserveCapacity(messages.count)
        var failure: (any Error)?
        for message in messages {
            do {
                ids.append(try await core.enqueue(message))
            } catch {
                failure = error
                break
            }
        }
        var receipts: [DeliveryReceipt] = []
        receipts.reserveCapacity(ids.count)
        for id in ids {
            do {
                receipts.append(try await core.table.wait(for: id))
            } catch {
                if failure == nil { failure = error }
            }
        }
        if let failure { throw failure }
        return receipts
    }

    /// Waits until every enqueued record is acknowledged or failed, or `timeout` passes.
    ///
    /// - Returns: `true` when nothing is left in flight.
    public func flush(timeout: Duration) async -> Bool {
        await core.flush(timeout: timeout)
    }

    /// Stops accepting records, flushes until `timeout`, fails every send still pending and
    /// destroys the client. Safe to call more than once.
    public func shutdown(timeout: Duration = .seconds(10)) async {
        await core.shutdown(timeout: timeout)
    }
}
