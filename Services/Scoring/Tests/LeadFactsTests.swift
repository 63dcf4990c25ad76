import Foundation
import LeadModel
import Testing
@testable import LeadScoring

/// What scoring reads from a lead and its lifecycle changes.
@Suite("Lead facts and engagement history")
struct LeadFactsTests {
    let keywords = IntentRules().pricingKeywords

    func facts(_ lead: Lead, _ history: EngagementHistory = EngagementHistory(), now: Date = Fixtures.start) -> LeadFacts {
        LeadFacts(lead: lead, history: history, now: now, pricingKeywords: keywords)
    }

    @Test("contact completeness: usable e-mail, a normalized phone, an address with a street, city or postal code")
    func contact() {
        var lead = Fixtures.coldLead()
        #expect(facts(lead).hasEmail && !facts(lead).hasPhone && !facts(lead).hasAddress && !facts(lead).invalidPhone)
        lead.contacts.emails = [EmailAddress(address: "not an address")]
        #expect(!facts(lead).hasEmail)
        lead.contacts.phones = [PhoneNumber(raw: "12")]
        #expect(!facts(lead).hasPhone && facts(lead).invalidPhone)
        lead.contacts.phones.append(PhoneNumber(raw: "(614) 555-0142", e164: "+16145550142"))
        #expect(facts(lead).hasPhone && !facts(lead).invalidPhone)
        lead.contacts.address = Address(region: "OH", country: "US")
        #expect(!facts(lead).hasAddress, "region and country alone (what erasure keeps) are not an address")
        lead.contacts.address = Address(postalCode: "43215")
        #expect(facts(lead).hasAddress)
    }

    @Test("intent: unit vs description, interest type, trade-in, pricing words at a word start, quote stage")
    func intent() {
        var lead = Fixtures.coldLead()
        #expect(facts(lead).vehicle == .browsing && facts(lead).interest == .buy)
        lead.vehiclesOfInterest = [VehicleOfInterest(interest: .lease, kind: .search, stock: "H25-1")]
        #expect(facts(lead).vehicle == .specific && facts(lead).interest == .lease)
        lead.vehiclesOfInterest = []
        #expect(facts(lead).vehicle == .none && facts(lead).interest == nil)
        #expect(!facts(lead).hasTradeIn && !facts(lead).pricingOrFinancingAsked)
        lead.tradeIns = [TradeIn(make: "Toyota")]
        #expect(facts(lead).hasTradeIn)

        lead.comments = "This car is overpriced"
        #expect(!facts(lead).pricingOrFinancingAsked, "'price' must start a word")
        lead.comments = "What financing options do you have?"
        #expect(facts(lead).pricingOrFinancingAsked)
        lead.comments = nil
        lead.customFields = ["question": "Monthly payment for 60 months?"]
        #expect(facts(lead).pricingOrFinancingAsked)
        lead.customFields = [:]
        lead.lifecycleStage = .quote
        #expect(facts(lead).pricingOrFinancingAsked)
    }

    @Test("a hostile megabyte comment is matched within bounds and does not crash")
    func hugeComment() {
        var lead = Fixtures.coldLead()
        lead.comments = String(repeating: "x", count: 1 << 20) + " price"
        #expect(!facts(lead).pricingOrFinancingAsked, "only the first 64 KB are read")
        lead.comments = String(repeating: "ü🚗", count: 1000) + " financing"
        #expect(facts(lead).pricingOrFinancingAsked)
    }

    @Test("budget and timeframe come from the lead; test leads are flagged")
    func budgetTimeframe() {
        var lead = Fixtures.hotLead()
        #expect(facts(lead).budgetAmount == 45000 && facts(lead).timeframe == .withinWeek)
        lead.budget = BudgetRange(min: Money("12000"))
        #expect(facts(lead).budgetAmount == 12000)
        lead.isTest = true
        #expect(facts(lead).isTest)
    }

    @Test("history counts replies, connected calls, appointments, no-shows and chats")
    func history() {
        var history = EngagementHistory()
        let keywords = NegativeRules().duplicateKeywords
        history.record(Fixtures.reply(at: Fixtures.at(hours: 1)), at: Fixtures.at(hours: 1), duplicateKeywords: keywords)
        history.record(.activityLogged(Activity(kind: .email, direction: .outbound, outcome: .sent, at: Fixtures.at(hours: 2))),
                       at: Fixtures.at(hours: 2), duplicateKeywords: keywords)
        history.record(.activityLogged(Activity(kind: .email, direction: .outbound, outcome: .replied, at: Fixtures.at(hours: 3))),
                       at: Fixtures.at(hours: 3), duplicateKeywords: keywords)
        history.record(.activityLogged(Activity(kind: .sms, direction: .inbound, outcome: .bounced, at: Fixtures.at(hours: 3))),
                       at: Fixtures.at(hours: 3), duplicateKeywords: keywords)
        history.record(Fixtures.connectedCall(at: Fixtures.at(hours: 4)), at: Fixtures.at(hours: 4), duplicateKeywords: keywords)
        history.record(.activityLogged(Activity(kind: .call, direction: .outbound, outcome: .noAnswer, at: Fixtures.at(hours: 5))),
                       at: Fixtures.at(hours: 5), duplicateKeywords: keywords)
        history.record(.activityLogged(Activity(kind: .chat, direction: .inbound, outcome: .received, at: Fixtures.at(hours: 6))),
                       at: Fixtures.at(hours: 6), duplicateKeywords: keywords)
        history.record(.appointmentScheduled(Appointment(id: "a1", at: Fixtures.at(days: 2), kind: .testDrive)),
                       at: Fixtures.at(hours: 7), duplicateKeywords: keywords)
        history.record(.appointmentOutcome(appointmentId: "a1", kept: true), at: Fixtures.at(days: 2), duplicateKeywords: keywords)
        history.record(.appointmentOutcome(appointmentId: "a2", kept: false), at: Fixtures.at(days: 3), duplicateKeywords: keywords)
        history.record(.noteAdded(text: "called, left a note"), at: Fixtures.at(days: 4), duplicateKeywords: keywords)

        #expect(history.replies == 3, "inbound e-mail, an activity marked replied, and the inbound chat")
        #expect(history.callsConnected == 1)
        #expect(history.appointmentsScheduled == 1 && history.testDriveRequested)
        #expect(history.appointmentsKept == 1 && history.noShows == 1)
        #expect(history.lastChatAt == Fixtures.at(hours: 6))
        #expect(history.lastEngagementAt == Fixtures.at(days: 2), "a note or a no-show is not the customer engaging")

        let lead = Fixtures.coldLead()
        let now = Fixtures.at(days: 5)
        let f = facts(lead, history, now: now)
        #expect(f.replies == 3 && f.callsConnected == 1 && f.appointmentsKept == 1 && f.noShows == 1)
        #expect(f.appointmentRequested)
        #expect(abs(f.daysSinceEngagement - 3) < 1e-9)
        #expect(abs((f.hoursSinceLastChat ?? 0) - (5 * 24 - 6)) < 1e-9)
    }

    @Test("a location's rejection as a duplicate is a negative signal; other rejections are not")
    func rejectedDuplicate() {
        let keywords = NegativeRules().duplicateKeywords
        var history = EngagementHistory()
        history.record(.locationResponseChanged(locationId: "loc-1", from: .acknowledged, to: .rejected,
                                                note: "Out of our area", followUpDelay: nil),
                       at: Fixtures.start, duplicateKeywords: keywords)
        #expect(!history.rejectedAsDuplicate)
        history.record(.locationResponseChanged(locationId: "loc-2", from: .unacknowledged, to: .rejected,
                                                note: "DUPLICATE of a lead we got yesterday", followUpDelay: nil),
                       at: Fixtures.start, duplicateKeywords: keywords)
        #expect(history.rejectedAsDuplicate)
    }

    @Test("closing statuses settle the outcome once, from the default pipeline or a custom key")
    func outcomes() {
        var history = EngagementHistory()
        #expect(history.record(Fixtures.lost(), at: Fixtures.start, duplicateKeywords: []) == .lost)
        #expect(history.record(.noteAdded(text: "x"), at: Fixtures.start, duplicateKeywords: []) == nil)
        var other = EngagementHistory()
        #expect(other.record(.pipelineStatusChanged(pipelineId: "service", from: "open", to: "deal_won", lostReason: nil, note: nil),
                             at: Fixtures.start, duplicateKeywords: []) == .won)
        var converted = EngagementHistory()
        #expect(converted.record(.converted(Conversion()), at: Fixtures.start, duplicateKeywords: []) == .won)
        #expect(EngagementHistory.outcome(of: .negotiation, pipelineId: "default") == nil)
    }
}
