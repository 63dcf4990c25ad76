import Foundation
import LeadMessaging
import Logging

/// Reads a whole topic once, from the beginning, in a throwaway consumer group.
///
/// It stops when every partition has reached the end offset the broker reported at the start and
/// nothing new arrived for `idle` (Tansu understates end offsets, so the idle wait is what
/// finally ends the read there), or when `timeout` passes.
enum TopicReader {
    static func readAll(
        topic: String, brokers: String, idle: Duration = .seconds(3), timeout: Duration = .seconds(60)
    ) async throws -> [ConsumedMessage] {
        var logger = Logger(label: "leadctl.reader")
        logger.logLevel = .error
        let admin = try KafkaAdmin(bootstrapServers: brokers, logger: logger)
        defer { admin.shutdown() }
        let ends = try await admin.watermarks(topic: topic)
        let consumer = try KafkaConsumer(
            configuration: KafkaConsumerConfiguration(
                bootstrapServers: brokers, groupId: "leadctl-reader-\(UUID().uuidString.lowercased())", topics: [topic],
                autoOffsetReset: .earliest, sessionTimeoutMs: 6_000, maxPollIntervalMs: 30_000,
                extra: ["heartbeat.interval.ms": "500", "enable.auto.commit": "false"]),
            logger: logger)
        let collected = Collected()
        let reading = Task {
            for await message in consumer.messages { collected.append(message) }
        }
        let started = ContinuousClock.now
        var lastCount = 0
        var lastChange = ContinuousClock.now
        while ContinuousClock.now - started < timeout {
            try await Task.sleep(for: .milliseconds(100))
            let (count, reached) = collected.progress(towards: ends)
            if count != lastCount {
                lastCount = count
                lastChange = .now
            }
            let quiet = ContinuousClock.now - lastChange >= idle
            if reached && quiet { break }
            if ends.values.allSatisfy({ $0.end == $0.start }) && ContinuousClock.now - started >= idle * 2 { break }
        }
        await consumer.close()
        reading.cancel()
        return collected.all.sorted { ($0.partition, $0.offset) < ($1.partition, $1.offset) }
    }

    private final class Collected: @unchecked Sendable {
        private let lock = NSLock()
        private var messages: [ConsumedMessage] = []
        private var highest: [Int32: Int64] = [:]

        func append(_ message: ConsumedMessage) {
            lock.withLock {
                messages.append(message)
                highest[message.partition] = max(highest[message.partition] ?? -1, message.offset)
            }
        }

        var all: [ConsumedMessage] { lock.withLock { messages } }

        /// How many were read, and whether every partition reached the given end offset.
        func progress(towards ends: [Int32: (start: Int64, end: Int64)]) -> (Int, Bool) {
            lock.withLock {
                let reached = ends.allSatisfy { partition, mark in
                    mark.end <= mark.start || (highest[partition] ?? -1) >= mark.end - 1
                }
                return (messages.count, reached)
            }
        }
    }
}
