import Foundation
import LeadMessaging
import LeadTestSupport
import Testing

@Suite("Producer and consumer against the broker", .serialized)
struct ProducerConsumerTests {
    @Test("librdkafka is the 2.x build from /usr/local")
    func version() {
        #expect(Kafka.librdkafkaVersion.hasPrefix("2."))
        #expect(Kafka.librdkafkaVersion != "2.0.2")
    }

    @Test("round trip keeps keys, headers, CloudEvents attributes and per-key order")
    func roundTrip() async throws {
        let topic = try await KafkaTest.makeTopic("rt", partitions: 4)
        let producer = try KafkaTest.producer()
        let keys = (0..<5).map { "lead-\($0)" }
        let perKey = 8
        var attributesByID: [String: CloudEventAttributes] = [:]
        var messages: [OutgoingMessage] = []
        for sequence in 0..<perKey {
            for key in keys {
                let attributes = CloudEventAttributes(
                    id: UUID().uuidString, type: "leadflow.test.v1", source: "/tests", time: Date(), subject: key
                )
                attributesByID[attributes.id] = attributes
                let body = #"{"key":"\#(key)","seq":\#(sequence)}"#
                messages.append(OutgoingMessage(
                    topic: topic, key: key, value: Array(body.utf8),
                    headers: attributes.headers + [KafkaHeader(key: "x-seq", string: String(sequence))]
                ))
            }
        }
        // A few on their own, the rest as one batch.
        var receipts: [DeliveryReceipt] = []
        for message in messages.prefix(3) { receipts.append(try await producer.send(message)) }
        receipts += try await producer.send(Array(messages.dropFirst(3)))
        #expect(receipts.count == messages.count)
        #expect(Set(receipts.map(Position.init)).count == messages.count)
        #expect(receipts.allSatisfy { $0.topic == topic && $0.offset >= 0 })

        let consumer = try KafkaTest.consumer(group: TestEnvironment.uniqueName("rt"), topic: topic)
        let reader = Reader(consumer)
        let received = await reader.waitFor(messages.count)
        await reader.stop()
        await consumer.close()
        await producer.shutdown()

        try #require(received.count == messages.count)
        #expect(Set(received.map(Position.init)) == Set(receipts.map(Position.init)))
        for message in received {
            let key = try #require(message.keyString)
            let attributes = try #require(CloudEventAttributes(headers: message.headers))
            #expect(attributesByID[attributes.id] == attributes)
            #expect(attributes.subject == key)
            #expect(message.header("content-type") == "application/json")
            #expect(message.timestamp != nil)
            #expect(String(decoding: message.value, as: UTF8.self).contains(#""key":"\#(key)""#))
        }
        for key in keys {
            let sequences = received.filter { $0.keyString == key }.compactMap { $0.header("x-seq").flatMap { Int($0) } }
            #expect(sequences == Array(0..<perKey), "order of \(key)")
            #expect(Set(received.filter { $0.keyString == key }.map(\.partition)).count == 1, "\(key) stays on one partition")
        }
    }

    @Test("null key, empty value, header without value and explicit partition")
    func edgeCases() async throws {
        let topic = try await KafkaTest.makeTopic("edge", partitions: 3)
        let producer = try KafkaTest.producer()
        let receipt = try await producer.send(OutgoingMessage(
            topic: topic, key: nil, value: [], headers: [KafkaHeader(key: "flag", value: nil), KafkaHeader(key: "bin", value: [0, 1, 2])],
            partition: 2
        ))
        #expect(receipt.partition == 2)
        let consumer = try KafkaTest.consumer(group: TestEnvironment.uniqueName("edge"), topic: topic)
        let reader = Reader(consumer)
        let received = await reader.waitFor(1)
        await reader.stop()
        await consumer.close()
        await producer.shutdown()
        let message = try #require(received.first)
        #expect(message.key == nil)
        #expect(message.value.isEmpty)
        #expect(message.partition == 2)
        #expect(message.headers == [KafkaHeader(key: "flag", value: nil), KafkaHeader(key: "bin", value: [0, 1, 2])])
    }

    @Test("a small in-flight bound backs off instead of failing")
    func backpressure() async throws {
        let topic = try await KafkaTest.makeTopic("bp", partitions: 2)
        let producer = try KafkaTest.producer(maxInFlight: 8)
        let messages = (0..<400).map { OutgoingMessage(topic: topic, key: "k\($0 % 7)", value: Array("v\($0)".utf8)) }
        let receipts = try await withThrowingTaskGroup(of: [DeliveryReceipt].self) { group in
            for chunk in stride(from: 0, to: messages.count, by: 100) {
                let slice = Array(messages[chunk..<chunk + 100])
                group.addTask { try await producer.send(slice) }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        await producer.shutdown()
        #expect(receipts.count == 400)
        #expect(Set(receipts.map(Position.init)).count == 400)
    }
}
