import Foundation
import LeadMessaging
import LeadTestSupport
import Testing

@Suite("Consumer groups: offsets, redelivery and partition sharing", .serialized)
struct ConsumerGroupTests {
    private func produce(_ count: Int, to topic: String, tag: String) async throws -> [DeliveryReceipt] {
        let producer = try KafkaTest.producer()
        let messages = (0..<count).map {
            OutgoingMessage(topic: topic, key: "key-\($0 % 3)", value: Array("\(tag)-\($0)".utf8),
                            headers: [KafkaHeader(key: "tag", string: tag)])
        }
        let receipts = try await producer.send(messages)
        await producer.shutdown()
        return receipts
    }

    @Test("unmarked messages are redelivered to the group; processed and committed ones are not")
    func redeliveryAndCommit() async throws {
        let topic = try await KafkaTest.makeTopic("redeliver", partitions: 2)
        let group = TestEnvironment.uniqueName("redeliver")
        // Each consumer plays the same instance restarted (static membership): Tansu 0.6 wedges a
        // group whose leader left, unless a member with the leader's instance id comes back.
        let instance = TestEnvironment.uniqueName("instance")
        let first = Set(try await produce(6, to: topic, tag: "first").map(Position.init))

        // 1. A member reads everything but never marks it processed, then is dropped without close()
        //    (deinit closes it in the background).
        do {
            let abandoned = try KafkaTest.consumer(group: group, topic: topic, label: "abandoned", instance: instance)
            let reader = Reader(abandoned)
            let seen = await reader.waitFor(first.count)
            await reader.stop()
            #expect(Set(seen.map(Position.init)) == first)
        }

        // 2. The next member of the group gets the same messages again; it marks and commits them.
        let second = try KafkaTest.consumer(group: group, topic: topic, label: "second", instance: instance)
        let secondReader = Reader(second)
        let redelivered = await secondReader.waitFor(first.count)
        await secondReader.stop()
        #expect(Set(redelivered.map(Position.init)) == first, "not-marked messages come back")
        for message in redelivered { try second.markProcessed(message) }
        try await second.commit()
        await second.close()

        // 3. A later member only sees what was produced after the commit.
        let later = Set(try await produce(3, to: topic, tag: "later").map(Position.init))
        let third = try KafkaTest.consumer(group: group, topic: topic, label: "third", instance: instance)
        let thirdReader = Reader(third, markProcessed: true)
        _ = await thirdReader.waitFor(later.count)
        try await Task.sleep(for: .milliseconds(500))  // room for any wrongly redelivered message
        let fresh = thirdReader.received.all
        await thirdReader.stop()
        await third.close()
        #expect(Set(fresh.map(Position.init)) == later)
        #expect(fresh.allSatisfy { $0.header("tag") == "later" }, "processed messages were not delivered again")
    }

    @Test("two members split the partitions and consume each message once")
    func twoMembersSplitPartitions() async throws {
        let partitions: Int32 = 4
        let topic = try await KafkaTest.makeTopic("split", partitions: partitions)
        let group = TestEnvironment.uniqueName("split")
        let consumerA = try KafkaTest.consumer(group: group, topic: topic, label: "A")
        let readerA = Reader(consumerA, markProcessed: true)
        let consumerB = try KafkaTest.consumer(group: group, topic: topic, label: "B")
        let readerB = Reader(consumerB, markProcessed: true)
        let all = Set((0..<partitions).map { TopicPartition(topic: topic, partition: $0) })

        let balanced = await eventually(timeout: .seconds(40), every: .milliseconds(200)) {
            let a = Set(consumerA.assignment()), b = Set(consumerB.assignment())
            return !a.isEmpty && !b.isEmpty && a.isDisjoint(with: b) && a.union(b) == all
        }
        let assignmentA = Set(consumerA.assignment()), assignmentB = Set(consumerB.assignment())
        try #require(balanced, "assignments A=\(assignmentA) B=\(assignmentB)")

        // Produced once both are stable, spread over every partition.
        let producer = try KafkaTest.producer()
        let messages = (0..<40).map {
            OutgoingMessage(topic: topic, key: "k\($0)", value: Array("m\($0)".utf8), partition: Int32($0) % partitions)
        }
        let produced = Set(try await producer.send(messages).map(Position.init))
        await producer.shutdown()

        _ = await eventually(timeout: .seconds(30)) {
            Set((readerA.received.all + readerB.received.all).map(Position.init)).isSuperset(of: produced)
        }
        await readerA.stop()
        await readerB.stop()
        await consumerA.close()
        await consumerB.close()

        let seenA = Set(readerA.received.all.map(Position.init))
        let seenB = Set(readerB.received.all.map(Position.init))
        #expect(seenA.union(seenB).isSuperset(of: produced), "every message consumed")
        #expect(seenA.isDisjoint(with: seenB), "no message consumed by both")
        #expect(!seenA.isEmpty && !seenB.isEmpty, "both members did work")
        #expect(Set(readerA.received.all.map(\.topicPartition)).isSubset(of: assignmentA))
        #expect(Set(readerB.received.all.map(\.topicPartition)).isSubset(of: assignmentB))
        #expect(consumerA.assignment().isEmpty, "closed consumers own nothing")
    }

    @Test("an application that stops reading for longer than max.poll.interval.ms stays in its group")
    func slowApplicationKeepsMembership() async throws {
        let topic = try await KafkaTest.makeTopic("slowapp", partitions: 2)
        let produced = Set(try await produce(2_000, to: topic, tag: "slow").map(Position.init))
        // A small buffer fills at once; before, the poll thread then blocked and the member was
        // expelled after max.poll.interval.ms, came back and read everything again (nothing is marked).
        let consumer = try KafkaConsumer(
            configuration: KafkaConsumerConfiguration(
                bootstrapServers: KafkaTest.brokers, groupId: TestEnvironment.uniqueName("slowapp"), topics: [topic],
                autoOffsetReset: .earliest, sessionTimeoutMs: 6_000, maxPollIntervalMs: 6_000,
                bufferSize: 200, extra: KafkaTest.debugExtra.merging(["heartbeat.interval.ms": "500"]) { $1 }
            ),
            logger: KafkaTest.logger("slowapp")
        )
        let received = Received()
        let reading = Task {
            for await message in consumer.messages {
                received.append(message)
                // The application stalls (a database outage its handlers wait out) well past the limit.
                if received.count == 250 { try? await Task.sleep(for: .seconds(10)) }
                if received.count >= produced.count { break }
            }
        }
        _ = await eventually(timeout: .seconds(90), every: .milliseconds(100)) { received.count >= produced.count }
        try await Task.sleep(for: .milliseconds(500))  // room for anything delivered twice
        reading.cancel()
        await reading.value
        await consumer.close()

        let positions = received.all.map(Position.init)
        #expect(positions.count == produced.count, "each message once: \(positions.count) received for \(produced.count)")
        let missing = produced.subtracting(positions)
        #expect(missing.isEmpty, "\(missing.count) messages never arrived")
        for partition in Set(positions.map(\.partition)) {
            let offsets = positions.filter { $0.partition == partition }.map(\.offset)
            #expect(offsets == offsets.sorted(), "partition \(partition) in order")
        }
    }
}
