import Foundation
import LeadMessaging
import LeadTestSupport
import Testing

@Suite("Admin and client lifecycle", .serialized)
struct AdminAndLifecycleTests {
    @Test("createTopics is idempotent and listTopics shows the partition count")
    func createTopicsIdempotent() async throws {
        let admin = try KafkaAdmin(bootstrapServers: KafkaTest.brokers, logger: KafkaTest.logger("admin"))
        defer { admin.shutdown() }
        let name = TestEnvironment.uniqueName("admin")
        let other = TestEnvironment.uniqueName("admin")

        let created = try await admin.createTopics([TopicSpec(name: name, partitions: 5), TopicSpec(name: other, partitions: 1)])
        #expect(Set(created) == [name, other])
        let again = try await admin.createTopics([TopicSpec(name: name, partitions: 5)])
        #expect(again.isEmpty)

        var listed: [String: Int32] = [:]
        let visible = try await eventually(timeout: .seconds(10)) {
            listed = try await admin.listTopics()
            return listed[name] != nil && listed[other] != nil
        }
        #expect(visible)
        #expect(listed[name] == 5)
        #expect(listed[other] == 1)

        try await admin.deleteTopics([other])
        let gone = try await eventually(timeout: .seconds(10)) { try await admin.listTopics()[other] == nil }
        #expect(gone, "deleted topic disappears from metadata")
        try await admin.deleteTopics([other])  // already gone: not an error
    }

    @Test("shutdown fails a send that can never be delivered instead of hanging")
    func shutdownFailsPendingSends() async throws {
        // Nothing listens on port 1, so the message can only wait.
        let producer = try KafkaProducer(
            configuration: KafkaProducerConfiguration(bootstrapServers: "127.0.0.1:1"),
            logger: KafkaTest.logger("unreachable")
        )
        let pending = Task {
            try await producer.send(OutgoingMessage(topic: "nowhere", key: "k", value: [1]))
        }
        try await Task.sleep(for: .milliseconds(300))
        let started = ContinuousClock.now
        await producer.shutdown(timeout: .milliseconds(500))
        #expect(ContinuousClock.now - started < .seconds(5))

        let outcome = await pending.result
        #expect(throws: KafkaError.self) { try outcome.get() }

        await #expect {
            _ = try await producer.send(OutgoingMessage(topic: "nowhere", key: "k", value: [1]))
        } throws: { error in
            (error as? KafkaError)?.isClosed == true
        }
        await producer.shutdown()  // idempotent
        #expect(await producer.flush(timeout: .milliseconds(10)) == false)
    }

    @Test("a rejected configuration key is reported by name")
    func badConfiguration() {
        #expect {
            _ = try KafkaProducer(
                configuration: KafkaProducerConfiguration(bootstrapServers: KafkaTest.brokers, extra: ["no.such.property": "1"]),
                logger: KafkaTest.logger("bad")
            )
        } throws: { error in
            guard let error = error as? KafkaError else { return false }
            return error.isConfigurationError && error.description.contains("no.such.property")
        }
    }

    @Test("close ends the message sequence and is idempotent")
    func closeEndsMessages() async throws {
        let topic = try await KafkaTest.makeTopic("close", partitions: 1)
        let consumer = try KafkaTest.consumer(group: TestEnvironment.uniqueName("close"), topic: topic)
        let iteration = Task {
            var count = 0
            for await _ in consumer.messages { count += 1 }
            return count
        }
        try await Task.sleep(for: .milliseconds(200))
        await consumer.close()
        #expect(await iteration.value == 0)
        await consumer.close()
        #expect(throws: KafkaError.self) {
            try consumer.markProcessed(ConsumedMessage(topic: topic, partition: 0, offset: 0, key: nil, value: []))
        }
        await #expect(throws: KafkaError.self) { try await consumer.commit() }
    }
}
