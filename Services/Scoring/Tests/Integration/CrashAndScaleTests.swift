import Foundation
import LeadIntegrationSupport
import LeadMessaging
import LeadModel
import LeadServiceKit
import LeadTestSupport
import PostgresNIO
import Testing
@testable import LeadScoring

/// The real `leadflow-scoring` executable: kill -9 in the middle of a stream, and two instances
/// in one consumer group. Either way, each lead is scored exactly once per input event.
@Suite("Scoring processes: kill -9 and scale-out (real processes, Tansu, PostgreSQL)", .serialized)
struct CrashAndScaleTests {
    /// One lead's input: received, a reply (moves the score), a note (does not).
    struct Input {
        var received: LeadReceived
        var reply: LeadLifecycleEvent
        var note: LeadLifecycleEvent
    }

    static func inputs(_ count: Int) -> [Input] {
        let now = Date()
        return (0..<count).map { i in
            let lead = i % 2 == 0 ? Fixtures.coldLead(createdAt: now) : Fixtures.hotLead(createdAt: now)
            return Input(
                received: Fixtures.received(lead, at: now),
                reply: Fixtures.lifecycle(lead.id, Fixtures.reply(at: now), at: now),
                note: Fixtures.lifecycle(lead.id, .noteAdded(text: "n\(i)"), at: now))
        }
    }

    /// Distinct scored event ids per (lead, cause), duplicates (the same event delivered again) left out.
    static func distinctScores(_ recorder: TopicRecorder) -> [String: Set<UUID>] {
        var found: [String: Set<UUID>] = [:]
        for event in recorder.events.compactMap(\.scored) {
            found["\(event.leadId)/\(event.causationEventId)", default: []].insert(event.eventId)
        }
        return found
    }

    /// Checks that every input event took effect exactly once: each lead's `leads.received` caused
    /// exactly one score and no note caused any; the reply counted exactly once, either in a score
    /// of its own (+5 on the received score) or, when it was consumed before the lead arrived (the
    /// two topics are consumed independently), folded into the received score. Never twice.
    static func verifyExactlyOnce(_ inputs: [Input], _ recorder: TopicRecorder) {
        var byCause: [UUID: [LeadScored]] = [:]
        for event in recorder.events.compactMap(\.scored) {
            if byCause[event.causationEventId]?.contains(where: { $0.eventId == event.eventId }) != true {
                byCause[event.causationEventId, default: []].append(event)
            }
        }
        func replies(_ event: LeadScored) -> Double? {
            event.factors.first { $0.key == ScoringFactor.replies.key }?.contribution
        }
        var wrong: [String] = []
        var folded = 0
        for input in inputs {
            let lead = input.received.leadId
            let received = byCause[input.received.eventId] ?? []
            let reply = byCause[input.reply.eventId] ?? []
            let note = byCause[input.note.eventId] ?? []
            guard received.count == 1, reply.count <= 1, note.isEmpty, let first = received.first else {
                wrong.append("\(lead): \(received.count) received, \(reply.count) reply, \(note.count) note scores")
                continue
            }
            if let second = reply.first {
                if replies(first) != 0 || replies(second) != 5 || second.score != first.score + 5 || second.previousScore != first.score {
                    wrong.append("\(lead): reply scored \(first.score) → \(second.score)")
                }
            } else {
                folded += 1
                if replies(first) != 5 { wrong.append("\(lead): the reply never counted") }
            }
        }
        let wrongCount = wrong.count
        #expect(wrongCount == 0, "e.g. \(wrong.prefix(5).joined(separator: "; "))")
        print("exactly-once check: \(inputs.count) leads, \(folded) replies folded into the lead's first score")
    }

    /// Publishes marker leads (a lead and a reply each, 40 keys so every partition of both input
    /// topics gets some) and waits until they and every lead of `awaited` have a score that counts
    /// their reply. (Within a partition, different leads are processed in parallel lanes, so the
    /// markers alone do not prove that earlier leads are done.)
    static func drain(prefix: String, producer: KafkaProducer, recorder: TopicRecorder, awaiting awaited: [Input],
                      logs: () -> String) async throws {
        let markers = inputs(40)
        try await TestKafka.publish(markers.map(\.received), prefix: prefix, producer: producer)
        try await TestKafka.publish(markers.map(\.reply), prefix: prefix, producer: producer)
        // Done when each lead has a score that counts its reply (its own or folded in).
        let leads = Set((markers + awaited).map(\.received.leadId))
        @Sendable func counted(_ events: [AnyLeadflowEvent]) -> Bool {
            let done = events.compactMap(\.scored).filter { event in
                event.factors.contains { $0.key == ScoringFactor.replies.key && $0.contribution == 5 }
            }
            return Set(done.map(\.leadId)).isSuperset(of: leads)
        }
        let complete = counted(await recorder.wait(timeout: .seconds(120), until: counted))
        #expect(complete, "the markers were not all scored; service log:\n\(logs().suffix(6000))")
    }

    static func launch(database: String, prefix: String, instance: String) async throws -> ServiceProcess {
        let process = try ServiceProcess.launch(
            service: "scoring", database: database, topicPrefix: prefix,
            extraEnvironment: ["LEADFLOW_INSTANCE_ID": instance, "LEADFLOW_LOG_LEVEL": "info",
                               "LEADFLOW_SCORING_RESCORE_POLL_MS": "200"])
        let ready = await eventually(timeout: .seconds(60), every: .milliseconds(200)) {
            (try? await process.get("/health/ready").status) == 200
        }
        #expect(ready, "scoring never became ready:\n\(process.log.suffix(3000))")
        return process
    }

    @Test("kill -9 mid-stream and a restart with the same instance id: each lead scored exactly once per input event")
    func killAndRestart() async throws {
        let database = try await TestDatabase.createDatabase()
        let prefix = TestKafka.uniquePrefix("scoring-kill")
        try await TestKafka.createLeadflowTopics(prefix: prefix)
        let recorder = try TopicRecorder(topics: [prefix + Topic.scored.name])
        let producer = try TestKafka.producer()
        let instance = "scoring-kill-\(UUID().uuidString.prefix(8))"

        var process = try await Self.launch(database: database, prefix: prefix, instance: instance)
        let inputs = Self.inputs(400)
        try await TestKafka.publish(inputs.map(\.received), prefix: prefix, producer: producer)
        try await TestKafka.publish(inputs.flatMap { [$0.reply, $0.note] }, prefix: prefix, producer: producer)

        // Kill it once about a quarter of the 800 expected scores are out.
        let midway = await eventually(timeout: .seconds(120), every: .milliseconds(20)) {
            recorder.events.count >= 200
        }
        #expect(midway)
        process.kill()
        _ = try await process.waitForExit(timeout: .seconds(10))
        let atKill = Self.distinctScores(recorder).count
        #expect(atKill < 800, "the kill must land mid-stream (\(atKill) of at most 800 already out)")

        process = try await Self.launch(database: database, prefix: prefix, instance: instance)
        defer { process.kill() }
        try await Self.drain(prefix: prefix, producer: producer, recorder: recorder, awaiting: inputs) { process.log }
        Self.verifyExactlyOnce(inputs, recorder)
        let diagnostics = try await TestDatabase.withClient(database: database) { client in
            var lines: [String] = []
            for query in [
                "SELECT 'processed ' || count(*) FROM scoring.processed_events",
                "SELECT 'unpublished ' || count(*) FROM scoring.outbox WHERE published_at IS NULL",
                "SELECT 'outbox ' || count(*) FROM scoring.outbox",
                "SELECT 'changes ' || count(*) FROM scoring.score_changes",
                "SELECT 'known ' || count(*) FROM scoring.leads WHERE known",
            ] {
                for try await line in try await client.query(PostgresQuery(unsafeSQL: query)).decode(String.self) { lines.append(line) }
            }
            return lines.joined(separator: ", ")
        }
        let scored = recorder.events.compactMap(\.scored)
        let distinct = Set(scored.map(\.eventId)).count
        print("kill -9 test: \(atKill) scores out at the kill; \(scored.count - distinct) repeated deliveries of already-published events (same event id); \(diagnostics)")

        _ = try await process.terminate(timeout: .seconds(30))
        await recorder.stop()
        await producer.shutdown()
        try await TestDatabase.dropDatabase(database)
    }

    @Test("two instances in one group share the partitions and never double a score")
    func twoInstances() async throws {
        let database = try await TestDatabase.createDatabase()
        let prefix = TestKafka.uniquePrefix("scoring-two")
        try await TestKafka.createLeadflowTopics(prefix: prefix)
        let recorder = try TopicRecorder(topics: [prefix + Topic.scored.name])
        let producer = try TestKafka.producer()
        let first = try await Self.launch(database: database, prefix: prefix, instance: "scoring-a-\(UUID().uuidString.prefix(8))")
        defer { first.kill() }
        let second = try await Self.launch(database: database, prefix: prefix, instance: "scoring-b-\(UUID().uuidString.prefix(8))")
        defer { second.kill() }

        let inputs = Self.inputs(300)
        try await TestKafka.publish(inputs.map(\.received), prefix: prefix, producer: producer)
        // Most replies come after their lead was scored, some may be folded into it; both are checked.
        _ = await eventually(timeout: .seconds(60), every: .milliseconds(50)) { recorder.events.count >= 200 }
        try await TestKafka.publish(inputs.flatMap { [$0.reply, $0.note] }, prefix: prefix, producer: producer)
        try await Self.drain(prefix: prefix, producer: producer, recorder: recorder, awaiting: inputs) { first.log + "\n" + second.log }
        Self.verifyExactlyOnce(inputs, recorder)

        // Both took part.
        for process in [first, second] {
            let metrics = try await process.get("/metrics").body
            let handled = metrics.split(separator: "\n").filter { $0.hasPrefix("leadflow_scoring_events_total") }
                .compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }.reduce(0, +)
            #expect(handled > 0, "an instance handled nothing:\n\(metrics.prefix(2000))")
        }
        _ = try await first.terminate(timeout: .seconds(30))
        _ = try await second.terminate(timeout: .seconds(30))
        await recorder.stop()
        await producer.shutdown()
        try await TestDatabase.dropDatabase(database)
    }
}
