import Foundation
import LeadMessaging
import LeadModel
import LeadServiceKit
import LeadTestSupport
import Logging
import Synchronization

/// Kafka helpers for integration tests against the real Tansu broker.
public enum TestKafka {
    /// The broker `make test` started.
    public static var brokers: String { TestEnvironment.kafkaBrokers }

    /// A logger for test clients (quiet unless `KAFKA_TEST_LOG` names a level).
    public static func logger(_ label: String) -> Logger {
        var logger = Logger(label: "test.\(label)")
        logger.logLevel = ProcessInfo.processInfo.environment["KAFKA_TEST_LOG"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
        return logger
    }

    /// A fresh topic prefix (`<name>_<random>.`) so a test sees only its own topics.
    public static func uniquePrefix(_ name: String = "t") -> String {
        TestEnvironment.uniqueName(name) + "."
    }

    /// Creates every Leadflow topic under `prefix` with `partitions` partitions.
    public static func createLeadflowTopics(prefix: String, partitions: Int32 = 3) async throws {
        let admin = try KafkaAdmin(bootstrapServers: brokers, logger: logger("admin"))
        defer { admin.shutdown() }
        _ = try await admin.createTopics(Topic.allCases.map { TopicSpec(name: prefix + $0.name, partitions: partitions) })
    }

    /// An idempotent producer for the test broker.
    public static func producer() throws -> KafkaProducer {
        try KafkaProducer(configuration: KafkaProducerConfiguration(bootstrapServers: brokers), logger: logger("producer"))
    }

    /// Publishes `events` the way a Leadflow service would (CloudEvents headers, lead id key).
    public static func publish<Event: LeadflowEvent>(
        _ events: [Event], prefix: String, source: String = "/leadflow/test", producer: KafkaProducer
    ) async throws {
        let encoder = EventEncoder(source: source, topicPrefix: prefix)
        let messages = try events.map { event in
            let record = try encoder.record(event)
            return OutgoingMessage(
                topic: record.topic, key: record.key.map { Array($0.utf8) }, value: record.payload,
                headers: record.headers.map { KafkaHeader(key: $0.key, string: $0.value) })
        }
        _ = try await producer.send(messages)
    }

    /// A consumer in a group of its own reading `topics` from the beginning, tuned for Tansu.
    public static func consumer(topics: [String], group: String = TestEnvironment.uniqueName("reader")) throws -> KafkaConsumer {
        try KafkaConsumer(
            configuration: KafkaConsumerConfiguration(
                bootstrapServers: brokers, groupId: group, topics: topics, autoOffsetReset: .earliest,
                sessionTimeoutMs: 6_000, maxPollIntervalMs: 10_000, autoCommitIntervalMs: 500,
                extra: ["heartbeat.interval.ms": "500"]),
            logger: logger("reader"))
    }
}

/// Reads topics in the background and keeps every message, decoded where it is a Leadflow event.
public final class TopicRecorder: Sendable {
    /// One recorded message.
    public struct Entry: Sendable {
        /// The raw message.
        public let message: ConsumedMessage
        /// The decoded event, when the message is a valid Leadflow event.
        public let event: AnyLeadflowEvent?
    }

    private let entries = SharedList<Entry>()
    private let consumer: KafkaConsumer
    private let task: Task<Void, Never>

    /// Starts reading `topics` (full names) from the beginning.
    public init(topics: [String]) throws {
        let consumer = try TestKafka.consumer(topics: topics)
        self.consumer = consumer
        let entries = self.entries
        task = Task {
            for await message in consumer.messages {
                let event = try? IncomingEvent(message).event
                entries.append(Entry(message: message, event: event))
            }
        }
    }

    /// Everything read so far.
    public var all: [Entry] { entries.all }

    /// The decoded events read so far.
    public var events: [AnyLeadflowEvent] { all.compactMap(\.event) }

    /// Waits until `condition` holds for what was read (or `timeout`), then returns the events.
    @discardableResult
    public func wait(
        timeout: Duration = .seconds(60), until condition: @Sendable ([AnyLeadflowEvent]) -> Bool
    ) async -> [AnyLeadflowEvent] {
        _ = await eventually(timeout: timeout, every: .milliseconds(50)) { condition(self.events) }
        return events
    }

    /// Stops reading.
    public func stop() async {
        await consumer.close()
        task.cancel()
        await task.value
    }
}

extension AnyLeadflowEvent {
    /// The `leads.received` event, if this is one.
    public var received: LeadReceived? { if case .received(let e) = self { e } else { nil } }
    /// The `leads.lifecycle` event, if this is one.
    public var lifecycle: LeadLifecycleEvent? { if case .lifecycle(let e) = self { e } else { nil } }
    /// The `leads.scored` event, if this is one.
    public var scored: LeadScored? { if case .scored(let e) = self { e } else { nil } }
    /// The `leads.assigned` event, if this is one.
    public var assigned: LeadAssigned? { if case .assigned(let e) = self { e } else { nil } }
    /// The `notifications.outcomes` event, if this is one.
    public var notification: NotificationOutcome? { if case .notification(let e) = self { e } else { nil } }
    /// The `analytics.metrics` event, if this is one.
    public var metrics: MetricsSnapshot? { if case .metrics(let e) = self { e } else { nil } }
    /// The `leads.deadletter` event, if this is one.
    public var deadLetter: DeadLetter? { if case .deadLetter(let e) = self { e } else { nil } }
}

/// A list several tasks append to while a test reads it.
public final class SharedList<Element: Sendable>: Sendable {
    private let items = Mutex<[Element]>([])

    /// Creates an empty list.
    public init() {}

    /// Appends an element.
    public func append(_ element: Element) { items.withLock { $0.append(element) } }

    /// A copy of the elements.
    public var all: [Element] { items.withLock { $0 } }

    /// The number of elements.
    public var count: Int { items.withLock { $0.count } }
}
