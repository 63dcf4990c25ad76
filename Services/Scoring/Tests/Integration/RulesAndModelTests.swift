import Foundation
import LeadIntegrationSupport
import LeadModel
import LeadServiceKit
import LeadTestSupport
import Testing
@testable import LeadScoring

/// Rule changes, rescoring and the learned model, through HTTP, the broker and the database. The
/// suite has a service of its own (rule changes reach every lead of a service) and runs in order.
@Suite("Scoring rules and learned model (real Tansu + PostgreSQL)", .serialized)
final class RulesAndModelTests {
    let harness: ScoringHarness
    let admin = ScoringHarness.admin

    init() async throws {
        harness = try await ScoringHarness.start()
    }

    deinit {
        let harness = self.harness
        Task { await harness.stop() }
    }

    func currentVersion() async throws -> Int {
        let response = try await harness.request("GET", "/v1/scoring/rules", as: admin)
        return response.json["version"] as? Int ?? -1
    }

    @Test("a rule change scores later events with the new version; existing scores change on POST /v1/scoring/rescore")
    func ruleChangeAndRescore() async throws {
        let current = try await harness.request("GET", "/v1/scoring/rules", as: admin)
        #expect(current.status == 200)
        let version = try #require(current.json["version"] as? Int)
        #expect(current.headers["etag"] == "\"\(version)\"")
        #expect((current.json["rules"] as? [String: Any])?["thresholds"] != nil)

        let a = Fixtures.received(Fixtures.coldLead(createdAt: harness.now), at: harness.now)
        let b = Fixtures.received(Fixtures.hotLead(createdAt: harness.now), at: harness.now)
        let untouched = Fixtures.received(Fixtures.hotLead(createdAt: harness.now), at: harness.now)
        try await harness.publish([a, b, untouched])
        let aBefore = try #require(await harness.waitForScores(a.leadId, count: 1).first)
        let bBefore = try #require(await harness.waitForScores(b.leadId, count: 1).first)
        await harness.waitForScores(untouched.leadId, count: 1)

        // E-mail 30 points, phone none (GET → edit → PUT, with the version read).
        var rules = try LeadflowJSON.decode(RuleSetVersion.self, from: current.body).rules
        rules.contact.email = 30
        rules.contact.phone = 0
        let body = String(decoding: try LeadflowJSON.encode(["rules": rules]), as: UTF8.self)
            .dropLast() + ", \"version\": \(version), \"note\": \"e-mail matters more\"}"
        let saved = try await harness.request("PUT", "/v1/scoring/rules", as: admin, body: String(body))
        #expect(saved.status == 200, "\(saved.text)")
        #expect(saved.json["version"] as? Int == version + 1)
        #expect(saved.json["createdBy"] as? String == "platform_admin:admin-1")
        #expect(saved.json["note"] as? String == "e-mail matters more")

        // The next event of lead a (a note, which alone changes nothing) rescores it with the new rules.
        let note = Fixtures.lifecycle(a.leadId, .noteAdded(text: "rules changed"), at: harness.now)
        try await harness.publish([note])
        let aAfter = try #require(await harness.waitForScores(a.leadId, count: 2).last)
        #expect(aAfter.causationEventId == note.eventId)
        #expect(aAfter.rulesVersion == version + 1 && aAfter.score == aBefore.score + 22)
        // A lead arriving now is scored with the new version.
        let c = Fixtures.received(Fixtures.coldLead(createdAt: harness.now), at: harness.now)
        try await harness.publish([c])
        #expect(await harness.waitForScores(c.leadId, count: 1).first?.rulesVersion == version + 1)
        // Lead b had no event: its score is still the old version's.
        let bExplained = try await harness.request("GET", "/v1/scores/\(b.leadId)", as: admin)
        #expect(bExplained.json["rulesVersion"] as? Int == version)

        // An operator rescoring: b changes (phone 0, e-mail 30: +14) and is re-published; a and c do not change.
        let started = try await harness.request("POST", "/v1/scoring/rescore", as: admin)
        #expect(started.status == 202)
        let jobId = try #require(started.json["id"] as? String)
        #expect(started.headers["location"] == "/v1/scoring/rescore/\(jobId)")
        let finished = await eventually(timeout: .seconds(60)) {
            (try? await harness.request("GET", "/v1/scoring/rescore/\(jobId)", as: self.admin).json["status"] as? String) == "finished"
        }
        #expect(finished)
        let job = try await harness.request("GET", "/v1/scoring/rescore/\(jobId)", as: admin).json
        #expect((job["scanned"] as? Int ?? 0) >= 4)
        let bAfter = try #require(await harness.waitForScores(b.leadId, count: 2).last)
        #expect(bAfter.causationEventId.uuidString.lowercased() == jobId)
        #expect(bAfter.rulesVersion == version + 1 && bAfter.score == bBefore.score + 22 - 8)
        #expect(bAfter.previousScore == bBefore.score)
        #expect(harness.scored(untouched.leadId).count == 2)
        #expect(harness.scored(a.leadId).count == 2, "a was already scored with the new rules")
        #expect(harness.scored(c.leadId).count == 1)

        // The versions are kept, and each one can be read back.
        let versions = try await harness.request("GET", "/v1/scoring/rules/versions", as: admin)
        #expect((versions.json["versions"] as? [[String: Any]])?.first?["version"] as? Int == version + 1)
        let old = try await harness.request("GET", "/v1/scoring/rules/versions/\(version)", as: admin)
        #expect(((old.json["rules"] as? [String: Any])?["contact"] as? [String: Any])?["email"] as? Double == 8)
        #expect(try await harness.request("GET", "/v1/scoring/rules/versions/999", as: admin).status == 404)
    }

    @Test("invalid rules are refused with 422 naming the field and the rule, and change nothing")
    func invalidRules() async throws {
        let before = try await currentVersion()
        let cases: [(body: String, status: Int, code: String, field: String?, rule: String?)] = [
            (#"{"rules": {"thresholds": {"hot": 40, "medium": 50}}}"#, 422, "invalid_rules", "/rules/thresholds/medium", "order"),
            (#"{"rules": {"negative": {"testLead": 10}}}"#, 422, "invalid_rules", "/rules/negative/testLead", "sign"),
            (#"{"rules": {"intent": {"interest": {"teleport": 3}}}}"#, 422, "invalid_rules", "/rules/intent/interest/teleport", "known_key"),
            (#"{"rules": {"contact": {"emial": 3}}}"#, 422, "invalid_rules", "/rules/contact/emial", "unknown_field"),
            (#"{"rules": {}, "extra": true}"#, 422, "invalid_rules", "/extra", "unknown_field"),
            (#"{"rules": {"contact": {"email": "lots"}}}"#, 422, "invalid_field", "/rules/contact/email", "type"),
            (#"{"thresholds": {"hot": 70}}"#, 422, "invalid_rules", "/thresholds", "unknown_field"),
            (#"{"note": "no rules"}"#, 422, "invalid_field", "/rules", "required"),
            (#"{"rules": {"thresholds": {"hot": 1e400}}}"#, 400, "invalid_json", nil, nil),
            ("{not json", 400, "invalid_json", nil, nil),
            (String(repeating: "[", count: 100), 400, "too_deeply_nested", nil, nil),
            (#"{"rules": {}, "version": 0}"#, 409, "rules_version_conflict", "/version", "current_version"),
            (#"{"rules": {"negative": {"duplicateKeywords": ["dup\u0000e"]}}}"#, 422, "invalid_rules",
             "/rules/negative/duplicateKeywords/0", "control_character"),
            (#"{"rules": {}, "note": "a\u0000b"}"#, 422, "invalid_field", "/note", "control_character"),
            (#"{"rules": {"source": {"bySource": {"x'; DROP TABLE scoring.rule_sets; --": 5}}}, "note": "Robert'); --"}"#,
             200, "", nil, nil),
        ]
        var expectedVersion = before
        for item in cases {
            let response = try await harness.request("PUT", "/v1/scoring/rules", as: admin, body: item.body)
            #expect(response.status == item.status, "\(item.body): \(response.text)")
            if item.status == 200 {
                expectedVersion += 1
                continue
            }
            #expect(response.headers["content-type"] == "application/problem+json")
            #expect(response.json["code"] as? String == item.code, "\(item.body): \(response.text)")
            if let field = item.field { #expect(response.json["field"] as? String == field, "\(item.body): \(response.text)") }
            if let rule = item.rule { #expect(response.json["rule"] as? String == rule, "\(item.body): \(response.text)") }
        }
        // Invalid UTF-8 and a body over the limit.
        let invalidUTF8 = try await TestHTTP.request(
            "PUT", harness.service.baseURL + "/v1/scoring/rules",
            headers: ["authorization": TestAuth.bearer(try await TestAuth.token(admin)), "content-type": "application/json"],
            body: [0x7B, 0xFF, 0xFE, 0x7D])
        #expect(invalidUTF8.status == 400 && invalidUTF8.json["code"] as? String == "invalid_utf8")
        let huge = try await harness.request("PUT", "/v1/scoring/rules", as: admin,
                                             body: #"{"note": ""# + String(repeating: "x", count: 300 << 10) + #""}"#)
        #expect(huge.status == 413)
        // If-Match with a stale version.
        let stale = try await harness.request("PUT", "/v1/scoring/rules", as: admin, body: #"{"rules": {}}"#,
                                              headers: ["if-match": "\"0\""])
        #expect(stale.status == 412 && stale.json["code"] as? String == "precondition_failed")
        #expect(try await currentVersion() == expectedVersion, "only the valid (injection-looking) document was saved")
        // The injection-looking source id is kept as data, and the table is still there.
        let stored = try await harness.request("GET", "/v1/scoring/rules", as: admin)
        #expect(stored.text.contains("DROP TABLE"))
        // Restore the defaults for the tests after this one.
        let reset = try await harness.request("PUT", "/v1/scoring/rules", as: admin, body: #"{"rules": {}, "note": "defaults"}"#)
        #expect(reset.status == 200)
    }

    @Test("model endpoints refuse hostile bodies with problems and change nothing")
    func hostileModelBodies() async throws {
        let cases: [(path: String, body: String, status: Int, code: String)] = [
            ("/v1/scoring/model/activate", #"{"version": "1; DROP TABLE scoring.models"}"#, 422, "invalid_field"),
            ("/v1/scoring/model/activate", #"{"version": 1e400}"#, 400, "invalid_json"),
            ("/v1/scoring/model/activate", "{}", 422, "invalid_field"),
            ("/v1/scoring/model/activate", "", 400, "invalid_json"),
            ("/v1/scoring/model/activate", String(repeating: "x", count: 10_000), 413, "body_too_large"),
            ("/v1/scoring/model/train", #"{"l2": -1}"#, 422, "invalid_field"),
            ("/v1/scoring/model/train", #"{"holdoutPercent": "all"}"#, 422, "invalid_field"),
            ("/v1/scoring/model/train", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]", 400, "too_deeply_nested"),
            ("/v1/scoring/model/train", "\u{FF}", 400, "invalid_json"),
        ]
        for item in cases {
            let response = try await harness.request("POST", item.path, as: admin, body: item.body)
            #expect(response.status == item.status, "\(item.path) \(item.body.prefix(60)): \(response.text)")
            #expect(response.json["code"] as? String == item.code, "\(item.path) \(item.body.prefix(60)): \(response.text)")
        }
        let overview = try await harness.request("GET", "/v1/scoring/model", as: admin)
        #expect((overview.json["active"] as? [String: Any])?["kind"] as? String == "rules")
    }

    @Test("training on closed-won/closed-lost history, activation, learned scores, deactivation")
    func learnedModel() async throws {
        let tooFew = try await harness.request("POST", "/v1/scoring/model/train", as: admin, body: #"{"minimumOutcomes": 10}"#)
        #expect(tooFew.status == 422 && tooFew.json["code"] as? String == "not_enough_outcomes")
        let badOptions = try await harness.request("POST", "/v1/scoring/model/train", as: admin, body: #"{"holdoutPercent": 90}"#)
        #expect(badOptions.status == 422 && badOptions.json["field"] as? String == "/holdoutPercent")

        // 160 closed leads: connected calls decide the outcome far more than the hand rules assume.
        var events: [LeadLifecycleEvent] = []
        var received: [LeadReceived] = []
        for i in 0..<160 {
            let lead = i % 3 == 0 ? Fixtures.hotLead(createdAt: harness.now) : Fixtures.coldLead(createdAt: harness.now)
            received.append(Fixtures.received(lead, at: harness.now))
            let called = i % 2 == 0
            if called { events.append(Fixtures.lifecycle(lead.id, Fixtures.connectedCall(at: harness.now), at: harness.now)) }
            let won = called ? (i % 20 != 0) : (i % 20 == 1)
            events.append(Fixtures.lifecycle(lead.id, won ? Fixtures.won() : Fixtures.lost(), at: harness.now))
        }
        try await harness.publish(received)
        try await harness.publish(events)
        let recorded = await eventually(timeout: .seconds(90), every: .milliseconds(500)) {
            let overview = try? await harness.request("GET", "/v1/scoring/model", as: self.admin)
            return (overview?.json["outcomes"] as? [String: Any])?["total"] as? Int == 160
        }
        #expect(recorded)

        // Half the leads held out: the split follows the (random) lead ids, and a 20 % holdout of
        // 32 leads made the measured AUC swing with the draw (0.74 once); 80 leads measure it steadily.
        let trained = try await harness.request("POST", "/v1/scoring/model/train", as: admin, body: #"{"holdoutPercent": 50}"#)
        #expect(trained.status == 201, "\(trained.text)")
        let stored = try LeadflowJSON.decode(StoredModel.self, from: trained.body)
        #expect(!stored.active)
        #expect(stored.report.trainedOn + stored.report.heldOut == 160)
        #expect(stored.report.learned.count == stored.report.heldOut && stored.report.rules.count == stored.report.heldOut)
        #expect((0...1).contains(stored.report.learned.accuracy) && (0...1).contains(stored.report.rules.accuracy))
        #expect((stored.report.learned.auc ?? 0) > 0.75, "\(stored.report.learned)")
        #expect(stored.model.weight(.callsConnected) > 1)
        let version = stored.model.version

        // Not used until activated.
        let before = Fixtures.received(Fixtures.coldLead(createdAt: harness.now), at: harness.now)
        try await harness.publish([before])
        #expect(await harness.waitForScores(before.leadId, count: 1).first?.modelKind == .rules)

        let unknown = try await harness.request("POST", "/v1/scoring/model/activate", as: admin, body: #"{"version": 999}"#)
        #expect(unknown.status == 422 && unknown.json["code"] as? String == "unknown_model")
        let activated = try await harness.request("POST", "/v1/scoring/model/activate", as: admin, body: "{\"version\": \(version)}")
        #expect(activated.status == 200)
        let overview = try await harness.request("GET", "/v1/scoring/model", as: admin)
        #expect((overview.json["active"] as? [String: Any])?["kind"] as? String == "learned")
        #expect((overview.json["active"] as? [String: Any])?["version"] as? Int == version)

        let after = Fixtures.received(Fixtures.coldLead(createdAt: harness.now), at: harness.now)
        try await harness.publish([after])
        let learned = try #require(await harness.waitForScores(after.leadId, count: 1).first)
        #expect(learned.modelKind == .learned)
        #expect(learned.factors.first?.key == LearnedModel.baselineKey)
        let sum = learned.factors.compactMap(\.contribution).reduce(0, +)
        #expect(abs(sum - Double(learned.score)) <= 0.6, "the contributions add up to the score")
        let explained = try await harness.request("GET", "/v1/scores/\(after.leadId)", as: admin)
        #expect(explained.json["modelKind"] as? String == "learned" && explained.json["modelVersion"] as? Int == version)

        // A call now weighs what the history says.
        let call = Fixtures.lifecycle(after.leadId, Fixtures.connectedCall(at: harness.now), at: harness.now)
        try await harness.publish([call])
        let afterCall = try #require(await harness.waitForScores(after.leadId, count: 2).last)
        #expect(afterCall.score > learned.score + 10 && afterCall.modelKind == .learned)

        let deactivated = try await harness.request("POST", "/v1/scoring/model/deactivate", as: admin)
        #expect(deactivated.status == 200)
        let last = Fixtures.received(Fixtures.coldLead(createdAt: harness.now), at: harness.now)
        try await harness.publish([last])
        #expect(await harness.waitForScores(last.leadId, count: 1).first?.modelKind == .rules)
    }
}
