import Foundation
import LeadMessaging
import LeadStorage
import Logging
import Metrics
import ServiceLifecycle
import Synchronization

/// Consumes a service's topics in its consumer group and hands each message to an ``EventHandler``.
///
/// Messages run in `lanes` parallel lanes chosen by message key (the lead id), so one lead's
/// events are applied one at a time, in order, while different leads proceed in parallel.
/// A partition's offset is stored only over a contiguous run of finished messages (their effects
/// committed in PostgreSQL); stored offsets are committed by the consumer periodically, on
/// rebalance and on close. Rejected messages are dead-lettered and skipped; other failures are
/// retried in place (an unavailable database without limit), so no message is skipped unapplied.
public final class EventConsumerService: Service, Sendable {
    /// Retry policy for handler failures that are not rejections.
    public struct RetryPolicy: Sendable {
        /// Attempts before a message is dead-lettered as `processing_failed`.
        public var maxAttempts: Int = 10
        /// First back-off; doubles each attempt.
        public var initialBackoff: Duration = .milliseconds(100)
        /// Longest back-off.
        public var maxBackoff: Duration = .seconds(5)
        /// Longest one attempt may take before it is abandoned (cancelled) and retried like a
        /// transient failure. A database call that never returns — seen after a PostgreSQL
        /// crash-restart — must not hold its lane, and with it the consumer's polling, forever
        /// (the member would exceed `max.poll.interval.ms` and leave its group).
        public var attemptTimeout: Duration = .seconds(30)

        /// Creates the default policy.
        public init() {}
    }

    private let configuration: KafkaConsumerConfiguration
    private let handler: any EventHandler
    private let deadLetters: DeadLetterWriter
    private let retry: RetryPolicy
    private let stage: String
    private let logger: Logger
    private let consumer = Mutex<KafkaConsumer?>(nil)
    private let stopping = Atomic<Bool>(false)
    private let lanes: Int

    /// Creates the service; the consumer connects when `run()` starts.
    public init(
        configuration: KafkaConsumerConfiguration,
        handler: any EventHandler,
        deadLetters: DeadLetterWriter,
        stage: String,
        lanes: Int = 8,
        retry: RetryPolicy = .init(),
        logger: Logger
    ) {
        self.lanes = max(1, lanes)
        self.configuration = configuration
        self.handler = handler
        self.deadLetters = deadLetters
        self.stage = stage
        self.retry = retry
        self.logger = logger
    }

    public func run() async throws {
        let consumer = try KafkaConsumer(configuration: configuration, logger: logger)
        self.consumer.withLock { $0 = consumer }
        logger.info("consuming", metadata: [
            "group": "\(configuration.groupId)", "topics": "\(configuration.topics.joined(separator: ","))",
            "lanes": "\(lanes)",
        ])
        let limit = InFlightLimit(lanes * 4)
        let offsets = OffsetTracker()
        let streams = (0..<lanes).map { _ in AsyncStream<ConsumedMessage>.makeStream() }
        let dispatcher = Task {
            // Hands each message to its lane; ends when the consumer closes or on graceful shutdown.
            for await message in consumer.messages {
                await limit.acquire()
                if Task.isCancelled || stopping.load(ordering: .relaxed) { break }
                offsets.register(message)
                streams[LaneChooser.lane(for: message, count: lanes)].continuation.yield(message)
            }
            for stream in streams { stream.continuation.finish() }
        }
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                for stream in streams {
                    group.addTask {
                        for await message in stream.stream {
                            if await self.process(message), let position = offsets.complete(message) {
                                self.storeOffset(position, consumer: consumer)
                            }
                            limit.release()
                        }
                    }
                }
            }
        } onGracefulShutdown: {
            // Stop taking messages; the lanes finish what they hold, then the consumer commits and leaves.
            self.stopping.store(true, ordering: .relaxed)
            dispatcher.cancel()
        }
        dispatcher.cancel()
        await dispatcher.value
        await consumer.close()
        logger.info("consumer closed")
    }

    /// Stores the offset after `position`; a revoked partition's new owner reads it again instead.
    private func storeOffset(_ position: ConsumedMessage, consumer: KafkaConsumer) {
        do {
            try consumer.markProcessed(position)
        } catch {
            logger.notice("could not store offset; messages will be redelivered", metadata: [
                "topic": "\(position.topic)", "partition": "\(position.partition)", "offset": "\(position.offset)",
            ])
        }
    }

    /// Applies `message`, retrying failures; returns `false` when shutdown interrupted the retries.
    private func process(_ message: ConsumedMessage) async -> Bool {
        let topicDimension = [("topic", message.topic)]
        let correlationId = Correlation.of(message)
        let started = ContinuousClock.now
        var attempt = 0
        var backoff = retry.initialBackoff
        while true {
            attempt += 1
            do {
                let handler = self.handler
                try await withTimeout(retry.attemptTimeout) {
                    try await Correlation.$id.withValue(correlationId) {
                        try await Correlation.$leadId.withValue(message.keyString) {
                            try await handler.handle(message)
                        }
                    }
                }
                Counter(label: "leadflow_events_processed_total", dimensions: topicDimension).increment()
                let elapsed = ContinuousClock.now - started
                Timer(label: "leadflow_event_processing_seconds", dimensions: topicDimension, preferredDisplayUnit: .seconds)
                    .recordNanoseconds(elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
                return true
            } catch let rejection as EventRejection {
                await deadLetter(message, code: rejection.code, reason: rejection.reason, attempts: attempt)
                return true
            } catch {
                if stopping.load(ordering: .relaxed) { return false }
                // An unavailable database is waited out, never counted against the message.
                let transient = isTransientDatabaseFailure(error)
                if transient { attempt = min(attempt, retry.maxAttempts - 1) }
                if !transient && attempt >= retry.maxAttempts {
                    await deadLetter(message, code: "processing_failed", reason: String(describing: error), attempts: attempt)
                    return true
                }
                logger.warning("processing failed; retrying", metadata: [
                    "topic": "\(message.topic)", "partition": "\(message.partition)", "offset": "\(message.offset)",
                    "attempt": "\(attempt)", "error": "\(String(reflecting: error))",
                    "correlation_id": "\(correlationId)", "lead_id": "\(message.keyString ?? "")",
                ])
                try? await Task.sleep(for: backoff)
                backoff = min(backoff * 2, retry.maxBackoff)
            }
        }
    }

    private func deadLetter(_ message: ConsumedMessage, code: String, reason: String, attempts: Int) async {
        Counter(label: "leadflow_events_failed_total", dimensions: [("topic", message.topic), ("code", code)]).increment()
        var backoff = retry.initialBackoff
        while true {
            do {
                try await deadLetters.write(message: message, stage: stage, code: code, reason: reason, attempts: attempts)
                return
            } catch {
                // Never skip a message that is not safely dead-lettered: keep trying.
                logger.error("dead-lettering failed; retrying", metadata: ["error": "\(String(reflecting: error))"])
                try? await Task.sleep(for: backoff)
                backoff = min(backoff * 2, retry.maxBackoff)
            }
        }
    }
}
