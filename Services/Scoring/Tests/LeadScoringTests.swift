import Foundation
import LeadModel
import Testing
@testable import LeadScoring

/// When a lead is (re)scored and when that is published, without Kafka or SQL.
@Suite("Lead scoring decisions")
struct LeadScoringTests {
    func machine(_ scoring: ActiveScoring = Fixtures.rules, now: Date = Fixtures.start) -> LeadScoring {
        LeadScoring(scoring: scoring, now: now)
    }

    @Test("a received lead is scored and published with its snapshot, version, model kind and cause")
    func received() throws {
        let lead = Fixtures.hotLead()
        let event = Fixtures.received(lead)
        let step = try machine().step(LeadRecord(), leadId: lead.id, input: .received(event))
        let scored = try #require(step.scored)
        #expect(scored.score == 8 + 8 + 4 + 12 + 6 + 10 + 12 + 5)
        #expect(scored.priority == .hot)
        #expect(scored.previousScore == nil && scored.previousPriority == nil)
        #expect(scored.rulesVersion == 1 && scored.modelKind == .rules)
        #expect(scored.causationEventId == event.eventId)
        #expect(scored.factors.count == ScoringFactor.allCases.count)
        #expect(scored.lead?.score == scored.score && scored.lead?.priority == .hot)
        #expect(scored.lead?.id == lead.id && scored.leadId == lead.id)
        #expect(step.record.current?.score == scored.score)
    }

    @Test("a lifecycle change that moves the score is published with the previous score; one that does not is not")
    func rescoring() throws {
        let lead = Fixtures.coldLead()
        let first = try machine().step(LeadRecord(), leadId: lead.id, input: .received(Fixtures.received(lead)))
        let before = try #require(first.scored)

        let note = Fixtures.lifecycle(lead.id, .noteAdded(text: "left a voicemail"), at: Fixtures.at(hours: 1))
        let unchanged = try machine(now: Fixtures.at(hours: 1)).step(first.record, leadId: lead.id, input: .lifecycle(note))
        #expect(unchanged.scored == nil)
        #expect(unchanged.record.causationEventId == note.eventId)

        let reply = Fixtures.lifecycle(lead.id, Fixtures.reply(at: Fixtures.at(hours: 2)), at: Fixtures.at(hours: 2))
        let changed = try machine(now: Fixtures.at(hours: 2)).step(unchanged.record, leadId: lead.id, input: .lifecycle(reply))
        let after = try #require(changed.scored)
        #expect(after.score == before.score + 5)
        #expect(after.previousScore == before.score && after.previousPriority == before.priority)
        #expect(after.causationEventId == reply.eventId)
        #expect(after.factors.first { $0.key == "engagement.replies" }?.contribution == 5)
    }

    @Test("a priority change is published even when the score stays (thresholds changed)")
    func priorityOnly() throws {
        let lead = Fixtures.hotLead()
        let first = try machine().step(LeadRecord(), leadId: lead.id, input: .received(Fixtures.received(lead)))
        var stricter = ScoringRules.defaults
        stricter.thresholds = PriorityThresholds(hot: 90, medium: 30)
        let step = try machine(ActiveScoring(rules: stricter, rulesVersion: 2)).step(first.record, leadId: lead.id, input: .rescore(jobId: UUID()))
        let scored = try #require(step.scored)
        #expect(scored.score == first.scored?.score)
        #expect(scored.priority == .medium && scored.previousPriority == .hot)
        #expect(scored.rulesVersion == 2)
        // The same rules again: nothing to publish.
        #expect(try machine(ActiveScoring(rules: stricter, rulesVersion: 2)).step(step.record, leadId: lead.id, input: .rescore(jobId: UUID())).scored == nil)
    }

    @Test("recency decay lowers a silent lead as the clock moves, and a reply restores it")
    func decay() throws {
        let lead = Fixtures.hotLead()
        let first = try machine().step(LeadRecord(), leadId: lead.id, input: .received(Fixtures.received(lead)))
        let tenDays = try machine(now: Fixtures.at(days: 10)).step(first.record, leadId: lead.id, input: .rescore(jobId: UUID()))
        let decayed = try #require(tenDays.scored)
        #expect(decayed.score == (first.scored?.score ?? 0) - 12)
        #expect(decayed.factors.first { $0.key == "recency.decay" }?.contribution == -12)
        let reply = Fixtures.lifecycle(lead.id, Fixtures.reply(at: Fixtures.at(days: 10)), at: Fixtures.at(days: 10))
        let back = try machine(now: Fixtures.at(days: 10)).step(tenDays.record, leadId: lead.id, input: .lifecycle(reply))
        #expect(back.scored?.score == (first.scored?.score ?? 0) + 5)
    }

    @Test("a rescore that moves only a day count is recognised as saying the same thing")
    func sameContributions() throws {
        let lead = Fixtures.hotLead()
        let first = try machine().step(LeadRecord(), leadId: lead.id, input: .received(Fixtures.received(lead)))
        let hourLater = try machine(now: Fixtures.at(hours: 12)).step(first.record, leadId: lead.id, input: .rescore(jobId: UUID()))
        let before = try #require(first.record.current)
        let after = try #require(hourLater.record.current)
        #expect(hourLater.scored == nil)
        #expect(before.factors != after.factors, "the recency detail moved")
        #expect(before.hasSameContributions(as: after))
        let decayed = try machine(now: Fixtures.at(days: 5)).step(first.record, leadId: lead.id, input: .rescore(jobId: UUID()))
        #expect(!before.hasSameContributions(as: try #require(decayed.record.current)))
    }

    @Test("changes that arrive before the lead wait, then apply in time order when it arrives")
    func pendingBeforeReceived() throws {
        let lead = Fixtures.coldLead()
        let call = Fixtures.lifecycle(lead.id, Fixtures.connectedCall(at: Fixtures.at(hours: 2)), at: Fixtures.at(hours: 2))
        let quote = Fixtures.lifecycle(lead.id, .stageChanged(from: .lead, to: .quote), at: Fixtures.at(hours: 1))
        var record = LeadRecord()
        for event in [call, quote] {
            let step = try machine().step(record, leadId: lead.id, input: .lifecycle(event))
            #expect(step.scored == nil)
            record = step.record
        }
        #expect(record.pending.count == 2 && record.lead == nil)
        let received = Fixtures.received(lead)
        let step = try machine(now: Fixtures.at(hours: 2)).step(record, leadId: lead.id, input: .received(received))
        let scored = try #require(step.scored)
        #expect(step.record.pending.isEmpty)
        #expect(step.record.lead?.lifecycleStage == .quote)
        #expect(step.record.history.callsConnected == 1)
        #expect(scored.causationEventId == received.eventId)
        #expect(scored.factors.first { $0.key == "intent.pricing_or_financing" }?.contribution == 6)
    }

    @Test("a second leads.received for a known lead changes nothing")
    func duplicateReceived() throws {
        let lead = Fixtures.coldLead()
        let first = try machine().step(LeadRecord(), leadId: lead.id, input: .received(Fixtures.received(lead)))
        let again = try machine().step(first.record, leadId: lead.id, input: .received(Fixtures.received(Fixtures.hotLead(id: lead.id))))
        #expect(again.scored == nil)
        #expect(again.record == first.record)
    }

    @Test("an event whose lead id differs from its lead is rejected")
    func mismatch() {
        let event = Fixtures.received(Fixtures.coldLead())
        #expect(throws: ScoringRejection.self) {
            try machine().step(LeadRecord(), leadId: LeadID(), input: .received(event))
        }
    }

    @Test("assignments set owner, location and team for access checks, ignore older ones, and never publish")
    func assignments() throws {
        let lead = Fixtures.coldLead()
        let early = LeadAssigned(leadId: lead.id, occurredAt: Fixtures.at(hours: 1), locationId: "loc-a", teamId: "team-a",
                                 ownerId: "member-a", strategy: .roundRobin, reason: "next", causationEventId: UUID())
        let late = LeadAssigned(leadId: lead.id, occurredAt: Fixtures.at(hours: 2), locationId: "loc-b", teamId: "team-b",
                                ownerId: "member-b", strategy: .manual, reason: "moved", causationEventId: UUID())
        // Assigned before the lead is known: kept and applied when it arrives.
        var record = try machine().step(LeadRecord(), leadId: lead.id, input: .assigned(late)).record
        record = try machine().step(record, leadId: lead.id, input: .assigned(early)).record
        #expect(record.assignment?.ownerId == "member-b")
        let step = try machine().step(record, leadId: lead.id, input: .received(Fixtures.received(lead)))
        #expect(step.record.lead?.ownerId == "member-b" && step.record.lead?.locationId == "loc-b")
        #expect(step.scored?.lead?.ownerId == "member-b")
        let assignedAgain = try machine().step(step.record, leadId: lead.id, input: .assigned(
            LeadAssigned(leadId: lead.id, occurredAt: Fixtures.at(hours: 3), locationId: "loc-c", teamId: "team-c",
                         ownerId: "member-c", strategy: .manual, reason: "again", causationEventId: UUID())))
        #expect(assignedAgain.scored == nil)
        #expect(assignedAgain.record.lead?.ownerId == "member-c" && assignedAgain.record.assignment?.teamId == "team-c")
    }

    @Test("closing a lead records its outcome and facts for training")
    func closing() throws {
        let lead = Fixtures.hotLead()
        let first = try machine().step(LeadRecord(), leadId: lead.id, input: .received(Fixtures.received(lead)))
        let won = Fixtures.lifecycle(lead.id, Fixtures.won(), at: Fixtures.at(days: 3))
        let step = try machine(now: Fixtures.at(days: 3)).step(first.record, leadId: lead.id, input: .lifecycle(won))
        let closed = try #require(step.closed)
        #expect(closed.outcome == .won && closed.closedAt == Fixtures.at(days: 3))
        #expect(closed.facts.hasEmail && closed.facts.vehicle == .specific)
        #expect(step.record.isClosed)
    }

    @Test("erasure keeps the score machinery working without personal data")
    func erased() throws {
        let lead = Fixtures.hotLead()
        let first = try machine().step(LeadRecord(), leadId: lead.id, input: .received(Fixtures.received(lead)))
        let step = try machine().step(first.record, leadId: lead.id, input: .lifecycle(Fixtures.lifecycle(lead.id, .erased, at: Fixtures.at(hours: 1))))
        let json = String(decoding: try LeadflowJSON.encode(step.record), as: UTF8.self)
        #expect(!json.contains("hot@example.com") && !json.contains("Gay St") && !json.contains("5550142"))
        #expect(step.scored.map { $0.score < (first.scored?.score ?? 0) } ?? false, "contact points are gone")
    }
}
