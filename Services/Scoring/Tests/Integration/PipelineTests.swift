import Foundation
import LeadIntegrationSupport
import LeadMessaging
import LeadModel
import LeadServiceKit
import LeadTestSupport
import Testing
@testable import LeadScoring

/// `leads.received` and `leads.lifecycle` through the real broker and database, read back from
/// `leads.scored` and `leads.deadletter`.
@Suite("Scoring pipeline (real Tansu + PostgreSQL)")
struct PipelineTests {
    @Test("a new lead is scored and published with its snapshot, factors, rules version and cause")
    func newLead() async throws {
        let harness = try await ScoringHarness.shared()
        let received = Fixtures.received(Fixtures.hotLead(createdAt: harness.now), at: harness.now)
        try await harness.publish([received])
        let scored = try #require(await harness.waitForScores(received.leadId, count: 1).first)
        #expect(scored.score == 65 && scored.priority == .hot)
        #expect(scored.rulesVersion == 1 && scored.modelKind == .rules)
        #expect(scored.causationEventId == received.eventId)
        #expect(scored.previousScore == nil)
        #expect(scored.factors.count == ScoringFactor.allCases.count)
        #expect(scored.factors.first { $0.key == "intent.specific_vehicle" }?.contribution == 12)
        let snapshot = try #require(scored.lead)
        #expect(snapshot.id == received.leadId && snapshot.score == 65 && snapshot.priority == .hot)
        #expect(snapshot.contacts == received.lead.contacts)
        // The CloudEvents headers and key of the published message.
        let message = try #require(harness.output.all.first { $0.event?.scored?.eventId == scored.eventId }?.message)
        #expect(message.keyString == received.leadId.description)
        #expect(message.header("ce_type") == LeadScored.eventType)
        #expect(message.header("ce_subject") == received.leadId.description)
    }

    @Test("lifecycle events rescore; an unchanged score is not re-published; a priority change is")
    func rescoring() async throws {
        let harness = try await ScoringHarness.shared()
        let lead = Fixtures.coldLead(createdAt: harness.now)
        let received = Fixtures.received(lead, at: harness.now)
        try await harness.publish([received])
        let first = try #require(await harness.waitForScores(lead.id, count: 1).first)
        #expect(first.score == 8 + 4 + 6 + 5 && first.priority == .cold)

        let at = harness.now
        let note = Fixtures.lifecycle(lead.id, .noteAdded(text: "left a voicemail"), at: at)
        let task = Fixtures.lifecycle(lead.id, .taskCreated(LeadTask(id: "t1", title: "call back", dueAt: at)), at: at)
        let phone = Fixtures.lifecycle(lead.id, .duplicateInquiry(DuplicateInquiry(
            lead: Lead(contacts: ContactInfo(phones: [PhoneNumber(raw: "614-555-0100", e164: "+16145550100")]),
                       source: lead.source, createdAt: at),
            intake: Intake(channel: .json, sourceId: lead.source.id, receivedAt: at), matchedOn: [.email])), at: at)
        let reply = Fixtures.lifecycle(lead.id, Fixtures.reply(at: at), at: at)
        let appointment = Fixtures.lifecycle(
            lead.id, .appointmentScheduled(Appointment(id: "a1", at: at.addingTimeInterval(86_400), kind: .testDrive)), at: at)
        let note2 = Fixtures.lifecycle(lead.id, .noteAdded(text: "confirmed by phone"), at: at)
        try await harness.publish([note, task, phone, reply, appointment, note2])
        // The last change that moves the score is the appointment; wait for it, then a little for strays.
        await harness.output.wait { events in
            events.compactMap(\.scored).contains { $0.causationEventId == appointment.eventId }
        }
        let scores = harness.scored(lead.id)
        #expect(scores.map(\.causationEventId) == [received.eventId, phone.eventId, reply.eventId, appointment.eventId])
        #expect(scores.map(\.score) == [23, 31, 36, 46])
        #expect(scores.map(\.priority) == [.cold, .medium, .medium, .medium])
        #expect(scores.dropFirst().map(\.previousScore) == [23, 31, 36])
        #expect(scores[1].previousPriority == .cold && scores[1].priority == .medium)
        #expect(scores.last?.lead?.contacts.phones.count == 1, "the snapshot took over the repeat inquiry's phone")

        // The notes after the last change: still nothing published for them.
        let later = Fixtures.lifecycle(lead.id, Fixtures.reply(at: at), at: at)
        try await harness.publish([later])
        await harness.waitForScores(lead.id, count: 5)
        #expect(!harness.scored(lead.id).contains { [note.eventId, task.eventId, note2.eventId].contains($0.causationEventId) })
    }

    @Test("a redelivered event (same id) is applied once")
    func redelivery() async throws {
        let harness = try await ScoringHarness.shared()
        let lead = Fixtures.coldLead(createdAt: harness.now)
        let received = Fixtures.received(lead, at: harness.now)
        let call = Fixtures.lifecycle(lead.id, Fixtures.connectedCall(at: harness.now), at: harness.now)
        try await harness.publish([received])
        await harness.waitForScores(lead.id, count: 1)  // so the call is not folded into the first score
        let marker = Fixtures.lifecycle(lead.id, Fixtures.reply(at: harness.now), at: harness.now)
        try await harness.publish([call, call, marker])
        let scores = await harness.waitForScores(lead.id, count: 3)
        #expect(scores.map(\.causationEventId) == [received.eventId, call.eventId, marker.eventId])
        #expect(scores.map(\.score) == [23, 29, 34], "the call counted once")
    }

    @Test("lifecycle events that arrive before the lead are applied when it arrives")
    func lifecycleFirst() async throws {
        let harness = try await ScoringHarness.shared()
        let lead = Fixtures.coldLead(createdAt: harness.now)
        let call = Fixtures.lifecycle(lead.id, Fixtures.connectedCall(at: harness.now), at: harness.now)
        try await harness.publish([call])
        // The call is held (no score without the lead): give it time to be consumed first.
        let held = try await TestDatabase.withClient(database: harness.database) { client in
            try await eventually(timeout: .seconds(30)) {
                let rows = try? await client.query("SELECT count(*)::int FROM scoring.leads WHERE lead_id = \(lead.id.uuid)")
                var count = 0
                if let rows { for try await value in rows.decode(Int.self) { count = value } }
                return count == 1
            }
        }
        #expect(held)
        #expect(try await harness.request("GET", "/v1/scores/\(lead.id)", as: ScoringHarness.admin).status == 404)
        #expect(harness.scored(lead.id).isEmpty)
        let received = Fixtures.received(lead, at: harness.now)
        try await harness.publish([received])
        let scored = try #require(await harness.waitForScores(lead.id, count: 1).first)
        #expect(scored.score == 23 + 6 && scored.causationEventId == received.eventId)
    }

    @Test("invalid events on the input topics go to the dead-letter topic and the stream goes on")
    func deadLetters() async throws {
        let harness = try await ScoringHarness.shared()
        let key = LeadID().description
        let goodHeaders = { (type: String, id: String) -> [(String, String)] in
            [("ce_specversion", "1.0"), ("ce_id", id), ("ce_type", type), ("ce_source", "/hostile"), ("ce_subject", key)]
        }
        let garbageId = UUID().uuidString.lowercased()
        try await harness.publishRaw(topic: .received, key: key, value: Array("{not json".utf8),
                                     headers: goodHeaders(LeadReceived.eventType, garbageId))
        try await harness.publishRaw(topic: .lifecycle, key: key, value: [0xFF, 0xFE, 0x00, 0x80],
                                     headers: goodHeaders(LeadLifecycleEvent.eventType, UUID().uuidString))
        try await harness.publishRaw(topic: .lifecycle, key: key, value: Array("{}".utf8), headers: [])
        let wrongType = LeadScored(leadId: LeadID(key)!, occurredAt: harness.now, score: 50, rulesVersion: 1, factors: [],
                                   causationEventId: UUID())
        let encoded = try EventEncoder(source: "/hostile", topicPrefix: harness.prefix).record(wrongType)
        try await harness.publishRaw(topic: .lifecycle, key: encoded.key, value: encoded.payload,
                                     headers: encoded.headers.map { ($0.key, $0.value) })
        let deep = String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000)
        try await harness.publishRaw(topic: .received, key: key, value: Array(deep.utf8),
                                     headers: goodHeaders(LeadReceived.eventType, UUID().uuidString))
        let mismatched = Fixtures.received(Fixtures.coldLead(createdAt: harness.now), at: harness.now)
        let record = try EventEncoder(source: "/hostile", topicPrefix: harness.prefix).record(mismatched)
        try await harness.publishRaw(topic: .received, key: LeadID().description, value: record.payload,
                                     headers: record.headers.map { ($0.key, $0.value) })
        // A valid lead behind them, on the same key's partition.
        let good = Fixtures.received(Fixtures.hotLead(id: LeadID(key)!, createdAt: harness.now), at: harness.now)
        try await harness.publish([good])

        let scored = await harness.waitForScores(good.leadId, count: 1)
        #expect(scored.first?.causationEventId == good.eventId)
        let letters = await harness.output.wait { events in
            events.compactMap(\.deadLetter).filter { $0.stage == .scoring && ($0.originalKey == key || $0.leadId == mismatched.leadId) }.count >= 6
        }.compactMap(\.deadLetter).filter { $0.stage == .scoring && ($0.originalKey == key || $0.leadId == mismatched.leadId) }
        let codes = Set(letters.map(\.errorCode))
        #expect(codes.isSuperset(of: ["invalid_json", "missing_header", "unexpected_event_type", "key_mismatch"]), "\(codes)")
        let garbage = try #require(letters.first { $0.originalHeaders["ce_id"] == garbageId })
        #expect(garbage.originalValue == Array("{not json".utf8), "the original bytes are kept")
        #expect(garbage.originalTopic == harness.prefix + Topic.received.name)
    }

    @Test("hostile lead content (NUL bytes, injection strings, huge text, odd Unicode) is scored, not choked on")
    func hostileContent() async throws {
        let harness = try await ScoringHarness.shared()
        var lead = Fixtures.coldLead(createdAt: harness.now)
        lead.comments = "price?\u{0}'); DROP TABLE scoring.leads; --" + String(repeating: "🚗\u{202E}", count: 20_000)
        lead.source = LeadSource(id: "src-\u{0}-x'--", channel: .json)
        lead.customFields = ["\u{0}key": .string("\u{0}"), "financing": .list([.string("yes"), .number(1e30)])]
        lead.fullName = PersonName(full: String(repeating: "Ω", count: 10_000))
        let received = Fixtures.received(lead, at: harness.now)
        try await harness.publish([received])
        let scored = try #require(await harness.waitForScores(lead.id, count: 1).first)
        #expect(scored.factors.first { $0.key == "intent.pricing_or_financing" }?.contribution == 6)
        #expect(scored.lead?.comments == lead.comments, "the snapshot keeps the text as it came")
        let explained = try await harness.request("GET", "/v1/scores/\(lead.id)", as: ScoringHarness.admin)
        #expect(explained.status == 200)
    }

    @Test("GET /v1/scores/{leadId} explains why the lead is Hot")
    func explanation() async throws {
        let harness = try await ScoringHarness.shared()
        let received = Fixtures.received(Fixtures.hotLead(createdAt: harness.now), at: harness.now)
        try await harness.publish([received])
        let scored = try #require(await harness.waitForScores(received.leadId, count: 1).first)
        let response = try await harness.request("GET", "/v1/scores/\(received.leadId)", as: ScoringHarness.admin)
        #expect(response.status == 200)
        let body = try LeadflowJSON.decode(ScoreExplanation.self, from: response.body)
        #expect(body.score == 65 && body.priority == .hot && body.modelKind == .rules && body.rulesVersion == 1)
        #expect(body.thresholds == PriorityThresholds())
        #expect(body.factors == scored.factors)
        #expect(body.summary.hasPrefix("Hot: 65 is at or above 60 (rules v1). Most weight: Specific vehicle +12, Purchase timeline +12, Qualified budget +10."))
        #expect(body.causationEventId == received.eventId)
        #expect(body.changes.map(\.eventId) == [scored.eventId])
        #expect(!response.text.contains("hot@example.com"), "the explanation carries no contact details")

        let unknown = try await harness.request("GET", "/v1/scores/\(LeadID())", as: ScoringHarness.admin)
        #expect(unknown.status == 404 && unknown.json["code"] as? String == "not_found")
        let malformed = try await harness.request("GET", "/v1/scores/not-a-uuid", as: ScoringHarness.admin)
        #expect(malformed.status == 404)
        let injection = try await harness.request("GET", "/v1/scores/'%20OR%201=1--", as: ScoringHarness.admin)
        #expect(injection.status == 404)
    }
}
