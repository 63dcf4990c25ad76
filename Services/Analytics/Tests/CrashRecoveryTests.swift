import Foundation
import LeadAnalytics
import LeadIntegrationSupport
import LeadModel
import LeadServiceKit
import LeadTestSupport
import PostgresNIO
import Testing

/// The real `leadflow-analytics` process killed with SIGKILL mid-stream and restarted: every
/// event ends up projected exactly once.
@Suite("Analytics: exactly once across kill -9 (child process, Tansu, PostgreSQL)")
struct CrashRecoveryTests {
    static func counts(_ database: String) async throws -> (events: Int, distinct: Int, processed: Int, wrongLeads: Int) {
        try await TestDatabase.withClient(database: database) { client in
            let rows = try await client.query("""
                SELECT (SELECT count(*)::int FROM analytics_projection.lead_events),
                       (SELECT count(DISTINCT event_id)::int FROM analytics_projection.lead_events),
                       (SELECT count(*)::int FROM analytics_projection.processed_events),
                       (SELECT count(*)::int FROM analytics_projection.leads WHERE event_count <> 10 OR NOT known)
                """)
            for try await row in rows.decode((Int, Int, Int, Int).self) { return row }
            return (0, 0, 0, 0)
        }
    }

    @Test("a kill -9 at any point neither loses nor doubles an event")
    func killNine() async throws {
        let database = try await TestDatabase.createDatabase()
        let prefix = TestKafka.uniquePrefix("crash")
        try await TestKafka.createLeadflowTopics(prefix: prefix)
        let environment = ["LEADFLOW_INSTANCE_ID": "analytics-crash-test", "LEADFLOW_LOG_LEVEL": "warning"]
        var process = try ServiceProcess.launch(service: "analytics", database: database, topicPrefix: prefix, extraEnvironment: environment)
        defer { process.kill() }
        let ready = await eventually(timeout: .seconds(60)) { (try? await process.get("/health/ready").status) == 200 }
        try #require(ready, "\(process.log)")

        let now = Date()
        var received: [LeadReceived] = []
        var notes: [LeadLifecycleEvent] = []
        for index in 0..<400 {
            let lead = Lead(fullName: PersonName(full: "Crash Lead\(index)"), source: LeadSource(id: "src-crash", channel: .json),
                            createdAt: now.addingTimeInterval(-3600))
            received.append(LeadReceived(occurredAt: lead.createdAt, lead: lead,
                                         intake: Intake(channel: .json, sourceId: "src-crash", receivedAt: lead.createdAt),
                                         actor: Actor(id: "src-crash", role: .integrationSource)))
            for note in 1...9 {
                notes.append(LeadLifecycleEvent(leadId: lead.id, occurredAt: lead.createdAt.addingTimeInterval(Double(note)),
                                                actor: Actor(id: "member-ann", role: .salesperson), change: .noteAdded(text: "n\(note)")))
            }
        }
        let producer = try TestKafka.producer()
        try await TestKafka.publish(received, prefix: prefix, producer: producer)
        try await TestKafka.publish(notes, prefix: prefix, producer: producer)
        let total = received.count + notes.count

        let started = await eventually(timeout: .seconds(60), every: .milliseconds(20)) {
            ((try? await Self.counts(database))?.events ?? 0) >= 100
        }
        try #require(started)
        process.kill()
        _ = try await process.waitForExit(timeout: .seconds(10))
        let atKill = try await Self.counts(database)
        #expect(atKill.events < total, "killed mid-stream (\(atKill.events) of \(total) applied)")
        #expect(atKill.events == atKill.processed, "effects and idempotency records commit together")

        process = try ServiceProcess.launch(service: "analytics", database: database, topicPrefix: prefix, extraEnvironment: environment)
        let finished = await eventually(timeout: .seconds(120), every: .milliseconds(200)) {
            ((try? await Self.counts(database))?.events ?? 0) >= total
        }
        #expect(finished, "\(process.log.suffix(2000))")
        let after = try await Self.counts(database)
        #expect(after.events == total)
        #expect(after.distinct == total)
        #expect(after.processed == total)
        #expect(after.wrongLeads == 0, "every lead has exactly its 10 events")
        #expect(try await process.terminate(timeout: .seconds(30)) == 0)
        await producer.shutdown()
        try await TestDatabase.dropDatabase(database)
    }
}
