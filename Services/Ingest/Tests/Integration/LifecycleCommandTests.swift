import Foundation
import LeadIntegrationSupport
import LeadModel
import LeadServiceKit
import LeadTestSupport
import Testing
@testable import LeadIngest

/// Every lifecycle command through HTTP: validated with the transition rules under a row lock,
/// published to `leads.lifecycle` with the caller as actor.
@Suite("Lifecycle commands (real Tansu + PostgreSQL)")
struct LifecycleCommandTests {
    static let location = "loc-life"

    func manager() async throws -> [String: String] {
        try await IngestHarness.bearer(.manager, id: "mgr-life", locations: [Self.location])
    }

    func send(_ ingest: IngestHarness, _ leadId: LeadID, _ path: String, _ body: String, headers: [String: String]) async throws -> TestHTTPResponse {
        try await ingest.post("/v1/leads/\(leadId)/\(path)", body, headers: headers)
    }

    func changes(_ ingest: IngestHarness, _ leadId: LeadID, count: Int) async -> [LifecycleChange] {
        await ingest.lifecycleEvents(for: leadId, atLeast: count).map(\.change)
    }

    @Test("status, stage, notes, activities, vehicles, trade-ins, collaborators: each publishes its change with the actor")
    func basicCommands() async throws {
        let ingest = try await SharedIngest.get()
        let leadId = try await ingest.manualLead(location: Self.location)
        let headers = try await manager()
        let steps: [(String, String, LifecycleChange.Kind)] = [
            ("status", #"{"to":"contacted"}"#, .pipelineStatusChanged),
            ("stage", #"{"to":"quote"}"#, .stageChanged),
            ("notes", #"{"text":"Called twice.\nPrefers mornings. <b>not html</b>"}"#, .noteAdded),
            ("activities", #"{"kind":"call","direction":"outbound","outcome":"connected","summary":"Talked price","durationSeconds":300}"#, .activityLogged),
            ("vehicles", #"{"year":2025,"make":"Ford","model":"Mustang Mach-E","price":{"amount":"48995","currency":"USD"},"isPreferred":true}"#, .vehicleAdded),
            ("trade-ins", #"{"year":2015,"make":"Honda","model":"Civic","mileage":"98,000","condition":"fair","valuation":"$6,500"}"#, .tradeInAdded),
            ("collaborators", #"{"add":["member-2","member-3"]}"#, .collaboratorsChanged),
        ]
        for (path, body, kind) in steps {
            let response = try await send(ingest, leadId, path, body, headers: headers)
            #expect(response.status == 202, "\(path): \(response.text)")
            #expect((response.json["changes"] as? [String]) == [kind.rawValue], "\(path)")
        }
        let events = await ingest.lifecycleEvents(for: leadId, atLeast: steps.count)
        #expect(events.map(\.change.kind) == steps.map(\.2))
        #expect(events.allSatisfy { $0.actor == Actor(id: "mgr-life", role: .manager) })
        #expect(events.map(\.change).contains(.pipelineStatusChanged(pipelineId: "default", from: .new, to: .contacted, lostReason: nil, note: nil)))
        #expect(events.map(\.change).contains(.noteAdded(text: "Called twice.\nPrefers mornings. <b>not html</b>")))
        guard case .vehicleAdded(let vehicle)? = events.first(where: { $0.change.kind == .vehicleAdded })?.change else {
            Issue.record("no vehicle")
            return
        }
        #expect(vehicle.vehicleType == "ev")
        guard case .tradeInAdded(let tradeIn)? = events.first(where: { $0.change.kind == .tradeInAdded })?.change else {
            Issue.record("no trade-in")
            return
        }
        #expect(tradeIn.mileage == 98_000 && tradeIn.valuation == Money(amount: 6500, currency: "USD"))
    }

    @Test("transition rules: illegal moves 409, lost without a reason 422, nothing published")
    func transitionRules() async throws {
        let ingest = try await SharedIngest.get()
        let leadId = try await ingest.manualLead(location: Self.location)
        let headers = try await manager()
        let lost = try await send(ingest, leadId, "status", #"{"to":"closed_lost"}"#, headers: headers)
        #expect(lost.status == 422)
        #expect(lost.json["code"] as? String == "lost_reason_required")
        #expect(lost.json["field"] as? String == "/lostReason")
        let other = try await send(ingest, leadId, "status", #"{"to":"closed_lost","lostReason":"other"}"#, headers: headers)
        #expect(other.json["code"] as? String == "note_required")
        let unknown = try await send(ingest, leadId, "status", #"{"to":"teleported"}"#, headers: headers)
        #expect(unknown.status == 422)
        let done = try await send(ingest, leadId, "status", #"{"to":"closed_lost","lostReason":"price_too_high"}"#, headers: headers)
        #expect(done.status == 202)
        let reopen = try await send(ingest, leadId, "status", #"{"to":"contacted"}"#, headers: headers)
        #expect(reopen.status == 409)
        #expect(reopen.json["code"] as? String == "terminal_status")
        let back = try await send(ingest, leadId, "stage", #"{"to":"lead"}"#, headers: headers)
        #expect(back.status == 409)
        let noLocationResponse = try await send(ingest, leadId, "location-response", #"{"to":"teleported"}"#, headers: headers)
        #expect(noLocationResponse.status == 422)
        let events = await ingest.lifecycleEvents(for: leadId)
        try await Task.sleep(for: .milliseconds(300))
        #expect(ingest.lifecycle.events.compactMap(\.lifecycle).filter { $0.leadId == leadId }.count == events.count)
        #expect(events.map(\.change) == [.pipelineStatusChanged(pipelineId: "default", from: .new, to: .closedLost, lostReason: .priceTooHigh, note: nil)])
    }

    @Test("tasks complete once with a comment and the next follow-up; appointments are kept or missed once")
    func tasksAndAppointments() async throws {
        let ingest = try await SharedIngest.get()
        let leadId = try await ingest.manualLead(location: Self.location)
        let headers = try await manager()
        let task = try await send(ingest, leadId, "tasks", #"{"title":"Call back","dueAt":"2030-01-02T09:00:00Z","category":"manual","assigneeId":"member-2"}"#, headers: headers)
        #expect(task.status == 202, "\(task.text)")
        let taskId = try #require(task.json["taskId"] as? String)
        let missingComment = try await send(ingest, leadId, "tasks/\(taskId)/complete", #"{"comment":"  "}"#, headers: headers)
        #expect(missingComment.status == 422)
        let complete = try await send(ingest, leadId, "tasks/\(taskId)/complete", #"{"comment":"Reached her","nextFollowUpAt":"2030-01-09T09:00:00+01:00"}"#, headers: headers)
        #expect(complete.status == 202)
        let twice = try await send(ingest, leadId, "tasks/\(taskId)/complete", #"{"comment":"again"}"#, headers: headers)
        #expect(twice.status == 409)
        #expect(try await send(ingest, leadId, "tasks/nope/complete", #"{"comment":"x"}"#, headers: headers).status == 404)

        let appointment = try await send(ingest, leadId, "appointments", #"{"at":"2030-01-05T15:00:00Z","kind":"test_drive","locationId":"loc-life"}"#, headers: headers)
        #expect(appointment.status == 202)
        let appointmentId = try #require(appointment.json["appointmentId"] as? String)
        let outcome = try await send(ingest, leadId, "appointments/\(appointmentId)/outcome", #"{"outcome":"no_show"}"#, headers: headers)
        #expect(outcome.status == 202)
        #expect(try await send(ingest, leadId, "appointments/\(appointmentId)/outcome", #"{"kept":true}"#, headers: headers).status == 409)

        let recorded = await changes(ingest, leadId, count: 4)
        #expect(recorded.contains(.taskCompleted(taskId: taskId, comment: "Reached her", nextFollowUpAt: LeadflowJSON.parseDate("2030-01-09T08:00:00Z"))))
        #expect(recorded.contains(.appointmentOutcome(appointmentId: appointmentId, kept: false)))
    }

    @Test("assignment from leads.assigned, location responses, manual reassignment and conversion")
    func assignmentAndConversion() async throws {
        let ingest = try await SharedIngest.get()
        let (_, key) = try await ingest.createSource()
        let created = try await ingest.post("/v1/leads", #"{"email":"\#(UUID().uuidString.prefix(8))@example.com","name":"Routed Lead"}"#, headers: ["x-api-key": key])
        let leadId = try #require((created.json["leadId"] as? String).flatMap(LeadID.init))
        let headers = try await manager()
        // Not yet routed: outside the manager's scope.
        #expect(try await send(ingest, leadId, "notes", #"{"text":"hi"}"#, headers: headers).status == 404)
        try await TestKafka.publish([LeadAssigned(
            leadId: leadId, occurredAt: Date(), locationId: Self.location, teamId: "team-1", ownerId: "member-9",
            strategy: .roundRobin, reason: "next in rotation", causationEventId: UUID())], prefix: ingest.prefix, producer: ingest.producer)
        let routed = await eventually(timeout: .seconds(30)) {
            (try? await send(ingest, leadId, "notes", #"{"text":"now mine"}"#, headers: headers).status) == 202
        }
        #expect(routed)
        let salesperson = try await IngestHarness.bearer(.salesperson, id: "member-9")
        #expect(try await send(ingest, leadId, "location-response", #"{"to":"accepted","followUpDelay":{"kind":"custom","seconds":5400}}"#, headers: salesperson).status == 202)
        #expect(try await send(ingest, leadId, "assignment", #"{"ownerId":"member-10","note":"vacation"}"#, headers: salesperson).status == 403)
        let noNote = try await send(ingest, leadId, "assignment", #"{"ownerId":"member-10"}"#, headers: headers)
        #expect(noNote.status == 422)
        #expect(noNote.json["field"] as? String == "/note")
        #expect(try await send(ingest, leadId, "assignment", #"{"ownerId":"member-10","locationId":"loc-elsewhere","note":"x"}"#, headers: headers).status == 403)
        #expect(try await send(ingest, leadId, "assignment", #"{"ownerId":"member-10","note":"Covering while member-9 is away"}"#, headers: headers).status == 202)
        // The previous owner no longer reaches the lead.
        #expect(try await send(ingest, leadId, "notes", #"{"text":"still mine?"}"#, headers: salesperson).status == 404)
        let conversion = try await send(ingest, leadId, "conversion", """
            {"vehicleSold":{"year":2024,"make":"Honda","model":"CR-V","vin":"7FARW2H89RE012345"},"finalPrice":{"amount":"34250.00","currency":"USD"},
             "financing":{"method":"finance","lender":"Ally"},"deliveryDate":"2030-02-01T10:00:00Z"}
            """, headers: headers)
        #expect(conversion.status == 202, "\(conversion.text)")
        #expect((conversion.json["changes"] as? [String]) == ["pipeline_status_changed", "converted"])
        #expect(conversion.json["pipelineStatus"] as? String == "closed_won")
        let recorded = await changes(ingest, leadId, count: 5)
        #expect(recorded.contains(.locationResponseChanged(locationId: Self.location, from: .unacknowledged, to: .accepted, note: nil, followUpDelay: .custom(seconds: 5400))))
        #expect(recorded.contains(.manuallyAssigned(ownerId: "member-10", locationId: nil, note: "Covering while member-9 is away")))
        #expect(recorded.contains { if case .converted(let c) = $0 { c.finalPrice == Money(amount: Decimal(string: "34250.00")!, currency: "USD") } else { false } })
    }

    @Test("erasure: personal data leaves ingest's tables, the erased event carries none, later commands get 410")
    func erasure() async throws {
        let ingest = try await SharedIngest.get()
        let email = "erase-\(UUID().uuidString.prefix(8).lowercased())@example.com"
        let leadId = try await ingest.manualLead(location: Self.location, email: email)
        let headers = try await manager()
        #expect(try await send(ingest, leadId, "notes", #"{"text":"before erasure"}"#, headers: headers).status == 202)
        _ = await ingest.receivedEvent(for: leadId)
        let published = await eventually(timeout: .seconds(30)) { (try? await ingest.unpublishedOutboxRows(for: leadId)) == 0 }
        #expect(published)
        let salesperson = try await IngestHarness.bearer(.salesperson, id: "someone")
        #expect(try await TestHTTP.request("DELETE", ingest.baseURL + "/v1/leads/\(leadId)", headers: salesperson).status == 404)
        let erased = try await TestHTTP.request("DELETE", ingest.baseURL + "/v1/leads/\(leadId)", headers: headers)
        #expect(erased.status == 202, "\(erased.text)")
        let events = await ingest.lifecycleEvents(for: leadId, atLeast: 2)
        let erasedEvent = try #require(events.first { $0.change == .erased })
        let body = String(decoding: try LeadflowJSON.encode(erasedEvent), as: UTF8.self)
        #expect(!body.contains(email) && !body.contains("Pat"))
        let leftovers = try await ingest.query { client in
            var found: [String] = []
            for try await text in try await client.query("""
                SELECT snapshot::text FROM ingest.leads WHERE id = \(leadId.uuid)
                UNION ALL SELECT key FROM ingest.dedup_keys WHERE lead_id = \(leadId.uuid)
                UNION ALL SELECT convert_from(payload, 'UTF8') FROM ingest.outbox WHERE message_key = \(leadId.description)
                """).decode(String.self) {
                found.append(text)
            }
            return found
        }
        #expect(leftovers.allSatisfy { !$0.contains(email) && !$0.contains("Pat Doe") && !$0.contains("\"Pat\"") }, "\(leftovers)")
        #expect(leftovers.first?.contains(Self.location) == true)  // anonymous facts stay
        let after = try await send(ingest, leadId, "notes", #"{"text":"after"}"#, headers: headers)
        #expect(after.status == 410)
        #expect(after.json["code"] as? String == "lead_erased")
        // The same person arriving again is a new lead: nothing links back to the erased one.
        let again = try await ingest.post("/v1/leads", #"{"email":"\#(email)"}"#, headers: ingest.admin)
        #expect(again.json["outcome"] as? String == "created")
    }

    @Test("Idempotency-Key replays the first answer instead of acting twice")
    func idempotency() async throws {
        let ingest = try await SharedIngest.get()
        let leadId = try await ingest.manualLead(location: Self.location)
        var headers = try await manager()
        headers["idempotency-key"] = "note-\(UUID())"
        let first = try await send(ingest, leadId, "notes", #"{"text":"once"}"#, headers: headers)
        let second = try await send(ingest, leadId, "notes", #"{"text":"once"}"#, headers: headers)
        #expect(first.status == 202 && second.status == 202)
        #expect(first.json["eventIds"] as? [String] == second.json["eventIds"] as? [String])
        let other = try await ingest.manualLead(location: Self.location)
        #expect(try await send(ingest, other, "notes", #"{"text":"once"}"#, headers: headers).status == 409)
        _ = await ingest.lifecycleEvents(for: leadId)
        try await Task.sleep(for: .milliseconds(300))
        #expect(ingest.lifecycle.events.compactMap(\.lifecycle).filter { $0.leadId == leadId }.count == 1)
    }

    @Test("command bodies: unknown fields, wrong types, bad ids and hostile input are refused with field and rule")
    func hostileCommands() async throws {
        let ingest = try await SharedIngest.get()
        let leadId = try await ingest.manualLead(location: Self.location)
        let headers = try await manager()
        let cases: [(String, String, Int, String?)] = [
            ("notes", #"{"text":"x","extra":1}"#, 422, "/extra"),
            ("notes", #"{"text":5}"#, 422, "/text"),
            ("notes", "{\"text\":\"\u{7}bell\"}", 400, nil),
            ("notes", String(repeating: "[", count: 100), 400, nil),
            ("collaborators", #"{"add":["has space"]}"#, 422, "/add/0"),
            ("tasks", #"{"title":"x","dueAt":"tomorrow"}"#, 422, "/dueAt"),
            ("activities", #"{"kind":"telepathy"}"#, 422, "/kind"),
            ("location-response", #"{"to":"accepted","followUpDelay":{"kind":"custom","seconds":-5}}"#, 422, "/followUpDelay/seconds"),
        ]
        for (path, body, status, field) in cases {
            let response = try await send(ingest, leadId, path, body, headers: headers)
            #expect(response.status == status, "\(path) \(body): \(response.text)")
            if let field { #expect(response.json["field"] as? String == field, "\(path) \(body): \(response.text)") }
        }
        #expect(try await ingest.post("/v1/leads/not-a-uuid/notes", #"{"text":"x"}"#, headers: headers).status == 404)
        #expect(try await ingest.post("/v1/leads/\(LeadID())/notes", #"{"text":"x"}"#, headers: ingest.admin).status == 404)
    }
}
