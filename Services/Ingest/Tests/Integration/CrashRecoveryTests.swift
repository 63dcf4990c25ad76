import Foundation
import LeadIntegrationSupport
import LeadMessaging
import LeadModel
import LeadTestSupport
import PostgresNIO
import Synchronization
import Testing
@testable import LeadIngest

/// kill -9 in the middle of intake: every accepted lead survives and none is doubled.
@Suite("Crash recovery (real process, Tansu, PostgreSQL)")
struct CrashRecoveryTests {
    @Test("kill -9 while topic and HTTP leads stream in; after a restart every lead exists exactly once", .timeLimit(.minutes(3)))
    func killAndRestart() async throws {
        let database = try await TestDatabase.createDatabase()
        let prefix = TestKafka.uniquePrefix("crash")
        try await TestKafka.createLeadflowTopics(prefix: prefix)
        let instance = ["LEADFLOW_INSTANCE_ID": "ingest-crash-\(UUID().uuidString.prefix(8))"]
        var process = try ServiceProcess.launch(service: "ingest", database: database, topicPrefix: prefix, extraEnvironment: instance)
        defer { process.kill() }
        let ready = await eventually(timeout: .seconds(60), every: .milliseconds(200)) { (try? await process.get("/health/ready").status) == 200 }
        try #require(ready, "ingest did not start: \(process.log)")
        let received = try TopicRecorder(topics: [prefix + Topic.received.name])
        let lifecycle = try TopicRecorder(topics: [prefix + Topic.lifecycle.name])
        let tag = UUID().uuidString.prefix(8).lowercased()
        let token = try await TestAuth.token(.platformAdmin, id: "crash-admin")

        // Feed the topic.
        let producer = try TestKafka.producer()
        let messages = (0..<300).map { index in
            OutgoingMessage(topic: prefix + Topic.inbound.name, key: "k\(index)",
                            value: Array(#"{"email":"topic.\#(tag).\#(index)@example.com","name":"Topic \#(index)"}"#.utf8),
                            headers: [KafkaHeader(key: "content-type", string: "application/json")])
        }
        _ = try await producer.send(messages)
        await producer.shutdown()

        // And HTTP, while the process is killed part-way.
        let accepted = SharedList<String>()
        let port = process.port
        let sender = Task {
            for index in 0..<400 {
                guard let response = try? await TestHTTP.postJSON(
                    "http://127.0.0.1:\(port)/v1/leads", #"{"email":"http.\#(tag).\#(index)@example.com"}"#,
                    headers: ["authorization": TestAuth.bearer(token)])
                else { return }
                if response.status == 202, let id = response.json["leadId"] as? String { accepted.append(id) }
            }
        }
        let started = await eventually(timeout: .seconds(60), every: .milliseconds(20)) {
            (try? await Self.count(database, "SELECT count(*)::int FROM ingest.leads WHERE snapshot::text LIKE \("%topic.\(tag).%")")) ?? 0 >= 40
                && accepted.count >= 20
        }
        #expect(started)
        process.kill()
        _ = await sender.value
        let acceptedBeforeKill = accepted.all

        process = try ServiceProcess.launch(service: "ingest", database: database, topicPrefix: prefix, extraEnvironment: instance)
        let back = await eventually(timeout: .seconds(60), every: .milliseconds(200)) { (try? await process.get("/health/ready").status) == 200 }
        try #require(back, "ingest did not restart: \(process.log)")

        let allTopic = await eventually(timeout: .seconds(120), every: .milliseconds(250)) {
            (try? await Self.count(database, "SELECT count(*)::int FROM ingest.leads WHERE snapshot::text LIKE \("%topic.\(tag).%")")) == 300
        }
        #expect(allTopic, "not every topic lead arrived")
        // Every lead answered 202 before the kill is stored.
        for id in acceptedBeforeKill {
            let uuid = try #require(UUID(uuidString: id))
            #expect(try await Self.count(database, "SELECT count(*)::int FROM ingest.leads WHERE id = \(uuid)") == 1, "lost \(id)")
        }
        // Exactly once: 300 topic leads, no duplicate inquiry from a re-processed message, and every
        // stored lead reaches leads.received (the relay resumes after the restart).
        let stored = try await Self.count(database, "SELECT count(*)::int FROM ingest.leads")
        #expect(try await Self.count(database, "SELECT count(*)::int FROM ingest.leads WHERE snapshot::text LIKE \("%topic.\(tag).%")") == 300)
        let events = await received.wait(timeout: .seconds(90)) { Set($0.compactMap(\.received?.leadId)).count >= stored }
        #expect(Set(events.compactMap(\.received?.leadId)).count == stored)
        try await Task.sleep(for: .milliseconds(500))
        #expect(!lifecycle.events.contains { $0.lifecycle?.change.kind == .duplicateInquiry }, "a message was applied twice")
        #expect(try await process.terminate(timeout: .seconds(30)) == 0)
        await received.stop()
        await lifecycle.stop()
        try await TestDatabase.dropDatabase(database)
    }

    static func count(_ database: String, _ query: PostgresQuery) async throws -> Int {
        try await TestDatabase.withClient(database: database) { client in
            var value = 0
            for try await count in try await client.query(query).decode(Int.self) { value = count }
            return value
        }
    }
}
