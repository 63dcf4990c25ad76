import Foundation
import LeadAnalytics
import LeadIntegrationSupport
import LeadModel
import LeadServiceKit
import LeadTestSupport
import Testing

extension ScriptedHistoryTests {
    @Test("leadctl analytics rebuild replays every topic into fresh tables, swaps them in live, and ends with the same numbers")
    func rebuild() async throws {
        let before = try await allReports()
        let listBefore = try await listAll("")
        // Damage the live projection the way a projection bug would: the service never re-projects it by itself.
        try await TestDatabase.withClient(database: stack.database) { client in
            try await client.query("DELETE FROM analytics_projection.leads WHERE lead_id IN (SELECT lead_id FROM analytics_projection.leads ORDER BY lead_id LIMIT 6)")
            try await client.query("UPDATE analytics_projection.leads SET facts = jsonb_set(facts, '{outcome}', 'null'), outcome = NULL")
        }
        let damaged = try await allReports()
        #expect(damaged["conversion"] != before["conversion"], "the damage shows")

        // Live traffic during the rebuild: a test lead keeps getting events.
        let lead = Lead(fullName: PersonName(full: "Rita Rebuild"), source: LeadSource(id: "src-web", channel: .json),
                        createdAt: now.addingTimeInterval(-3600), isTest: true)
        let received = LeadReceived(occurredAt: lead.createdAt, lead: lead,
                                    intake: Intake(channel: .json, sourceId: "src-web", receivedAt: lead.createdAt),
                                    actor: Actor(id: "src-web", role: .integrationSource))
        try await TestKafka.publish([received], prefix: stack.prefix, producer: stack.producer)
        let leadctl = TestEnvironment.binDirectory + "/leadctl"
        let environment = [
            "LEADFLOW_PG_DATABASE": stack.database, "LEADFLOW_TOPIC_PREFIX": stack.prefix,
            "LEADFLOW_CONSUMER_GROUP": stack.prefix + "analytics",
        ]
        async let rebuilt = runProcess(leadctl, ["analytics", "rebuild", "--json", "--idle-seconds", "2", "--timeout-seconds", "120"],
                                       environment: environment, timeout: 150)
        let notes = (1...15).map { index in
            LeadLifecycleEvent(leadId: lead.id, occurredAt: lead.createdAt.addingTimeInterval(Double(index)),
                               actor: Actor(id: "member-ann", role: .salesperson), change: .noteAdded(text: "note \(index)"))
        }
        for note in notes {
            try await TestKafka.publish([note], prefix: stack.prefix, producer: stack.producer)
            try await Task.sleep(for: .milliseconds(300))
        }
        let (status, output) = try await rebuilt
        #expect(status == 0, "\(output)")
        let outcome = try #require(output.split(separator: "\n").last.flatMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }, "\(output)")
        #expect(integer((outcome["progress"] as? [String: Any])?["consumed"]) ?? 0 >= script.events().rest.count)

        let after = try await allReports()
        for (name, json) in before {
            #expect(after[name] == json, "\(name) differs after the rebuild")
        }
        #expect(try await listAll("") == listBefore)
        // The events that arrived during the rebuild are all there, each once.
        let complete = await eventually(timeout: .seconds(30)) {
            let detail = try? await stack.get("/v1/leads/\(lead.id)", as: .admin)
            return (detail?.json["timeline"] as? [[String: Any]])?.count == 16
        }
        #expect(complete)
        let timeline = try await stack.get("/v1/leads/\(lead.id)", as: .admin).json["timeline"] as? [[String: Any]] ?? []
        #expect(Set(timeline.compactMap { $0["eventId"] as? String }).count == 16)
        let schemas = try await TestDatabase.withClient(database: stack.database) { client in
            var names: [String] = []
            for try await name in try await client.query("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'analytics_projection%'").decode(String.self) {
                names.append(name)
            }
            return names
        }
        #expect(schemas == ["analytics_projection"], "the replaced tables are dropped")
    }
}
