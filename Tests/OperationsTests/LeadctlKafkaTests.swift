import Foundation
import LeadIntegrationSupport
import LeadMessaging
import LeadModel
import LeadServiceKit
import LeadTestSupport
import Logging
import Testing

/// `leadctl lag`, `replay` and `dlq` against the real Tansu broker.
@Suite("leadctl against the broker: lag, replay, dead letters")
struct LeadctlKafkaTests {
    /// Produces `count` messages one by one (each its own batch: Tansu then reports exact end offsets).
    func produce(_ count: Int, to topic: String, producer: KafkaProducer, tag: String) async throws -> [DeliveryReceipt] {
        var receipts: [DeliveryReceipt] = []
        for index in 0..<count {
            receipts.append(try await producer.send(OutgoingMessage(
                topic: topic, key: "k\(index % 2)", value: Array("\(tag)-\(index)".utf8), partition: Int32(index % 2))))
        }
        return receipts
    }

    /// Reads `count` messages in `group` as a dynamic member (it leaves the group on close, so the
    /// group is empty again and its offsets may be moved), marks them processed and commits.
    func consume(_ count: Int, topic: String, group: String) async throws -> [String] {
        let consumer = try KafkaConsumer(
            configuration: KafkaConsumerConfiguration(
                bootstrapServers: TestKafka.brokers, groupId: group, topics: [topic], sessionTimeoutMs: 6_000,
                maxPollIntervalMs: 10_000, extra: ["heartbeat.interval.ms": "500"]),
            logger: TestKafka.logger("consumer"))
        let reading = Task { () -> [String] in
            var values: [String] = []
            for await message in consumer.messages {
                values.append(String(decoding: message.value, as: UTF8.self))
                try? consumer.markProcessed(message)
                if values.count >= count { break }
            }
            return values
        }
        let watchdog = Task {
            try await Task.sleep(for: .seconds(60))
            reading.cancel()  // ends the iteration: the test then fails on the count, instead of hanging
        }
        let values = await reading.value
        watchdog.cancel()
        try await consumer.commit()
        await consumer.close()
        return values
    }

    @Test("lag counts what the group has not committed; replay moves the group back by offset and by time")
    func lagAndReplay() async throws {
        let prefix = TestKafka.uniquePrefix("ops")
        try await TestKafka.createLeadflowTopics(prefix: prefix, partitions: 2)
        let topic = prefix + Topic.received.name
        let group = TestEnvironment.uniqueName("scoring-group")
        let env = ["LEADFLOW_TOPIC_PREFIX": prefix]
        let producer = try TestKafka.producer()
        defer { Task { await producer.shutdown() } }

        _ = try await produce(6, to: topic, producer: producer, tag: "early")
        let lagBefore = try await Leadctl.run(["lag", "--service", "scoring", "--group", group, "--all"], environment: env)
        #expect(lagBefore.status == 0, "\(lagBefore.output)")
        #expect(lagBefore.output.contains("total lag 6"), "\(lagBefore.output)")

        let firstRead = try await consume(6, topic: topic, group: group)
        #expect(Set(firstRead) == Set((0..<6).map { "early-\($0)" }))
        let lagAfter = try await Leadctl.run(["lag", "--service", "scoring", "--group", group], environment: env)
        #expect(lagAfter.output.contains("total lag 0"), "\(lagAfter.output)")

        // Replay from the beginning: the group reads all six again.
        let replay = try await Leadctl.run(["replay", "--group", group, "--topic", Topic.received.name, "--from-offset", "0"], environment: env)
        #expect(replay.status == 0, "\(replay.output)")
        #expect(replay.output.contains("-> 0"))
        let lagReplayed = try await Leadctl.run(["lag", "--service", "scoring", "--group", group], environment: env)
        #expect(lagReplayed.output.contains("total lag 6"), "\(lagReplayed.output)")
        let again = try await consume(6, topic: topic, group: group)
        #expect(Set(again) == Set(firstRead))

        // Replay from a time: only what was produced after it comes back.
        try await Task.sleep(for: .milliseconds(1200))
        let cut = LeadflowJSON.formatDate(Date())
        try await Task.sleep(for: .milliseconds(200))
        _ = try await produce(2, to: topic, producer: producer, tag: "late")
        _ = try await consume(2, topic: topic, group: group)
        let byTime = try await Leadctl.run(["replay", "--group", group, "--topic", Topic.received.name, "--from-time", cut], environment: env)
        #expect(byTime.status == 0, "\(byTime.output)")
        let late = try await consume(2, topic: topic, group: group)
        #expect(Set(late) == ["late-0", "late-1"])

        let bad = try await Leadctl.run(["replay", "--group", group, "--topic", Topic.received.name], environment: env)
        #expect(bad.status != 0)
        #expect(bad.output.contains("exactly one of"))
    }

    @Test("a dead letter is listed, shown and requeued to its source topic byte for byte")
    func deadLetterRoundTrip() async throws {
        let prefix = TestKafka.uniquePrefix("dlq")
        try await TestKafka.createLeadflowTopics(prefix: prefix, partitions: 2)
        let env = ["LEADFLOW_TOPIC_PREFIX": prefix]
        let producer = try TestKafka.producer()
        defer { Task { await producer.shutdown() } }
        let source = prefix + Topic.inbound.name
        let original = ConsumedMessage(
            topic: source, partition: 1, offset: 41, key: Array("lead-key".utf8),
            value: Array(#"{"firstName":"Ada","email":"not-an-address"}"#.utf8),
            headers: [KafkaHeader(key: "content-type", string: "application/json"), KafkaHeader(key: "x-feed", string: "feed-7")])
        let writer = DeadLetterWriter(
            producer: producer, topic: prefix + Topic.deadLetter.name, encoder: EventEncoder(source: "/leadflow/test", topicPrefix: prefix))
        try await writer.write(message: original, stage: "ingest", code: "invalid_email", reason: "email is not an address", attempts: 1)

        let list = try await Leadctl.run(["dlq", "list"], environment: env)
        #expect(list.status == 0, "\(list.output)")
        #expect(list.output.contains("invalid_email") && list.output.contains("1 dead letter(s)"), "\(list.output)")
        let id = try #require(list.output.split(separator: "\n").first { $0.contains("invalid_email") }?.split(separator: "\t").first.map(String.init))

        let show = try await Leadctl.run(["dlq", "show", id], environment: env)
        #expect(show.output.contains("not-an-address") && show.output.contains("\"stage\" : \"ingest\""), "\(show.output)")

        let recorder = try TopicRecorder(topics: [source])
        let requeue = try await Leadctl.run(["dlq", "requeue", id], environment: env)
        #expect(requeue.status == 0, "\(requeue.output)")
        #expect(requeue.output.contains("1 requeued"))
        _ = await recorder.wait { _ in recorder.all.count >= 1 }
        await recorder.stop()
        let back = try #require(recorder.all.first?.message)
        #expect(back.value == original.value)
        #expect(back.keyString == "lead-key")
        #expect(back.header("x-feed") == "feed-7" && back.header("content-type") == "application/json")
        #expect(back.header("leadflow_requeued_from") == id)

        let unknown = try await Leadctl.run(["dlq", "requeue", "9:999999"], environment: env)
        #expect(unknown.status != 0)
    }

    @Test("config validate names a malformed variable and exits non-zero")
    func configValidate() async throws {
        let good = try await Leadctl.run(["config", "validate", "--check-connections"])
        #expect(good.status == 0, "\(good.output)")
        #expect(good.output.contains("analytics: ok") && good.output.contains("database") && good.output.contains("reachable"))
        #expect(!good.output.contains(AuthConfiguration.developmentSecret))
        let bad = try await Leadctl.run(["config", "validate", "--service", "routing"], environment: ["LEADFLOW_PG_PORT": "ninety"])
        #expect(bad.status != 0)
        #expect(bad.output.contains("LEADFLOW_PG_PORT"))
    }
}
