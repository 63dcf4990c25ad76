import Foundation
import LeadModel
import Testing
@testable import LeadAnalytics

@Suite("Lead projection (pure fold)")
struct LeadProjectionTests {
    let t0 = Fixture.t0

    func history(_ lead: Lead) -> [AnyLeadflowEvent] {
        [
            Fixture.received(lead),
            Fixture.scored(lead, score: 72, at: t0 + 5),
            Fixture.assigned(lead, owner: "member-ann", location: "loc-north", team: "team-a", at: t0 + 10, due: t0 + 900),
            Fixture.lifecycle(lead.id, Fixture.call(at: t0 + 120), at: t0 + 120),
            Fixture.lifecycle(lead.id, Fixture.status(.new, .contacted), at: t0 + 130),
            Fixture.lifecycle(lead.id, .stageChanged(from: .lead, to: .quote), at: t0 + 200),
            Fixture.lifecycle(lead.id, Fixture.status(.contacted, .negotiation), at: t0 + 3600),
            Fixture.lifecycle(lead.id, .converted(Conversion(finalPrice: Money("30000.00")!)), at: t0 + 7200),
            Fixture.lifecycle(lead.id, Fixture.status(.negotiation, .closedWon), at: t0 + 7200),
        ]
    }

    @Test("folds a lead's history into its facts")
    func foldsHistory() throws {
        let lead = Fixture.lead(vehicleType: "SUV")
        let projection = LeadProjection.fold(leadId: lead.id, events: Fixture.arrivals(history(lead)))
        let facts = try #require(projection.facts)
        #expect(facts.score == 72)
        #expect(facts.priority == .hot)
        #expect(facts.ownerId == "member-ann")
        #expect(facts.locationId == "loc-north")
        #expect(facts.teamId == "team-a")
        #expect(facts.firstResponseAt == t0 + 120)
        #expect(facts.responseSeconds == 120)
        #expect(facts.outcome == .won)
        #expect(facts.closedAt == t0 + 7200)
        #expect(facts.wonRevenue == Money("30000.00"))
        #expect(facts.furthestStage == .quote)
        #expect(facts.vehicleType == "suv")
        #expect(facts.statusHistory.map(\.status) == [.new, .contacted, .negotiation, .closedWon])
        #expect(facts.statusHistory[1].leftAt == t0 + 3600)
        #expect(facts.nextDueAt == nil, "a closed lead has no obligations")
    }

    @Test("any arrival order gives the same projection as the natural order", arguments: 0..<25)
    func arrivalOrderDoesNotMatter(seed: Int) throws {
        let lead = Fixture.lead()
        let events = history(lead)
        var generator = SeededGenerator(seed: UInt64(seed))
        let shuffled = events.shuffled(using: &generator)
        let natural = Fixture.applyAsWriter(lead.id, Fixture.arrivals(events))
        let scrambled = Fixture.applyAsWriter(lead.id, Fixture.arrivals(shuffled))
        #expect(scrambled.facts == natural.facts)
        #expect(scrambled.eventCount == events.count)
    }

    @Test("a scored or assigned event before leads.received is kept and counted once received arrives")
    func earlySnapshot() throws {
        let lead = Fixture.lead()
        let assigned = Fixture.assigned(lead, owner: "member-bob", location: "loc-south", team: "team-b", at: t0 + 10, snapshot: false)
        var projection = LeadProjection(leadId: lead.id)
        projection.apply(ProjectedEvent(assigned, sequence: 1))
        #expect(projection.facts == nil, "no base lead yet")
        let received = ProjectedEvent(Fixture.received(lead), sequence: 2)
        #expect(!projection.canApplyIncrementally(received))
        projection = LeadProjection.fold(leadId: lead.id, events: [ProjectedEvent(assigned, sequence: 1), received])
        #expect(projection.facts?.ownerId == "member-bob")
        #expect(projection.facts?.teamId == "team-b")
        #expect(projection.firstAssignedAt == t0 + 10)
    }

    @Test("pending obligations: response SLA, open tasks and promised follow-ups")
    func obligations() throws {
        let lead = Fixture.lead()
        var events: [AnyLeadflowEvent] = [
            Fixture.received(lead),
            Fixture.assigned(lead, owner: "member-ann", location: nil, team: "team-a", at: t0 + 10, due: t0 + 600),
        ]
        var projection = LeadProjection.fold(leadId: lead.id, events: Fixture.arrivals(events))
        #expect(projection.nextDueAt == t0 + 600)
        #expect(projection.facts?.isOverdue(at: t0 + 601) == true)
        events.append(Fixture.lifecycle(lead.id, Fixture.call(at: t0 + 300), at: t0 + 300))
        events.append(Fixture.lifecycle(lead.id, .taskCreated(LeadTask(id: "t1", title: "Send quote", dueAt: t0 + 5000)), at: t0 + 310))
        projection = LeadProjection.fold(leadId: lead.id, events: Fixture.arrivals(events))
        #expect(projection.nextDueAt == t0 + 5000, "responded: only the task is pending")
        events.append(Fixture.lifecycle(lead.id, .taskCompleted(taskId: "t1", comment: "sent", nextFollowUpAt: t0 + 9000), at: t0 + 4000))
        projection = LeadProjection.fold(leadId: lead.id, events: Fixture.arrivals(events))
        #expect(projection.nextDueAt == t0 + 9000, "the follow-up promised on completion")
        events.append(Fixture.lifecycle(lead.id, Fixture.call(at: t0 + 8000), at: t0 + 8000))
        projection = LeadProjection.fold(leadId: lead.id, events: Fixture.arrivals(events))
        #expect(projection.nextDueAt == nil, "contacted again before the follow-up was due")
    }

    @Test("location response times are kept for the current location; re-routing starts over")
    func locationResponses() throws {
        let lead = Fixture.lead()
        let contact = Actor(id: "contact-1", role: .locationContact)
        let events: [AnyLeadflowEvent] = [
            Fixture.received(lead),
            Fixture.assigned(lead, owner: "member-ann", location: "loc-north", team: "team-a", at: t0 + 10),
            Fixture.lifecycle(lead.id, .locationResponseChanged(locationId: "loc-north", from: .unacknowledged, to: .rejected, note: nil, followUpDelay: nil), at: t0 + 100, by: contact),
            Fixture.assigned(lead, owner: "member-cid", location: "loc-south", team: "team-b", at: t0 + 200),
            Fixture.lifecycle(lead.id, .locationResponseChanged(locationId: "loc-south", from: .unacknowledged, to: .accepted, note: nil, followUpDelay: .oneHour), at: t0 + 260, by: contact),
            Fixture.lifecycle(lead.id, .locationResponseChanged(locationId: "loc-south", from: .accepted, to: .won, note: nil, followUpDelay: nil), at: t0 + 900, by: contact),
        ]
        let facts = try #require(LeadProjection.fold(leadId: lead.id, events: Fixture.arrivals(events)).facts)
        #expect(facts.locationId == "loc-south")
        #expect(facts.locationSentAt == t0 + 200)
        #expect(facts.rejectedAt == nil)
        #expect(facts.acceptedAt == t0 + 260)
        #expect(facts.locationWonAt == t0 + 900)
        #expect(facts.firstResponseAt == t0 + 100, "the first location's rejection was a response")
    }

    @Test("erasure removes personal data from the projection, and scrubbing removes it from events")
    func erasure() throws {
        let lead = Fixture.lead(name: "Erin Erased", email: "erin@example.com", phone: "+15551234567")
        let events: [AnyLeadflowEvent] = [
            Fixture.received(lead),
            Fixture.lifecycle(lead.id, .noteAdded(text: "Erin's wife called"), at: t0 + 10),
            Fixture.lifecycle(lead.id, .erased, at: t0 + 20),
        ]
        let projection = LeadProjection.fold(leadId: lead.id, events: Fixture.arrivals(events))
        #expect(projection.erased)
        #expect(projection.lead?.fullName.isEmpty == true)
        #expect(projection.lead?.contacts.emails.isEmpty == true)
        #expect(SearchText.lexemes(for: projection.lead!).isEmpty)
        for event in events {
            let text = String(decoding: try ProjectionWriter.encode(EventScrubber.scrub(event)), as: UTF8.self)
            #expect(!text.contains("Erin") && !text.contains("erin@") && !text.contains("5551234567"), "\(text)")
        }
    }

    @Test("merges and unmerges track which leads are folded into this one")
    func merges() throws {
        let lead = Fixture.lead()
        let other = LeadID()
        let third = LeadID()
        let events: [AnyLeadflowEvent] = [
            Fixture.received(lead),
            Fixture.lifecycle(lead.id, .merged(mergedLeadIds: [other, third]), at: t0 + 10),
            Fixture.lifecycle(lead.id, .unmerged(restoredLeadIds: [third]), at: t0 + 20),
        ]
        #expect(LeadProjection.fold(leadId: lead.id, events: Fixture.arrivals(events)).mergedLeadIds == [other])
    }
}

@Suite("Rules")
struct RuleTests {
    let person = Actor(id: "m", role: .salesperson)

    @Test("what counts as a response")
    func responses() {
        let at = Fixture.t0
        #expect(ResponseRule.isResponse(Fixture.call(at: at), by: person))
        #expect(!ResponseRule.isResponse(Fixture.call(at: at), by: .system("notifier")))
        #expect(!ResponseRule.isResponse(.activityLogged(Activity(kind: .call, direction: .inbound, outcome: .noAnswer, at: at)), by: person))
        #expect(ResponseRule.isResponse(.activityLogged(Activity(kind: .email, direction: .inbound, outcome: .replied, at: at)), by: person))
        #expect(!ResponseRule.isResponse(.noteAdded(text: "x"), by: person))
        #expect(ResponseRule.isResponse(Fixture.status(.new, .contacted), by: person))
        #expect(ResponseRule.isResponse(.locationResponseChanged(locationId: "l", from: .unacknowledged, to: .acknowledged, note: nil, followUpDelay: nil),
                                        by: Actor(id: "c", role: .locationContact)))
        #expect(!ResponseRule.isResponse(.locationResponseChanged(locationId: "l", from: .accepted, to: .won, note: nil, followUpDelay: nil), by: person))
    }

    @Test("outcomes of the default and of custom pipelines")
    func outcomes() {
        #expect(OutcomeRule.outcome(pipelineId: "default", status: .closedWon, lostReason: nil) == .won)
        #expect(OutcomeRule.outcome(pipelineId: "default", status: .closedLost, lostReason: .badCredit) == .lost)
        #expect(OutcomeRule.outcome(pipelineId: "default", status: .qualified, lostReason: nil) == nil)
        #expect(OutcomeRule.outcome(pipelineId: "fleet", status: "deal_won", lostReason: nil) == .won)
        #expect(OutcomeRule.outcome(pipelineId: "fleet", status: "dropped", lostReason: .other) == .lost)
        #expect(OutcomeRule.outcome(pipelineId: "fleet", status: "in_review", lostReason: nil) == nil)
    }
}

/// A deterministic random generator for shuffles.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
