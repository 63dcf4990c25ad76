import Foundation
import LeadIntegrationSupport
import LeadMessaging
import LeadModel
import LeadServiceKit
import LeadTestSupport
import PostgresNIO
import Testing
@testable import LeadRouting

/// A real `leadflow-routing` process killed with SIGKILL in the middle of its work and restarted
/// with the same static instance id.
@Suite("Routing under kill -9")
struct CrashTests {
    static let leadCount = 3000
    static let members = (1...5).map { "member-crash-\($0)" }

    @Test("kill -9 while assigning loses no lead and assigns none twice; the rotation stays fair")
    func killNine() async throws {
        let database = try await TestDatabase.createDatabase()
        let prefix = TestKafka.uniquePrefix("crash")
        try await TestKafka.createLeadflowTopics(prefix: prefix)
        let environment = ["LEADFLOW_INSTANCE_ID": "routing-crash", "LEADFLOW_ROUTING_SLA_SCHEDULER": "false", "LEADFLOW_LOG_LEVEL": "warning"]
        let process = try ServiceProcess.launch(service: "routing", database: database, topicPrefix: prefix, extraEnvironment: environment)
        defer { process.kill() }
        #expect(await eventually(timeout: .seconds(60)) { (try? await process.get("/health/ready").status) == 200 }, "\(process.log)")

        let admin = RoutingClient(baseURL: "http://127.0.0.1:\(process.port)", token: try await TestAuth.token(.platformAdmin))
        try await admin.configure("/v1/routing/teams/team-crash", Team(id: "team-crash", name: "Crash"))
        for id in Self.members {
            try await admin.configure("/v1/routing/members/\(id)", Member(id: id, teamId: "team-crash", name: id))
        }

        let producer = try TestKafka.producer()
        var published: [LeadID] = []
        for _ in 0..<(Self.leadCount / 500) {
            let batch = (0..<500).map { _ in TestEvents.scored() }
            try await TestKafka.publish(batch, prefix: prefix, producer: producer)
            published += batch.map(\.leadId)
        }
        let assignedSome = try await eventually(timeout: .seconds(90), every: .milliseconds(20)) {
            try await RoutingDatabase.count(database, "SELECT count(*) FROM routing.assignments") >= 300
        }
        #expect(assignedSome, "\(process.log)")
        process.kill()
        _ = try await process.waitForExit(timeout: .seconds(10))
        let atCrash = try await RoutingDatabase.count(database, "SELECT count(*) FROM routing.assignments")
        #expect(atCrash < Self.leadCount, "the crash came too late to prove anything")

        let restarted = try ServiceProcess.launch(service: "routing", database: database, topicPrefix: prefix, extraEnvironment: environment)
        defer { restarted.kill() }
        let finished = try await eventually(timeout: .seconds(180), every: .milliseconds(200)) {
            try await RoutingDatabase.count(database, "SELECT count(*) FROM routing.assignments") >= Self.leadCount
        }
        #expect(finished, "\(restarted.log)")

        let recorder = try TopicRecorder(topics: [prefix + Topic.assigned.name])
        let events = await recorder.wait(timeout: .seconds(120)) { events in
            Set(events.compactMap(\.assigned).map(\.leadId)).count >= Self.leadCount
        }.compactMap(\.assigned)
        await recorder.stop()
        var eventIds: [LeadID: Set<UUID>] = [:]
        var owners: [UUID: String] = [:]
        for event in events {
            eventIds[event.leadId, default: []].insert(event.eventId)
            owners[event.eventId] = event.ownerId
        }
        #expect(Set(eventIds.keys) == Set(published))
        #expect(eventIds.values.allSatisfy { $0.count == 1 }, "a lead was assigned twice")
        let spread = Dictionary(grouping: owners.values, by: { $0 }).mapValues(\.count)
        #expect(spread.count == Self.members.count)
        #expect(spread.values.max()! - spread.values.min()! <= 1, "\(spread)")
        #expect(try await RoutingDatabase.count(database, "SELECT count(*) FROM routing.assignments") == Self.leadCount)

        #expect(try await restarted.terminate(timeout: .seconds(30)) == 0)
        try await TestDatabase.dropDatabase(database)
    }
}
