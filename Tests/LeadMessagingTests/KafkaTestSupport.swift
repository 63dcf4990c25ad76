import Foundation
import LeadMessaging
import LeadTestSupport
import Logging

/// Shared helpers of the messaging integration tests (real Tansu broker).
enum KafkaTest {
    static let brokers = TestEnvironment.kafkaBrokers

    /// Diagnostics for the consumers the tests create: `KAFKA_TEST_DEBUG=cgrp,protocol` turns on
    /// librdkafka debug contexts (seen with `KAFKA_TEST_LOG=debug`), `KAFKA_TEST_EXTRA=key=value,…`
    /// adds librdkafka properties.
    static var debugExtra: [String: String] {
        var extra = ProcessInfo.processInfo.environment["KAFKA_TEST_DEBUG"].map { ["debug": $0] } ?? [:]
        for pair in (ProcessInfo.processInfo.environment["KAFKA_TEST_EXTRA"] ?? "").split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2 { extra[parts[0]] = parts[1] }
        }
        return extra
    }

    static func logger(_ label: String) -> Logger {
        var logger = Logger(label: "test.\(label)")
        logger.logLevel = ProcessInfo.processInfo.environment["KAFKA_TEST_LOG"].flatMap(Logger.Level.init(rawValue:)) ?? .notice
        return logger
    }

    /// Creates a fresh topic with a unique name and returns the name.
    static func makeTopic(_ prefix: String, partitions: Int32) async throws -> String {
        let name = TestEnvironment.uniqueName(prefix)
        let admin = try KafkaAdmin(bootstrapServers: brokers, logger: logger("admin"))
        defer { admin.shutdown() }
        _ = try await admin.createTopics([TopicSpec(name: name, partitions: partitions)])
        return name
    }

    static func producer(_ label: String = "producer", maxInFlight: Int = 10_000) throws -> KafkaProducer {
        try KafkaProducer(
            configuration: KafkaProducerConfiguration(bootstrapServers: brokers, maxInFlightSends: maxInFlight),
            logger: logger(label)
        )
    }

    /// A consumer tuned for Tansu: small session and poll intervals so joins and rebalances are quick.
    static func consumer(
        group: String, topic: String, label: String = "consumer", instance: String? = nil
    ) throws -> KafkaConsumer {
        let configuration = KafkaConsumerConfiguration(
            bootstrapServers: brokers,
            groupId: group,
            topics: [topic],
            autoOffsetReset: .earliest,
            sessionTimeoutMs: 6_000,
            maxPollIntervalMs: 10_000,
            autoCommitIntervalMs: 500,
            groupInstanceId: instance,
            extra: debugExtra.merging(["heartbeat.interval.ms": "500"]) { $1 }
        )
        return try KafkaConsumer(configuration: configuration, logger: logger(label))
    }
}

/// A thread-safe list the reading task appends to while the test polls it.
final class Received: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [ConsumedMessage] = []

    func append(_ message: ConsumedMessage) { lock.withLock { items.append(message) } }
    var all: [ConsumedMessage] { lock.withLock { items } }
    var count: Int { lock.withLock { items.count } }
}

/// Reads `consumer` in the background into a ``Received`` until stopped.
struct Reader: Sendable {
    let received = Received()
    private let task: Task<Void, Never>

    init(_ consumer: KafkaConsumer, markProcessed: Bool = false) {
        let received = self.received
        task = Task {
            for await message in consumer.messages {
                received.append(message)
                if markProcessed { try? consumer.markProcessed(message) }
            }
        }
    }

    /// Waits until at least `count` messages arrived (or `timeout`), then returns all so far.
    func waitFor(_ count: Int, timeout: Duration = .seconds(40)) async -> [ConsumedMessage] {
        _ = await eventually(timeout: timeout, every: .milliseconds(50)) { received.count >= count }
        return received.all
    }

    func stop() async {
        task.cancel()
        await task.value
    }
}

/// A record's position, for comparing what was produced with what was consumed.
struct Position: Hashable, Comparable, CustomStringConvertible {
    var partition: Int32
    var offset: Int64

    init(_ receipt: DeliveryReceipt) { (partition, offset) = (receipt.partition, receipt.offset) }
    init(_ message: ConsumedMessage) { (partition, offset) = (message.partition, message.offset) }

    static func < (lhs: Position, rhs: Position) -> Bool { (lhs.partition, lhs.offset) < (rhs.partition, rhs.offset) }
    var description: String { "\(partition)@\(offset)" }
}
