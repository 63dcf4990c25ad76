import Foundation
import LeadIntegrationSupport
import LeadMessaging
import LeadModel
import LeadServiceKit
import LeadTestSupport
import Logging
import ServiceLifecycle
import Synchronization
import Testing

/// The consumer service against the real broker: lanes keep one lead's order, rejections become
/// dead letters with the original bytes, failures are retried, shutdown commits what was done.
@Suite("Event consumer service (real Tansu)")
struct EventConsumerServiceTests {
    /// Records what it handled; rejects values starting with "bad", fails "flaky" ones twice.
    final class RecordingHandler: EventHandler {
        let handled = SharedList<String>()
        private let failures = Mutex<[String: Int]>([:])

        func handle(_ message: ConsumedMessage) async throws {
            let value = String(decoding: message.value, as: UTF8.self)
            if value.hasPrefix("bad") { throw EventRejection(code: "invalid_test_value", reason: "value \(value) is bad") }
            if value.hasPrefix("flaky") {
                let count = failures.withLock { table -> Int in
                    table[value, default: 0] += 1
                    return table[value]!
                }
                if count <= 2 { throw CancellationError() }  // transient: retried without limit
            }
            try await Task.sleep(for: .milliseconds(Int.random(in: 0...3)))
            handled.append("\(message.keyString ?? "")|\(value)")
        }
    }

    func run(_ service: EventConsumerService, until condition: @escaping @Sendable () -> Bool) async throws {
        let group = ServiceGroup(configuration: .init(services: [service], logger: Logger(label: "test")))
        let task = Task { try await group.run() }
        _ = await eventually(timeout: .seconds(60), every: .milliseconds(50)) { condition() }
        await group.triggerGracefulShutdown()
        try await task.value
    }

    @Test("per-key order holds across lanes; rejects are dead-lettered; shutdown commits")
    func endToEnd() async throws {
        let prefix = TestKafka.uniquePrefix("consumer")
        try await TestKafka.createLeadflowTopics(prefix: prefix, partitions: 3)
        let topic = prefix + Topic.received.name
        let group = TestEnvironment.uniqueName("lanes")
        let producer = try TestKafka.producer()
        var messages: [OutgoingMessage] = []
        for sequence in 0..<40 {
            for lead in 0..<5 {
                messages.append(OutgoingMessage(topic: topic, key: "lead-\(lead)", value: Array("v\(sequence)".utf8)))
            }
        }
        messages.append(OutgoingMessage(topic: topic, key: "lead-9", value: Array("bad-1".utf8),
                                        headers: [KafkaHeader(key: "x-trace", string: "abc")]))
        messages.append(OutgoingMessage(topic: topic, key: "lead-8", value: Array("flaky-1".utf8)))
        _ = try await producer.send(messages)

        let handler = RecordingHandler()
        let configuration = KafkaConsumerConfiguration(
            bootstrapServers: TestKafka.brokers, groupId: group, topics: [topic], sessionTimeoutMs: 6_000,
            maxPollIntervalMs: 10_000, autoCommitIntervalMs: 200, extra: ["heartbeat.interval.ms": "500"])
        var retry = EventConsumerService.RetryPolicy()
        retry.initialBackoff = .milliseconds(10)
        let deadLetters = DeadLetterWriter(producer: producer, topic: prefix + Topic.deadLetter.name,
                                           encoder: EventEncoder(source: "/leadflow/test", topicPrefix: prefix))
        let recorder = try TopicRecorder(topics: [prefix + Topic.deadLetter.name])
        let service = EventConsumerService(configuration: configuration, handler: handler, deadLetters: deadLetters,
                                           stage: "scoring", lanes: 4, retry: retry, logger: TestKafka.logger("consumer"))
        try await run(service) { handler.handled.count >= 201 && recorder.all.count >= 1 }

        let handled = handler.handled.all
        #expect(handled.count == 201, "\(handled.count) handled")
        for lead in 0..<5 {
            let values = handled.filter { $0.hasPrefix("lead-\(lead)|") }.map { $0.split(separator: "|")[1] }
            #expect(values == (0..<40).map { "v\($0)" }[...].map { Substring($0) }, "order of lead-\(lead)")
        }
        #expect(handled.contains("lead-8|flaky-1"))
        let letter = try #require(recorder.events.first?.deadLetter)
        #expect(letter.errorCode == "invalid_test_value" && letter.stage == .scoring)
        #expect(letter.originalValue == Array("bad-1".utf8) && letter.originalKey == "lead-9")
        #expect(letter.originalHeaders["x-trace"] == "abc")
        await recorder.stop()

        // A new member of the same group finds nothing left: everything was committed on shutdown.
        let again = RecordingHandler()
        let second = EventConsumerService(configuration: configuration, handler: again, deadLetters: deadLetters,
                                          stage: "scoring", lanes: 4, retry: retry, logger: TestKafka.logger("consumer"))
        _ = try await producer.send(OutgoingMessage(topic: topic, key: "lead-0", value: Array("after".utf8)))
        try await run(second) { again.handled.count >= 1 }
        #expect(again.handled.all == ["lead-0|after"])
        await producer.shutdown()
    }

    /// Hangs on the first attempt of every message (until cancelled), then handles it.
    final class HangingOnceHandler: EventHandler {
        let handled = SharedList<String>()
        let attempts = Mutex<[String: Int]>([:])

        func handle(_ message: ConsumedMessage) async throws {
            let value = String(decoding: message.value, as: UTF8.self)
            let attempt = attempts.withLock { table -> Int in
                table[value, default: 0] += 1
                return table[value]!
            }
            if attempt == 1 { try await Task.sleep(for: .seconds(3600)) }  // a database call that never returns
            handled.append(value)
        }
    }

    @Test("an attempt that never returns is abandoned after attemptTimeout and retried; the lane goes on")
    func hungAttemptIsRetried() async throws {
        let prefix = TestKafka.uniquePrefix("hang")
        try await TestKafka.createLeadflowTopics(prefix: prefix, partitions: 1)
        let topic = prefix + Topic.received.name
        let producer = try TestKafka.producer()
        _ = try await producer.send((0..<3).map { OutgoingMessage(topic: topic, key: "lead-1", value: Array("m\($0)".utf8)) })
        let handler = HangingOnceHandler()
        let configuration = KafkaConsumerConfiguration(
            bootstrapServers: TestKafka.brokers, groupId: TestEnvironment.uniqueName("hang"), topics: [topic],
            sessionTimeoutMs: 6_000, maxPollIntervalMs: 10_000, extra: ["heartbeat.interval.ms": "500"])
        var retry = EventConsumerService.RetryPolicy()
        retry.initialBackoff = .milliseconds(10)
        retry.attemptTimeout = .milliseconds(300)
        let deadLetters = DeadLetterWriter(producer: producer, topic: prefix + Topic.deadLetter.name,
                                           encoder: EventEncoder(source: "/leadflow/test", topicPrefix: prefix))
        let service = EventConsumerService(configuration: configuration, handler: handler, deadLetters: deadLetters,
                                           stage: "scoring", lanes: 1, retry: retry, logger: TestKafka.logger("hang"))
        try await run(service) { handler.handled.count >= 3 }
        #expect(handler.handled.all == ["m0", "m1", "m2"])
        #expect(handler.attempts.withLock { $0 } == ["m0": 2, "m1": 2, "m2": 2])
        await producer.shutdown()
    }
}
