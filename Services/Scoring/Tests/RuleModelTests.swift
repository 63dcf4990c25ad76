import Foundation
import LeadModel
import Testing
@testable import LeadScoring

/// Each factor of the default rules, pinned: its points, its activation and when it applies.
@Suite("Rule model: every factor and the thresholds")
struct RuleModelTests {
    let rules = ScoringRules.defaults

    func contribution(_ factor: ScoringFactor, _ facts: LeadFacts, rules: ScoringRules = .defaults) -> Double {
        rules.evaluate(factor, facts).contribution
    }

    @Test("contact completeness: e-mail 8, valid phone 8, address 4")
    func contact() {
        #expect(contribution(.email, LeadFacts(hasEmail: true)) == 8)
        #expect(contribution(.email, LeadFacts()) == 0)
        #expect(contribution(.phone, LeadFacts(hasPhone: true)) == 8)
        #expect(contribution(.phone, LeadFacts()) == 0)
        #expect(contribution(.address, LeadFacts(hasAddress: true)) == 4)
        #expect(contribution(.address, LeadFacts()) == 0)
    }

    @Test("purchase intent: specific vehicle 12 vs browsing 4; interest table; appointment 10; pricing 6; trade-in 4")
    func intent() {
        #expect(contribution(.specificVehicle, LeadFacts(vehicle: .specific)) == 12)
        #expect(contribution(.browsing, LeadFacts(vehicle: .specific)) == 0)
        #expect(contribution(.browsing, LeadFacts(vehicle: .browsing)) == 4)
        #expect(contribution(.specificVehicle, LeadFacts(vehicle: .browsing)) == 0)
        #expect(contribution(.interest, LeadFacts(interest: .buy)) == 6)
        #expect(contribution(.interest, LeadFacts(interest: .lease)) == 6)
        #expect(contribution(.interest, LeadFacts(interest: .testDrive)) == 8)
        #expect(contribution(.interest, LeadFacts(interest: .service)) == 0)
        #expect(contribution(.interest, LeadFacts()) == 0)
        #expect(rules.evaluate(.interest, LeadFacts(interest: .buy)).activation == 0.75)
        #expect(contribution(.appointmentRequested, LeadFacts(appointmentRequested: true)) == 10)
        #expect(contribution(.pricingOrFinancing, LeadFacts(pricingOrFinancingAsked: true)) == 6)
        #expect(contribution(.tradeIn, LeadFacts(hasTradeIn: true)) == 4)
    }

    @Test("qualified budget: 10 points from 5000 up, nothing below or without a budget")
    func budget() {
        #expect(contribution(.qualifiedBudget, LeadFacts(budgetAmount: 5000)) == 10)
        #expect(contribution(.qualifiedBudget, LeadFacts(budgetAmount: 4999.99)) == 0)
        #expect(contribution(.qualifiedBudget, LeadFacts()) == 0)
        #expect(rules.evaluate(.qualifiedBudget, LeadFacts(budgetAmount: 1e300)).detail.contains("reaches"))
    }

    @Test("timeline: the sooner the more (15, 12, 8, 4, 0, 0)")
    func timeline() {
        let expected: [Timeframe.Bucket: Double] = [
            .immediate: 15, .withinWeek: 12, .withinMonth: 8, .within3Months: 4, .later: 0, .unknown: 0,
        ]
        for (bucket, points) in expected {
            #expect(contribution(.timeline, LeadFacts(timeframe: bucket)) == points, "\(bucket)")
        }
        #expect(rules.evaluate(.timeline, LeadFacts(timeframe: .immediate)).activation == 1)
    }

    @Test("source quality: per source, else per channel, else the default")
    func source() {
        var custom = ScoringRules.defaults
        custom.source.bySource = ["src-autotrader": 14]
        #expect(contribution(.sourceQuality, LeadFacts(sourceId: "src-autotrader", channel: .adf), rules: custom) == 14)
        #expect(contribution(.sourceQuality, LeadFacts(sourceId: "src-other", channel: .adf), rules: custom) == 6)
        #expect(contribution(.sourceQuality, LeadFacts(sourceId: "src-other", channel: .meta)) == 3)
        #expect(contribution(.sourceQuality, LeadFacts(sourceId: "src-other", channel: .manual)) == 8)
        custom.source.byChannel = [:]
        #expect(contribution(.sourceQuality, LeadFacts(sourceId: "src-other", channel: .meta), rules: custom) == 5)
        #expect(custom.evaluate(.sourceQuality, LeadFacts(sourceId: "src-autotrader")).activation == 1)
    }

    @Test("engagement: replies 5 each up to 3, calls 6 up to 2, kept appointment 12, chat within 48 h 6")
    func engagement() {
        #expect(contribution(.replies, LeadFacts(replies: 1)) == 5)
        #expect(contribution(.replies, LeadFacts(replies: 7)) == 15)
        #expect(rules.evaluate(.replies, LeadFacts(replies: 7)).detail.contains("counted up to 3"))
        #expect(contribution(.callsConnected, LeadFacts(callsConnected: 1)) == 6)
        #expect(contribution(.callsConnected, LeadFacts(callsConnected: 5)) == 12)
        #expect(contribution(.appointmentsKept, LeadFacts(appointmentsKept: 2)) == 12)
        #expect(contribution(.recentChat, LeadFacts(hoursSinceLastChat: 47.9)) == 6)
        #expect(contribution(.recentChat, LeadFacts(hoursSinceLastChat: 48.1)) == 0)
        #expect(contribution(.recentChat, LeadFacts()) == 0)
    }

    @Test("recency decay: free for 2 days, then 1.5 per day, at most 30")
    func recency() {
        #expect(contribution(.recencyDecay, LeadFacts(daysSinceEngagement: 1.9)) == 0)
        #expect(contribution(.recencyDecay, LeadFacts(daysSinceEngagement: 4)) == -3)
        #expect(contribution(.recencyDecay, LeadFacts(daysSinceEngagement: 12)) == -15)
        #expect(contribution(.recencyDecay, LeadFacts(daysSinceEngagement: 400)) == -30)
        #expect(rules.evaluate(.recencyDecay, LeadFacts(daysSinceEngagement: 12)).activation == 0.5)
    }

    @Test("negative signals: test lead -100, invalid phone -10, rejected duplicate -25, no-shows -5 each up to 2")
    func negatives() {
        #expect(contribution(.testLead, LeadFacts(isTest: true)) == -100)
        #expect(contribution(.invalidPhone, LeadFacts(invalidPhone: true)) == -10)
        #expect(contribution(.rejectedDuplicate, LeadFacts(rejectedDuplicate: true)) == -25)
        #expect(contribution(.noShows, LeadFacts(noShows: 1)) == -5)
        #expect(contribution(.noShows, LeadFacts(noShows: 9)) == -10)
        for factor in [ScoringFactor.testLead, .invalidPhone, .rejectedDuplicate, .noShows] {
            #expect(contribution(factor, LeadFacts()) == 0)
        }
    }

    @Test("the score is the sum of the contributions, clamped to 0…100, and lists every factor")
    func sumAndClamp() {
        let facts = LeadFacts(hasEmail: true, hasPhone: true, vehicle: .specific, interest: .buy, timeframe: .withinWeek)
        let card = Fixtures.rules.rulesScore(facts)
        #expect(card.factors.map(\.key) == ScoringFactor.allCases.map(\.key))
        #expect(card.score == 8 + 8 + 12 + 6 + 12 + 5)
        #expect(card.factors.compactMap(\.contribution).reduce(0, +) == Double(card.score))
        #expect(card.rulesVersion == 1 && card.modelKind == .rules)

        let everything = LeadFacts(
            hasEmail: true, hasPhone: true, hasAddress: true, vehicle: .specific, interest: .testDrive,
            appointmentRequested: true, pricingOrFinancingAsked: true, hasTradeIn: true, budgetAmount: 90_000,
            timeframe: .immediate, replies: 3, callsConnected: 2, appointmentsKept: 1, hoursSinceLastChat: 1)
        #expect(Fixtures.rules.rulesScore(everything).score == 100)
        #expect(Fixtures.rules.rulesScore(everything).rawTotal > 100)
        #expect(Fixtures.rules.rulesScore(LeadFacts(hasEmail: true, isTest: true)).score == 0)
    }

    @Test("priority bands: Hot from 60, Medium 30–59, Cold below 30; thresholds configurable")
    func thresholds() {
        let defaults = PriorityThresholds()
        #expect(defaults.priority(for: 100) == .hot)
        #expect(defaults.priority(for: 60) == .hot)
        #expect(defaults.priority(for: 59) == .medium)
        #expect(defaults.priority(for: 30) == .medium)
        #expect(defaults.priority(for: 29) == .cold)
        #expect(defaults.priority(for: 0) == .cold)
        let strict = PriorityThresholds(hot: 80, medium: 50)
        #expect(strict.priority(for: 79) == .medium)
        #expect(strict.priority(for: 80) == .hot)
        #expect(strict.priority(for: 49) == .cold)

        var rules = ScoringRules.defaults
        rules.thresholds = strict
        let facts = LeadFacts(hasEmail: true, hasPhone: true, vehicle: .specific, interest: .buy, budgetAmount: 20_000,
                              timeframe: .withinWeek)
        #expect(ActiveScoring(rules: .defaults, rulesVersion: 1).rulesScore(facts).priority == .hot)
        #expect(ActiveScoring(rules: rules, rulesVersion: 2).rulesScore(facts).priority == .medium)
    }

    @Test("explanations never show the customer's contact details")
    func noPersonalData() {
        let lead = Fixtures.hotLead()
        let facts = LeadFacts(lead: lead, history: EngagementHistory(), now: Fixtures.start, pricingKeywords: [])
        let text = Fixtures.rules.rulesScore(facts).factors.compactMap(\.detail).joined(separator: " ")
        #expect(!text.contains("hot@example.com"))
        #expect(!text.contains("555"))
        #expect(!text.contains("Gay St"))
    }
}
