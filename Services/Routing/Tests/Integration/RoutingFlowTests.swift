import Foundation
import LeadIntegrationSupport
import LeadMessaging
import LeadModel
import LeadServiceKit
import LeadTestSupport
import Testing
@testable import LeadRouting

/// End to end against the real broker and database: `leads.scored` and `leads.lifecycle` in,
/// `leads.assigned` out, time moved with the injected clock.
@Suite("Routing flows (Tansu, PostgreSQL, injected clock)", .serialized)
struct RoutingFlowTests {
    @Test("a scored lead naming a dealer goes to that dealer's team, with every decision explained")
    func namedDealer() async throws {
        let env = try await FlowEnvironment.get()
        let scored = TestEvents.scored(score: 72, locationId: "DLR-30412", vehicleType: "suv")
        try await env.publish([scored])
        let event = try #require(await env.recorder.waitForAssignments(of: scored.leadId).first)

        #expect(event.locationId == "loc-flow-columbus")
        #expect(event.teamId == "team-flow-sales")
        #expect(["member-flow-ann", "member-flow-bob"].contains(event.ownerId ?? ""))
        #expect(event.strategy == .roundRobin)
        #expect(!event.isFallback)
        #expect(event.causationEventId == scored.eventId)
        #expect(event.actor == .system("routing"))
        #expect(event.previousOwnerId == nil && event.previousLocationId == nil)
        #expect(event.reason.contains("alias of location loc-flow-columbus"))
        #expect(event.candidates.contains { $0.memberId == "loc-flow-columbus" && $0.kind == .location && $0.eligible })
        #expect(Set(event.candidates.filter { $0.kind == nil }.map(\.memberId)) == ["member-flow-ann", "member-flow-bob"])
        // Hot lead to a salesperson: the team's 5-minute target, on the injected clock.
        #expect(event.responseDueAt == LeadflowJSON.wirePrecision(env.clock.now().addingTimeInterval(300)))
        let lead = try #require(event.lead)
        #expect(lead.ownerId == event.ownerId)
        #expect(lead.locationId == "loc-flow-columbus")
        #expect(lead.locationResponse == .unacknowledged)
        #expect(lead.score == 72 && lead.priority == .hot)
        #expect(lead.fullName.first == "Pat")

        let detail = try await env.admin.get("/v1/routing/leads/\(scored.leadId)")
        #expect(detail.status == 200)
        #expect(detail.json["ownerId"] as? String == event.ownerId)
        #expect((detail.json["history"] as? [[String: Any]])?.count == 1)
    }

    @Test("a redelivered event and a rescore never assign a lead twice")
    func exactlyOnce() async throws {
        let env = try await FlowEnvironment.get()
        let scored = TestEvents.scored(postalCode: "43219")
        try await env.publish([scored, scored])
        var rescore = TestEvents.scored(scored.leadId, score: 95, postalCode: "43219")
        rescore.previousScore = 40
        try await env.publish([rescore])
        #expect(try await env.waitUntilApplied(rescore.eventId))
        #expect(try await env.waitUntilApplied(scored.eventId))
        #expect(try await env.assignmentCount(scored.leadId) == 1)
        let events = await env.recorder.waitForAssignments(of: scored.leadId)
        #expect(Set(events.map(\.eventId)).count == 1)
        // The rescore reached the snapshot.
        let score = try await RoutingDatabase.count(env.database, "SELECT (lead->>'score')::bigint FROM routing.leads WHERE lead_id = '\(scored.leadId)'")
        #expect(score == 95)
    }

    @Test("a rejection re-routes to the next candidate location, naming the previous owner and location")
    func rejection() async throws {
        let env = try await FlowEnvironment.get()
        let scored = TestEvents.scored(locationId: "DLR-30412", postalCode: "44114")
        try await env.publish([scored])
        let first = try #require(await env.recorder.waitForAssignments(of: scored.leadId).first)
        #expect(first.locationId == "loc-flow-columbus")

        let rejected = TestEvents.lifecycle(scored.leadId, .locationResponseChanged(
            locationId: "loc-flow-columbus", from: .unacknowledged, to: .rejected, note: "no SUVs in stock", followUpDelay: nil),
            actor: Actor(id: "contact-columbus", role: .locationContact))
        try await env.publish([rejected])
        let events = await env.recorder.waitForAssignments(of: scored.leadId, count: 2)
        let second = try #require(events.last)
        #expect(second.locationId == "loc-flow-cleveland")
        #expect(second.ownerId == nil)
        #expect(second.previousLocationId == "loc-flow-columbus")
        #expect(second.previousOwnerId == first.ownerId)
        #expect(second.causationEventId == rejected.eventId)
        #expect(second.reason.hasPrefix("location loc-flow-columbus rejected the lead; re-routed:"))
        #expect(second.reason.contains("no SUVs in stock"))
        #expect(second.candidates.contains { $0.memberId == "loc-flow-columbus" && !$0.eligible })
        #expect(second.lead?.locationResponse == .unacknowledged)
        // A location-only assignment waits for the location: Cleveland's own 2-hour target.
        #expect(second.responseDueAt == LeadflowJSON.wirePrecision(env.clock.now().addingTimeInterval(7200)))
        // A late response from the location the lead left changes nothing.
        let stale = TestEvents.lifecycle(scored.leadId, .locationResponseChanged(
            locationId: "loc-flow-columbus", from: .rejected, to: .accepted, note: nil, followUpDelay: nil))
        try await env.publish([stale])
        #expect(try await env.waitUntilApplied(stale.eventId))
        #expect(try await env.assignmentCount(scored.leadId) == 2)
    }

    @Test("SLA: an unacknowledged Hot lead is re-routed when its 5 minutes pass; an acknowledged one stays")
    func responseTarget() async throws {
        let env = try await FlowEnvironment.get()
        let ignored = TestEvents.scored(score: 90, locationId: "loc-flow-columbus")
        let answered = TestEvents.scored(score: 90, locationId: "loc-flow-columbus")
        try await env.publish([ignored, answered])
        let first = try #require(await env.recorder.waitForAssignments(of: ignored.leadId).first)
        let answeredFirst = try #require(await env.recorder.waitForAssignments(of: answered.leadId).first)
        let call = Activity(kind: .call, direction: .outbound, outcome: .connected, at: env.clock.now())
        let acknowledgement = TestEvents.lifecycle(answered.leadId, .activityLogged(call),
                                                   actor: Actor(id: answeredFirst.ownerId!, role: .salesperson))
        try await env.publish([acknowledgement])
        #expect(try await env.waitUntilApplied(acknowledgement.eventId))

        env.clock.advance(by: 299)
        // Not yet due: nothing happens (checked after the clock passes the target below).
        env.clock.advance(by: 2)
        let events = await env.recorder.waitForAssignments(of: ignored.leadId, count: 2)
        let second = try #require(events.last)
        #expect(second.previousOwnerId == first.ownerId)
        #expect(second.ownerId != first.ownerId)
        #expect(second.teamId == "team-flow-sales")
        #expect(second.causationEventId == first.eventId)
        #expect(second.reason.hasPrefix("response target missed: owner \(first.ownerId!) did not acknowledge within 5m"))
        #expect(second.candidates.contains { $0.memberId == first.ownerId && !$0.eligible && $0.reason.hasPrefix("excluded") })
        #expect(try await env.assignmentCount(answered.leadId) == 1)
        let detail = try await env.admin.get("/v1/routing/leads/\(answered.leadId)")
        #expect(detail.json["responseDueAt"] == nil)
        #expect(try await RoutingDatabase.count(env.database, "SELECT count(*) FROM routing.member_stats WHERE member_id = '\(answeredFirst.ownerId!)' AND acknowledged >= 1") == 1)
    }

    @Test("SLA: a location that does not acknowledge within its own target loses the lead")
    func locationTarget() async throws {
        let env = try await FlowEnvironment.get()
        let scored = TestEvents.scored(postalCode: "44102")
        try await env.publish([scored])
        let first = try #require(await env.recorder.waitForAssignments(of: scored.leadId).first)
        #expect(first.locationId == "loc-flow-cleveland")
        env.clock.advance(by: 7201)
        let second = try #require(await env.recorder.waitForAssignments(of: scored.leadId, count: 2).last)
        #expect(second.previousLocationId == "loc-flow-cleveland")
        #expect(second.ownerId == "member-flow-zoe")  // nothing else covers 441: the central team
        #expect(second.reason.contains("location loc-flow-cleveland did not acknowledge within 2h"))
    }

    @Test("a manual reassignment arriving on leads.lifecycle is applied and published with its note and actor")
    func manualViaLifecycle() async throws {
        let env = try await FlowEnvironment.get()
        let scored = TestEvents.scored(locationId: "loc-flow-columbus")
        try await env.publish([scored])
        let first = try #require(await env.recorder.waitForAssignments(of: scored.leadId).first)
        let manager = Actor(id: "mgr-columbus", role: .manager)
        let manual = TestEvents.lifecycle(scored.leadId, .manuallyAssigned(ownerId: "member-flow-zoe", locationId: nil, note: "VIP customer"), actor: manager)
        try await env.publish([manual])
        let second = try #require(await env.recorder.waitForAssignments(of: scored.leadId, count: 2).last)
        #expect(second.strategy == .manual)
        #expect(second.ownerId == "member-flow-zoe")
        #expect(second.teamId == "team-flow-central")
        #expect(second.previousOwnerId == first.ownerId)
        #expect(second.actor == manager)
        #expect(second.reason.contains("VIP customer"))
        #expect(second.causationEventId == manual.eventId)
        #expect(second.lead?.ownerId == "member-flow-zoe")
    }

    @Test("manual assignment over HTTP is idempotent with an Idempotency-Key")
    func manualViaHTTP() async throws {
        let env = try await FlowEnvironment.get()
        let scored = TestEvents.scored(locationId: "loc-flow-columbus")
        try await env.publish([scored])
        _ = await env.recorder.waitForAssignments(of: scored.leadId)
        let body = #"{"ownerId": "member-flow-bob", "note": "speaks Spanish"}"#
        let first = try await env.admin.send("POST", "/v1/routing/leads/\(scored.leadId)/assign", json: body, headers: ["idempotency-key": "k-1"])
        #expect(first.status == 200, "\(first.text)")
        let again = try await env.admin.send("POST", "/v1/routing/leads/\(scored.leadId)/assign", json: body, headers: ["idempotency-key": "k-1"])
        #expect(again.status == 200)
        #expect(again.json["eventId"] as? String == first.json["eventId"] as? String)
        #expect(try await env.assignmentCount(scored.leadId) == 2)
        let events = await env.recorder.waitForAssignments(of: scored.leadId, count: 2)
        #expect(events.last?.ownerId == "member-flow-bob")
        #expect(events.last?.actor == Actor(id: "admin-flow", role: .platformAdmin))
        let unknown = try await env.admin.send("POST", "/v1/routing/leads/\(scored.leadId)/assign", json: #"{"ownerId":"member-nobody","note":"x"}"#)
        #expect(unknown.status == 422)
        #expect(unknown.json["field"] as? String == "/ownerId")
        let noNote = try await env.admin.send("POST", "/v1/routing/leads/\(scored.leadId)/assign", json: #"{"ownerId":"member-flow-bob","note":" "}"#)
        #expect(noNote.status == 422)
    }

    @Test("collaborator changes are applied and published")
    func collaborators() async throws {
        let env = try await FlowEnvironment.get()
        let scored = TestEvents.scored(locationId: "loc-flow-columbus")
        try await env.publish([scored])
        let first = try #require(await env.recorder.waitForAssignments(of: scored.leadId).first)
        let change = TestEvents.lifecycle(scored.leadId, .collaboratorsChanged(added: ["member-flow-zoe"], removed: []),
                                          actor: Actor(id: "mgr", role: .manager))
        try await env.publish([change])
        let second = try #require(await env.recorder.waitForAssignments(of: scored.leadId, count: 2).last)
        #expect(second.ownerId == first.ownerId)
        #expect(second.previousOwnerId == nil)
        #expect(second.lead?.collaborators == ["member-flow-zoe"])
        #expect(second.reason == "collaborators changed by manager mgr: added member-flow-zoe")
    }

    @Test("capacity: a full member is skipped (the lead waits in the queue) until a closed lead frees room")
    func capacityAndQueue() async throws {
        let env = try await FlowEnvironment.get()
        let lead1 = TestEvents.scored(postalCode: "45402")
        try await env.publish([lead1])
        #expect(await env.recorder.waitForAssignments(of: lead1.leadId).first?.ownerId == "member-flow-cap")
        let lead2 = TestEvents.scored(postalCode: "45403")
        try await env.publish([lead2])
        let queued = try #require(await env.recorder.waitForAssignments(of: lead2.leadId).first)
        #expect(queued.ownerId == nil)
        #expect(queued.locationId == "loc-flow-dayton")  // the queue stays attached to the location chosen
        #expect(queued.responseDueAt == nil)
        #expect(queued.isFallback)
        #expect(queued.strategy == .fallback)
        #expect(queued.candidates.contains { $0.memberId == "member-flow-cap" && $0.reason == "at capacity 1/1" })
        let queue = try await env.admin.get("/v1/routing/queue?queue=unassigned&limit=500")
        #expect(queue.status == 200)
        let ids = (queue.json["items"] as? [[String: Any]] ?? []).compactMap { $0["leadId"] as? String }
        #expect(ids.contains(lead2.leadId.description))
        // Dayton's manager sees the lead waiting in the queue; another location's manager does not.
        for (location, visible) in [("loc-flow-dayton", true), ("loc-flow-columbus", false)] {
            let manager = RoutingClient(baseURL: env.service.baseURL, token: try await TestAuth.token(.manager, id: "mgr", locations: [location]))
            let scoped = try await manager.get("/v1/routing/queue?limit=500")
            #expect(scoped.status == 200)
            #expect(scoped.text.contains(lead2.leadId.description) == visible, "\(location)")
        }

        let closed = TestEvents.lifecycle(lead1.leadId, .pipelineStatusChanged(pipelineId: "default", from: .new, to: .closedWon, lostReason: nil, note: nil))
        try await env.publish([closed])
        #expect(try await env.waitUntilApplied(closed.eventId))
        let lead3 = TestEvents.scored(postalCode: "45404")
        try await env.publish([lead3])
        #expect(await env.recorder.waitForAssignments(of: lead3.leadId).first?.ownerId == "member-flow-cap")
    }

    @Test("erasure scrubs the snapshot and stops work on the lead")
    func erasure() async throws {
        let env = try await FlowEnvironment.get()
        let scored = TestEvents.scored(locationId: "loc-flow-columbus")
        try await env.publish([scored])
        _ = await env.recorder.waitForAssignments(of: scored.leadId)
        let erased = TestEvents.lifecycle(scored.leadId, .erased)
        try await env.publish([erased])
        #expect(try await env.waitUntilApplied(erased.eventId))
        let named = try await RoutingDatabase.count(env.database, """
            SELECT count(*) FROM routing.leads WHERE lead_id = '\(scored.leadId)'
              AND (lead::text LIKE '%pat@example.com%' OR lead::text LIKE '%Pat%' OR is_open OR response_due_at IS NOT NULL)
            """)
        #expect(named == 0)
    }

    @Test("input that can never be routed is dead-lettered with a reason, and routing goes on")
    func deadLetters() async throws {
        let env = try await FlowEnvironment.get()
        var noSnapshot = TestEvents.scored()
        noSnapshot.lead = nil
        try await env.publish([noSnapshot])
        let garbage = OutgoingMessage(
            topic: env.prefix + Topic.scored.name, key: "x", value: Array("{not json".utf8),
            headers: [KafkaHeader(key: "ce_id", string: UUID().uuidString), KafkaHeader(key: "ce_type", string: LeadScored.eventType),
                      KafkaHeader(key: "ce_specversion", string: "1.0"), KafkaHeader(key: "ce_source", string: "/test")])
        _ = try await env.producer.send(garbage)
        // Hostile values inside a valid event are data, never SQL: the lead is routed by territory.
        var hostile = TestEvents.scored(locationId: "x'); DROP TABLE routing.leads; --", postalCode: "44103")
        hostile.lead?.customFields["vendorName"] = .string(String(repeating: "\u{202E}ü💥", count: 2000))
        try await env.publish([hostile])
        let after = TestEvents.scored(locationId: "loc-flow-columbus")
        try await env.publish([after])
        let letters = await env.recorder.wait { events in events.compactMap(\.deadLetter).filter { $0.stage == .routing }.count >= 2 }
            .compactMap(\.deadLetter).filter { $0.stage == .routing }
        #expect(letters.contains { $0.errorCode == "missing_lead_snapshot" })
        #expect(letters.contains { $0.errorCode != "missing_lead_snapshot" })
        #expect(await env.recorder.waitForAssignments(of: after.leadId).count == 1)
        let routedHostile = try #require(await env.recorder.waitForAssignments(of: hostile.leadId).first)
        #expect(routedHostile.locationId == "loc-flow-cleveland")
        #expect(routedHostile.reason.contains("no configured location"))
        #expect(routedHostile.reason.count < 1000)  // the lead's junk is quoted, not copied whole
    }
}
