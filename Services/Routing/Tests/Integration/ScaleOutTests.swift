import Foundation
import LeadIntegrationSupport
import LeadMessaging
import LeadModel
import LeadServiceKit
import LeadTestSupport
import PostgresNIO
import Testing
@testable import LeadRouting

/// Two routing instances in one consumer group share the partitions and one team's rotation:
/// round robin stays fair across members and across instances, and no lead is assigned twice.
@Suite("Two routing instances, 10,000 leads")
struct ScaleOutTests {
    static let leadCount = 10_000
    static let members = (1...7).map { "member-rr-\($0)" }

    @Test("round robin spreads 10,000 leads within ±1 per member with no double assignment")
    func twoInstances() async throws {
        let database = try await TestDatabase.createDatabase()
        let prefix = TestKafka.uniquePrefix("rr")
        try await TestKafka.createLeadflowTopics(prefix: prefix, partitions: 6)
        let environment = ["LEADFLOW_TOPIC_PARTITIONS": "6", "LEADFLOW_ROUTING_SLA_SCHEDULER": "false"]
        let first = try await InProcessService.start(
            RoutingService.makeDefinition(), database: database, topicPrefix: prefix,
            environment: environment.merging(["LEADFLOW_INSTANCE_ID": "rr-one"]) { a, _ in a })
        let second = try await InProcessService.start(
            RoutingService.makeDefinition(), database: database, topicPrefix: prefix,
            environment: environment.merging(["LEADFLOW_INSTANCE_ID": "rr-two"]) { a, _ in a })

        let admin = RoutingClient(baseURL: first.baseURL, token: try await TestAuth.token(.platformAdmin))
        try await admin.configure("/v1/routing/teams/team-rr", Team(id: "team-rr", name: "Round robin"))
        for id in Self.members {
            try await admin.configure("/v1/routing/members/\(id)", Member(id: id, teamId: "team-rr", name: id))
        }

        let producer = try TestKafka.producer()
        // Warm-up: publish small batches until both instances have assigned leads, so both hold partitions.
        var published: [LeadID] = []
        let bothWorking = try await eventually(timeout: .seconds(90), every: .milliseconds(500)) {
            let batch = (0..<12).map { _ in TestEvents.scored() }
            try await TestKafka.publish(batch, prefix: prefix, producer: producer)
            published += batch.map(\.leadId)
            return try await RoutingDatabase.count(database, "SELECT count(DISTINCT routed_by) FROM routing.assignments") == 2
        }
        #expect(bothWorking, "the second instance never took partitions")

        // The 10,000, produced in batches of 1,000.
        for _ in 0..<(Self.leadCount / 1000) {
            let batch = (0..<1000).map { _ in TestEvents.scored() }
            try await TestKafka.publish(batch, prefix: prefix, producer: producer)
            published += batch.map(\.leadId)
        }
        let total = published.count
        let recorder = try TopicRecorder(topics: [prefix + Topic.assigned.name])
        let done = try await eventually(timeout: .seconds(240), every: .milliseconds(500)) {
            try await RoutingDatabase.count(database, "SELECT count(*) FROM routing.assignments") >= total
        }
        let assigned = try await RoutingDatabase.count(database, "SELECT count(*) FROM routing.assignments")
        #expect(done, "only \(assigned) of \(total) assigned")

        try await TestDatabase.withClient(database: database) { client in
            // Exactly one assignment per lead, never two.
            var perLead: [Int64] = []
            for try await (count) in try await client.query(
                "SELECT count(*)::bigint FROM routing.assignments GROUP BY lead_id").decode(Int64.self) { perLead.append(count) }
            #expect(perLead.count == total)
            #expect(perLead.allSatisfy { $0 == 1 })
            // Round robin: every member within one lead of every other.
            var perMember: [String: Int] = [:]
            for try await (owner, count) in try await client.query(
                "SELECT owner_id, count(*)::bigint FROM routing.assignments GROUP BY owner_id").decode((String, Int64).self) {
                perMember[owner] = Int(count)
            }
            #expect(Set(perMember.keys) == Set(Self.members))
            #expect(perMember.values.max()! - perMember.values.min()! <= 1, "\(perMember)")
            // Both instances assigned a real share.
            var perInstance: [String: Int] = [:]
            for try await (instance, count) in try await client.query(
                "SELECT routed_by, count(*)::bigint FROM routing.assignments GROUP BY routed_by").decode((String, Int64).self) {
                perInstance[instance] = Int(count)
            }
            #expect(perInstance.count == 2)
            #expect(perInstance.values.allSatisfy { $0 >= total / 10 }, "\(perInstance)")
        }

        // What consumers see on leads.assigned: every lead once (distinct event ids), same spread.
        let events = await recorder.wait(timeout: .seconds(120)) { events in
            Set(events.compactMap(\.assigned).map(\.eventId)).count >= total
        }.compactMap(\.assigned)
        var eventsByLead: [LeadID: Set<UUID>] = [:]
        var ownerByEvent: [UUID: String] = [:]
        for event in events {
            eventsByLead[event.leadId, default: []].insert(event.eventId)
            ownerByEvent[event.eventId] = event.ownerId
        }
        #expect(eventsByLead.count == total)
        #expect(eventsByLead.values.allSatisfy { $0.count == 1 })
        #expect(Set(published) == Set(eventsByLead.keys))
        let topicSpread = Dictionary(grouping: ownerByEvent.values, by: { $0 }).mapValues(\.count)
        #expect(topicSpread.values.max()! - topicSpread.values.min()! <= 1, "\(topicSpread)")

        await recorder.stop()
        await first.stop()
        await second.stop()
        try await TestDatabase.dropDatabase(database)
    }
}
