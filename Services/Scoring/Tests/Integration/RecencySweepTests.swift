import Foundation
import LeadIntegrationSupport
import LeadModel
import LeadServiceKit
import LeadTestSupport
import Testing
@testable import LeadScoring

/// Recency decay needs time to pass without events: the periodic sweep rescores open leads, so a
/// silent lead cools down and routing hears about it.
@Suite("Recency sweep (real service, test clock)")
struct RecencySweepTests {
    @Test("after ten silent days the sweep lowers an open lead's score and publishes it; closed leads stay")
    func sweep() async throws {
        let clock = TestClock(LeadflowJSON.parseDate("2025-06-02T09:00:00.000Z")!)
        let harness = try await ScoringHarness.start(
            clock: clock, environment: ["LEADFLOW_SCORING_RECENCY_SWEEP_SECONDS": "3600"])
        defer { Task { await harness.stop() } }

        let open = Fixtures.received(Fixtures.hotLead(createdAt: clock.now), at: clock.now)
        let closed = Fixtures.received(Fixtures.hotLead(createdAt: clock.now), at: clock.now)
        try await harness.publish([open, closed])
        try await harness.publish([Fixtures.lifecycle(closed.leadId, Fixtures.lost(), at: clock.now)])
        #expect(await harness.waitForScores(open.leadId, count: 1).first?.score == 65)
        await harness.waitForScores(closed.leadId, count: 1)
        // Wait until the close is applied (it is what keeps the lead out of the sweep).
        let applied = await eventually(timeout: .seconds(60)) {
            let overview = try? await harness.request("GET", "/v1/scoring/model", as: ScoringHarness.admin)
            return (overview?.json["outcomes"] as? [String: Any])?["total"] as? Int == 1
        }
        #expect(applied)

        clock.advance(by: 10 * 86_400)
        let decayed = try #require(await harness.waitForScores(open.leadId, count: 2).last)
        #expect(decayed.score == 65 - 12 && decayed.priority == .medium && decayed.previousPriority == .hot)
        #expect(decayed.factors.first { $0.key == "recency.decay" }?.contribution == -12)
        let job = try await harness.request("GET", "/v1/scoring/rescore/\(decayed.causationEventId)", as: ScoringHarness.admin)
        #expect(job.json["reason"] as? String == "recency")

        // A reply warms it up again, at once.
        try await harness.publish([Fixtures.lifecycle(open.leadId, Fixtures.reply(at: clock.now), at: clock.now)])
        #expect(await harness.waitForScores(open.leadId, count: 3).last?.score == 65 + 5)
        #expect(harness.scored(closed.leadId).count == 1, "closed leads are not swept")
    }
}
