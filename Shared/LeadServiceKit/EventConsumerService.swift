import Foundation
import LeadMessaging
import Logging
import Metrics
import ServiceLifecycle
import Synchronization

/// Consumes a service's topics in its consumer group and hands each message to an ``EventHandler``.
///
/// A message's offset is stored only after the handler finished (its effects committed in
/// PostgreSQL); stored offsets are committed by the consumer periodically, on rebalance and on close.
/// Rejected messages are dead-lettered and skipped; other failures are retried in place, so a
/// partition never runs ahead of a message it could not yet apply.
public final class EventConsumerService: Service, Sendable {
    /// Retry policy for handler failures that are not rejections.
    public struct RetryPolicy: Sendable {
        /// Attempts before a message is dead-lettered as `processing_failed`.
        public var maxAttempts: Int = 10
        /// First back-off; doubles each attempt.
        public var initialBackoff: Duration = .milliseconds(100)
        /// Longest back-off.
        public var maxBackoff: Duration = .seconds(5)

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

    /// Creates the service; the consumer connects when `run()` starts.
    public init(
        configuration: KafkaConsumerConfiguration,
        handler: any EventHandler,
        deadLetters: DeadLetterWriter,
        stage: String,
        retry: RetryPolicy = .init(),
        logger: Logger
    ) {
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
        ])
        try await withGracefulShutdownHandler {
            for try await message in consumer.messages {
                guard await process(message) else { break }  // shutting down mid-retry: redelivered later
                do {
                    try consumer.markProcessed(message)
                } catch {
                    // The partition was revoked or the consumer closed: the next owner redelivers it.
                    logger.notice("could not store offset; message will be redelivered", metadata: [
                        "topic": "\(message.topic)", "partition": "\(message.partition)", "offset": "\(message.offset)",
                    ])
                }
                if stopping.load(ordering: .relaxed) { break }
            }
        } onGracefulShutdown: {
            self.stopping.store(true, ordering: .relaxed)
            Task { await consumer.close() }
        }
        await consumer.close()
        logger.info("consumer closed")
    }

    /// Applies `message`, retrying failures; returns `false` when shutdown interrupted the retries.
    private func process(_ message: ConsumedMessage) async -> Bool {
        let topicDimension = [("topic", message.topic)]
        let started = ContinuousClock.now
        var attempt = 0
        var backoff = retry.initialBackoff
        while true {
            attempt += 1
            do {
                try await handler.handle(message)
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
                if attempt >= retry.maxAttempts {
                    await deadLetter(message, code: "processing_failed", reason: String(describing: error), attempts: attempt)
                    return true
                }
                logger.warning("processing failed; retrying", metadata: [
                    "topic": "\(message.topic)", "partition": "\(message.partition)", "offset": "\(message.offset)",
                    "attempt": "\(attempt)", "error": "\(String(reflecting: error))",
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
