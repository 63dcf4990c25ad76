import Foundation
import LeadMessaging
import LeadModel
import LeadServiceKit
import LeadStorage
import Logging
import Metrics
import ServiceLifecycle
import Synchronization

/// Consumes analytics' topics in its consumer group and projects them in batches.
///
/// Analytics is a pure read model with a high event rate, so instead of one transaction per
/// message (the runtime's `EventConsumerService`) it applies whatever has queued up — up to
/// `maxBatch` messages — in one transaction, with the same idempotency record per event that
/// `EventApplier.applyOnce` writes (`processed_events`, consumer `analytics`). Offsets are
/// stored only after that transaction committed, so a crash redelivers the batch and the
/// idempotency record turns what was applied into no-ops.
///
/// * Messages that are not Leadflow events are dead-lettered (stage `analytics`) and skipped.
/// * A batch whose transaction fails is retried; if it keeps failing, its events are applied
///   one by one (`ProjectionStore.apply`, i.e. `applyOnce`), each with the runtime's retry
///   policy, and one that still fails after 10 attempts is dead-lettered as `processing_failed`
///   — so one poisonous event never holds up the others.
/// * Within a batch, events are applied grouped by lead in ascending lead id (each lead's own
///   events keep their order), so concurrent instances lock lead rows in the same order.
public final class ProjectionConsumerService: Service, Sendable {
    private let configuration: KafkaConsumerConfiguration
    private let store: ProjectionStore
    private let deadLetters: DeadLetterWriter
    private let maxBatch: Int
    private let logger: Logger
    private let stopping = Atomic<Bool>(false)

    /// Creates the service; the consumer connects when `run()` starts.
    public init(configuration: KafkaConsumerConfiguration, store: ProjectionStore, deadLetters: DeadLetterWriter,
                maxBatch: Int = 250, logger: Logger) {
        self.configuration = configuration
        self.store = store
        self.deadLetters = deadLetters
        self.maxBatch = maxBatch
        self.logger = logger
    }

    /// The consumer configuration the runtime would use for analytics' topics.
    public static func consumerConfiguration(_ configuration: ServiceConfiguration, name: String) -> KafkaConsumerConfiguration {
        KafkaConsumerConfiguration(
            bootstrapServers: configuration.kafkaBrokers,
            groupId: configuration.consumerGroup,
            topics: AnalyticsService.consumedTopics.map { configuration.topic($0.name) },
            clientId: "\(name)-\(configuration.instanceId)",
            sessionTimeoutMs: configuration.kafkaSessionTimeoutMs,
            maxPollIntervalMs: configuration.kafkaMaxPollIntervalMs,
            groupInstanceId: configuration.hasStableInstanceId ? "\(name)-\(configuration.instanceId)" : nil)
    }

    public func run() async throws {
        let consumer = try KafkaConsumer(configuration: configuration, logger: logger)
        logger.info("consuming", metadata: ["group": "\(configuration.groupId)", "topics": "\(configuration.topics.joined(separator: ","))"])
        let queue = BatchQueue(capacity: maxBatch * 2)
        let reader = Task {
            for await message in consumer.messages { await queue.push(message) }
            queue.finish()
        }
        await withGracefulShutdownHandler {
            // On shutdown the current batch finishes and its offsets are stored; then the
            // consumer closes (committing them) and what was queued is redelivered later.
            while !stopping.load(ordering: .relaxed), let batch = await queue.take(limit: maxBatch) {
                guard await process(batch) else { break }
                do {
                    try consumer.markProcessed(batch)
                } catch {
                    logger.notice("could not store offsets; the batch will be redelivered", metadata: ["error": "\(error)"])
                }
            }
        } onGracefulShutdown: {
            self.stopping.store(true, ordering: .relaxed)
            queue.finish()
        }
        await consumer.close()
        queue.finish()
        await reader.value
        logger.info("consumer closed")
    }

    /// Projects a batch; returns `false` when shutdown interrupted it (it is redelivered later).
    func process(_ batch: [ConsumedMessage]) async -> Bool {
        var events: [(message: ConsumedMessage, event: AnyLeadflowEvent)] = []
        for message in batch {
            do {
                let incoming = try IncomingEvent(message)
                if case .metrics = incoming.event { continue }
                events.append((message, incoming.event))
            } catch {
                await deadLetter(message, code: error.code, reason: error.reason, attempts: 1)
            }
        }
        let ordered = events.enumerated().sorted { a, b in
            let (ka, kb) = (a.element.event.leadId?.description ?? "", b.element.event.leadId?.description ?? "")
            return ka == kb ? a.offset < b.offset : ka < kb
        }.map(\.element)
        let store = self.store
        let batchEvents = ordered.map(\.event)
        for attempt in 1...3 {
            do {
                // Bounded: a database call that never returns must not stop the consumer polling.
                _ = try await withTimeout(Self.attemptTimeout) { try await store.apply(batchEvents) }
                count(ordered.map(\.message))
                return true
            } catch {
                if Task.isShuttingDownGracefully || Task.isCancelled { return false }
                logger.warning("batch failed; retrying", metadata: [
                    "attempt": "\(attempt)", "events": "\(ordered.count)", "error": "\(String(reflecting: error))",
                ])
                try? await Task.sleep(for: .milliseconds(100 * attempt))
            }
        }
        for (message, event) in ordered {
            guard await processAlone(message, event) else { return false }
        }
        return true
    }

    /// One event on its own, with the runtime's retry policy.
    private func processAlone(_ message: ConsumedMessage, _ event: AnyLeadflowEvent) async -> Bool {
        var backoff = Duration.milliseconds(100)
        let store = self.store
        var attempt = 0
        while true {
            attempt += 1
            do {
                _ = try await withTimeout(Self.attemptTimeout) { try await store.apply(event) }
                count([message])
                return true
            } catch {
                if Task.isShuttingDownGracefully || Task.isCancelled { return false }
                // An unavailable database is waited out, never counted against the event (as the
                // runtime's consumer does): a long PostgreSQL outage must not dead-letter valid events.
                if isTransientDatabaseFailure(error) { attempt = min(attempt, 9) }
                if attempt >= 10 {
                    await deadLetter(message, code: "processing_failed", reason: String(describing: error), attempts: attempt)
                    return true
                }
                try? await Task.sleep(for: backoff)
                backoff = min(backoff * 2, .seconds(5))
            }
        }
    }

    /// Longest one apply may take before it is abandoned and retried.
    static let attemptTimeout = Duration.seconds(30)

    private func count(_ messages: [ConsumedMessage]) {
        for (topic, group) in Dictionary(grouping: messages, by: \.topic) {
            Counter(label: "leadflow_events_processed_total", dimensions: [("topic", topic)]).increment(by: group.count)
        }
    }

    private func deadLetter(_ message: ConsumedMessage, code: String, reason: String, attempts: Int) async {
        Counter(label: "leadflow_events_failed_total", dimensions: [("topic", message.topic), ("code", code)]).increment()
        var backoff = Duration.milliseconds(100)
        while true {
            do {
                try await deadLetters.write(message: message, stage: "analytics", code: code, reason: reason, attempts: attempts)
                return
            } catch {
                // Never skip a message that is not safely dead-lettered.
                logger.error("dead-lettering failed; retrying", metadata: ["error": "\(String(reflecting: error))"])
                try? await Task.sleep(for: backoff)
                backoff = min(backoff * 2, .seconds(5))
            }
        }
    }
}
