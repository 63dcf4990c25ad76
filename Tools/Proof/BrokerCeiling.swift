import ArgumentParser
import Foundation
import LeadMessaging
import Logging
import Synchronization

/// `leadflow-proof broker`: the raw ceiling of the broker on this machine — produce N messages of
/// the pipeline's size (with CloudEvents-like headers) to a fresh 12-partition topic and consume
/// them in `--groups` consumer groups at once, with no processing. Prints one JSON object.
struct BrokerCeiling: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "broker",
        abstract: "Raw broker ceiling: produce + consume the same bytes with no processing.")

    @Option(help: "Messages to produce.") var messages = 50_000
    @Option(help: "Value bytes per message (the pipeline's average).") var bytes = 1_500
    @Option(help: "Consumer groups reading every message (the pipeline's average fan-out).") var groups = 2
    @Option(help: "Partitions of the scratch topic.") var partitions: Int32 = 12
    @Option(help: "Messages per produce batch.") var batch = 1_000
    @Option(help: "Seconds to give up after.") var timeout = 120

    func run() async throws {
        let config = try proofConfiguration()
        let logger = quietLogger("proof.broker")
        let topic = "\(config.topicPrefix)proof.broker-ceiling.\(UUID().uuidString.lowercased().prefix(8))"
        let admin = try KafkaAdmin(bootstrapServers: config.kafkaBrokers, logger: logger)
        defer { admin.shutdown() }
        _ = try await admin.createTopics([TopicSpec(name: topic, partitions: partitions)])

        // Consumers first, so the group join is not part of the measurement.
        let tally = Tally(groups: groups)
        let consumers = try (0..<groups).map { index in
            try KafkaConsumer(
                configuration: KafkaConsumerConfiguration(
                    bootstrapServers: config.kafkaBrokers, groupId: "\(topic).reader-\(index)", topics: [topic],
                    autoOffsetReset: .earliest, sessionTimeoutMs: 6_000, maxPollIntervalMs: 30_000,
                    extra: ["heartbeat.interval.ms": "500", "enable.auto.commit": "false"]),
                logger: logger)
        }
        let joinDeadline = ContinuousClock.now + .seconds(60)
        while consumers.contains(where: { $0.assignment().isEmpty }), ContinuousClock.now < joinDeadline {
            try await Task.sleep(for: .milliseconds(100))
        }
        let total = messages
        let readers = consumers.enumerated().map { index, consumer in
            Task {
                for await _ in consumer.messages {
                    if tally.count(index) >= total { break }
                }
            }
        }

        let producer = try KafkaProducer(
            configuration: KafkaProducerConfiguration(bootstrapServers: config.kafkaBrokers, clientId: "leadflow-proof"),
            logger: logger)
        let value = Array(repeating: UInt8(ascii: "x"), count: bytes)
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            var inFlight = 0
            var sent = 0
            while sent < total {
                let size = min(batch, total - sent)
                let chunk = (sent..<(sent + size)).map { index in
                    let key = UUID().uuidString.lowercased()
                    return OutgoingMessage(
                        topic: topic, key: Array(key.utf8), value: value,
                        headers: [
                            KafkaHeader(key: "ce_specversion", string: "1.0"),
                            KafkaHeader(key: "ce_id", string: UUID().uuidString.lowercased()),
                            KafkaHeader(key: "ce_type", string: "io.leadflow.proof.ceiling.v1"),
                            KafkaHeader(key: "ce_source", string: "/leadflow/proof"),
                            KafkaHeader(key: "ce_time", string: "2026-01-01T00:00:00.000Z"),
                            KafkaHeader(key: "ce_subject", string: key),
                            KafkaHeader(key: "content-type", string: "application/json"),
                            KafkaHeader(key: "seq", string: String(index)),
                        ])
                }
                sent += size
                if inFlight >= 8 {
                    try await group.next()
                    inFlight -= 1
                }
                inFlight += 1
                group.addTask { _ = try await producer.send(chunk) }
            }
            try await group.waitForAll()
        }
        let produced = ContinuousClock.now - started
        await producer.shutdown()

        let deadline = ContinuousClock.now + .seconds(timeout)
        while tally.counts.contains(where: { $0 < total }), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        let finished = tally.lastRead ?? .now
        for reader in readers { reader.cancel() }
        for consumer in consumers { await consumer.close() }
        try? await admin.deleteTopics([topic])

        let consumed = tally.counts
        let elapsed = seconds(finished - started)
        let headerBytes = 250
        printJSON([
            "messages": total,
            "valueBytes": bytes,
            "approxHeaderBytes": headerBytes,
            "groups": groups,
            "partitions": Int(partitions),
            "produceSeconds": seconds(produced),
            "producedPerSecond": Double(total) / seconds(produced),
            "endToEndSeconds": elapsed,
            "consumedPerGroup": consumed,
            "complete": consumed.allSatisfy { $0 >= total },
            "messagesPerSecond": Double(total) / elapsed,
            "megabytesPerSecondIn": Double(total * (bytes + headerBytes)) / elapsed / 1e6,
        ])
    }
}

/// Messages read per group, and when the last group finished.
private final class Tally: Sendable {
    private let state: Mutex<(counts: [Int], last: ContinuousClock.Instant?)>

    init(groups: Int) { state = Mutex((Array(repeating: 0, count: groups), nil)) }

    /// Counts one message of group `index`; returns that group's count.
    func count(_ index: Int) -> Int {
        state.withLock { state in
            state.counts[index] += 1
            state.last = .now
            return state.counts[index]
        }
    }

    var counts: [Int] { state.withLock { $0.counts } }
    var lastRead: ContinuousClock.Instant? { state.withLock { $0.last } }
}
