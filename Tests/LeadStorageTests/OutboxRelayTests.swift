import Foundation
import LeadIntegrationSupport
import LeadMessaging
import LeadServiceKit
import LeadStorage
import LeadTestSupport
import Logging
import PostgresNIO
import Synchronization
import Testing

/// The outbox and its relay against the real PostgreSQL and the real Tansu broker.
@Suite("Outbox relay (real PostgreSQL + Tansu)", .serialized)
struct OutboxRelayTests {
    let logger = Logger(label: "test.outbox")

    /// A fresh schema with the messaging tables and a fresh 3-partition topic.
    func prepare() async throws -> (SQLIdentifier, String) {
        let schema = try TestDatabase.uniqueSchema()
        let topic = TestEnvironment.uniqueName("outbox")
        _ = try await TestDatabase.withClient { client in
            try await Migrator(client: client, logger: logger).migrate([.messagingTables(schema: schema)])
        }
        let admin = try KafkaAdmin(bootstrapServers: TestEnvironment.kafkaBrokers, logger: logger)
        defer { admin.shutdown() }
        _ = try await admin.createTopics([TopicSpec(name: topic, partitions: 3)])
        return (schema, topic)
    }

    func records(_ range: Range<Int>, topic: String) -> [OutboxRecord] {
        range.map { n in
            OutboxRecord(topic: topic, key: "lead-\(n % 7)", payload: Array("\(n)".utf8),
                         headers: [(key: "ce_id", value: "event-\(n)"), (key: "seq", value: "\(n)")])
        }
    }

    /// Runs `body` with a relay over a new producer and client, as one process would.
    func withRelay(schema: SQLIdentifier, _ body: @Sendable (OutboxRelay, EventApplier) async throws -> Void) async throws {
        let logger = self.logger
        let producer = try KafkaProducer(
            configuration: KafkaProducerConfiguration(bootstrapServers: TestEnvironment.kafkaBrokers), logger: logger
        )
        do {
            try await TestDatabase.withClient { client in
                let relay = OutboxRelay(client: client, schema: schema, sink: KafkaOutboxSink(producer: producer), logger: logger)
                let applier = EventApplier(client: client, schema: schema, relay: nil, logger: logger)
                try await body(relay, applier)
            }
        } catch {
            await producer.shutdown()
            throw error
        }
        await producer.shutdown()
    }

    /// Reads the topic from the start until `expected` messages arrived, then a little longer to catch
    /// any duplicate, and returns everything read.
    func consumeAll(topic: String, expected: Int) async throws -> [ConsumedMessage] {
        let consumer = try KafkaConsumer(
            configuration: KafkaConsumerConfiguration(
                bootstrapServers: TestEnvironment.kafkaBrokers, groupId: TestEnvironment.uniqueName("outbox-reader"),
                topics: [topic], sessionTimeoutMs: 6000, maxPollIntervalMs: 10_000
            ),
            logger: logger
        )
        let seen = MessageLog()
        let reader = Task {
            for try await message in consumer.messages { seen.append(message) }
        }
        let complete = await eventually(timeout: .seconds(60)) { seen.count >= expected }
        if complete { try await Task.sleep(for: .milliseconds(1500)) }
        await consumer.close()
        reader.cancel()
        return seen.all
    }

    @Test("every row is published exactly once, in order per key, across a relay restart")
    func exactlyOnceAcrossRestart() async throws {
        let (schema, topic) = try await prepare()
        let first = records(0..<200, topic: topic)
        let second = records(200..<300, topic: topic)

        // First process: enqueue and relay everything, then stop.
        try await withRelay(schema: schema) { relay, applier in
            try await applier.perform { _ in ((), first) }
            while try await relay.relayBatch() > 0 {}
        }
        // Second process: more rows arrive; the new relay must publish only those.
        try await withRelay(schema: schema) { relay, applier in
            try await applier.perform { _ in ((), second) }
            while try await relay.relayBatch() > 0 {}
            #expect(try await relay.relayBatch() == 0)
        }

        let messages = try await consumeAll(topic: topic, expected: 300)
        let sequence = messages.compactMap { $0.header("seq").flatMap(Int.init) }
        #expect(sequence.count == 300)
        #expect(Set(sequence) == Set(0..<300))
        for key in Set(messages.compactMap(\.keyString)) {
            let perKey = messages.filter { $0.keyString == key }.compactMap { $0.header("seq").flatMap(Int.init) }
            #expect(perKey == perKey.sorted(), "order of \(key)")
        }
        #expect(messages.allSatisfy { $0.header("ce_id") == "event-\(String(decoding: $0.value, as: UTF8.self))" })

        try await TestDatabase.withClient { client in
            let rows = try await client.query(
                "SELECT count(*)::int FROM \(unescaped: schema.name).outbox WHERE published_at IS NULL"
            )
            for try await pending in rows.decode(Int.self) { #expect(pending == 0) }
        }
    }

    @Test("two relays draining one outbox at once still publish each row once and in order")
    func concurrentRelays() async throws {
        let (schema, topic) = try await prepare()
        try await withRelay(schema: schema) { _, applier in
            for chunk in stride(from: 0, to: 400, by: 50) {
                try await applier.perform { _ in ((), records(chunk..<(chunk + 50), topic: topic)) }
            }
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<2 {
                group.addTask {
                    try await withRelay(schema: schema) { relay, _ in
                        var idle = 0
                        while idle < 5 {
                            idle = try await relay.relayBatch() == 0 ? idle + 1 : 0
                            try await Task.sleep(for: .milliseconds(20))
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        let messages = try await consumeAll(topic: topic, expected: 400)
        let sequence = messages.compactMap { $0.header("seq").flatMap(Int.init) }
        #expect(sequence.count == 400)
        #expect(Set(sequence).count == 400)
        for key in Set(messages.compactMap(\.keyString)) {
            let perKey = messages.filter { $0.keyString == key }.compactMap { $0.header("seq").flatMap(Int.init) }
            #expect(perKey == perKey.sorted(), "order of \(key)")
        }
    }

    @Test("an event applied twice changes state and enqueues events only once")
    func applyOnce() async throws {
        let (schema, topic) = try await prepare()
        try await TestDatabase.withClient { client in
            try await client.query("CREATE TABLE \(unescaped: schema.name).counter (n int NOT NULL)")
            try await client.query("INSERT INTO \(unescaped: schema.name).counter VALUES (0)")
            let applier = EventApplier(client: client, schema: schema, relay: nil, logger: logger)
            let eventId = UUID()
            var outcomes: [Bool] = []
            for _ in 0..<3 {
                outcomes.append(try await applier.applyOnce(consumer: "test", eventId: eventId) { connection in
                    try await connection.query("UPDATE \(unescaped: schema.name).counter SET n = n + 1", logger: logger)
                    return records(0..<1, topic: topic)
                })
            }
            #expect(outcomes == [true, false, false])
            // A different consumer applies the same event independently.
            #expect(try await applier.applyOnce(consumer: "other", eventId: eventId) { _ in [] })

            let counter = try await client.query("SELECT n FROM \(unescaped: schema.name).counter")
            for try await n in counter.decode(Int.self) { #expect(n == 1) }
            let outbox = try await client.query("SELECT count(*)::int FROM \(unescaped: schema.name).outbox")
            for try await n in outbox.decode(Int.self) { #expect(n == 1) }
        }
    }

    @Test("a failing state change rolls back its idempotency record and outbox rows")
    func rollbackOnFailure() async throws {
        let (schema, topic) = try await prepare()
        struct Boom: Error {}
        try await TestDatabase.withClient { client in
            let applier = EventApplier(client: client, schema: schema, relay: nil, logger: logger)
            let eventId = UUID()
            await #expect(throws: (any Error).self) {
                try await applier.applyOnce(consumer: "test", eventId: eventId) { connection in
                    try await Outbox(schema: schema).enqueue(records(0..<5, topic: topic), on: connection, logger: logger)
                    throw Boom()
                }
            }
            // Retried after the failure, the event is applied.
            #expect(try await applier.applyOnce(consumer: "test", eventId: eventId) { _ in records(0..<2, topic: topic) })
            let outbox = try await client.query("SELECT count(*)::int FROM \(unescaped: schema.name).outbox")
            for try await n in outbox.decode(Int.self) { #expect(n == 2) }
        }
    }
}

/// Messages collected by a reader task.
final class MessageLog: Sendable {
    private let messages = Mutex<[ConsumedMessage]>([])
    func append(_ message: ConsumedMessage) { messages.withLock { $0.append(message) } }
    var count: Int { messages.withLock { $0.count } }
    var all: [ConsumedMessage] { messages.withLock { $0 } }
}
