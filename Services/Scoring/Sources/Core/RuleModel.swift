import Foundation
import LeadModel

extension ScoringRules {
    /// Every factor of ``ScoringFactor`` evaluated for `facts`, in order: its activation (0…1) and
    /// the points these rules give it. The score is the sum of the contributions, clamped to 0…100.
    public func evaluate(_ facts: LeadFacts) -> [FactorEvaluation] {
        ScoringFactor.allCases.map { evaluate($0, facts) }
    }

    /// One factor evaluated for `facts`.
    public func evaluate(_ factor: ScoringFactor, _ facts: LeadFacts) -> FactorEvaluation {
        func flag(_ applies: Bool, _ points: Double, yes: String, no: String) -> FactorEvaluation {
            FactorEvaluation(factor: factor, activation: applies ? 1 : 0, contribution: applies ? points : 0,
                             detail: applies ? yes : no)
        }
        func counted(_ count: Int, cap: Int, per points: Double, noun: String) -> FactorEvaluation {
            let used = min(max(count, 0), max(cap, 0))
            let activation = cap > 0 ? Double(used) / Double(cap) : 0
            let detail = count == 0 ? "no \(noun)" : "\(count) \(noun)" + (count > cap ? " (counted up to \(cap))" : "")
            return FactorEvaluation(factor: factor, activation: activation, contribution: Double(used) * points, detail: detail)
        }
        func tabled(_ points: Double, maximum: Double, detail: String) -> FactorEvaluation {
            let activation = maximum > 0 ? min(1, max(0, points / maximum)) : 0
            return FactorEvaluation(factor: factor, activation: activation, contribution: points, detail: detail)
        }

        switch factor {
        case .email:
            return flag(facts.hasEmail, contact.email, yes: "e-mail address on file", no: "no e-mail address")
        case .phone:
            return flag(facts.hasPhone, contact.phone, yes: "valid phone number on file", no: "no valid phone number")
        case .address:
            return flag(facts.hasAddress, contact.address, yes: "postal address on file", no: "no postal address")
        case .specificVehicle:
            return flag(facts.vehicle == .specific, intent.specificVehicle,
                        yes: "asked about a specific vehicle (inventory, VIN or stock number)", no: "no specific vehicle")
        case .browsing:
            return flag(facts.vehicle == .browsing, intent.browsingVehicle,
                        yes: "described the vehicle wanted (browsing)",
                        no: facts.vehicle == .none ? "no vehicle of interest" : "not browsing: a specific vehicle")
        case .interest:
            guard let interest = facts.interest else {
                return FactorEvaluation(factor: factor, activation: 0, contribution: 0, detail: "no interest type")
            }
            return tabled(intent.interest[interest.rawValue] ?? 0, maximum: intent.interest.values.max() ?? 0,
                          detail: "interest: \(interest.rawValue)")
        case .appointmentRequested:
            return flag(facts.appointmentRequested, intent.appointmentRequested,
                        yes: "test drive or appointment requested", no: "no appointment requested")
        case .pricingOrFinancing:
            return flag(facts.pricingOrFinancingAsked, intent.pricingOrFinancing,
                        yes: "asked about pricing or financing (quote stage or later, or in their own words)",
                        no: "no pricing or financing question")
        case .tradeIn:
            return flag(facts.hasTradeIn, intent.tradeIn, yes: "offered a trade-in", no: "no trade-in")
        case .qualifiedBudget:
            guard let amount = facts.budgetAmount else { return flag(false, 0, yes: "", no: "no budget given") }
            let qualifies = amount >= budget.minimumAmount
            return flag(qualifies, budget.qualified,
                        yes: "budget \(Self.number(amount)) reaches the minimum \(Self.number(budget.minimumAmount))",
                        no: "budget \(Self.number(amount)) is below the minimum \(Self.number(budget.minimumAmount))")
        case .timeline:
            return tabled(timeline.points(for: facts.timeframe), maximum: timeline.points.values.max() ?? 0,
                          detail: "timeframe: \(facts.timeframe.rawValue)")
        case .sourceQuality:
            let (points, basis) = source.points(sourceId: facts.sourceId, channel: facts.channel)
            return tabled(points, maximum: source.maximumPoints, detail: "source quality of \(basis)")
        case .replies:
            return counted(facts.replies, cap: engagement.maxReplies, per: engagement.perReply, noun: "customer replies")
        case .callsConnected:
            return counted(facts.callsConnected, cap: engagement.maxCallsConnected, per: engagement.perCallConnected,
                           noun: "connected calls")
        case .appointmentsKept:
            return counted(facts.appointmentsKept, cap: engagement.maxAppointmentsKept,
                           per: engagement.perAppointmentKept, noun: "appointments kept")
        case .recentChat:
            guard let hours = facts.hoursSinceLastChat else { return flag(false, 0, yes: "", no: "no chat") }
            let recent = hours <= engagement.recentChatHours
            return flag(recent, engagement.recentChat,
                        yes: "chatted \(Self.number(hours)) h ago (within \(Self.number(engagement.recentChatHours)) h)",
                        no: "last chat \(Self.number(hours)) h ago (older than \(Self.number(engagement.recentChatHours)) h)")
        case .recencyDecay:
            let penalty = recency.penalty(afterDays: facts.daysSinceEngagement)
            let activation = recency.maxPenalty > 0 ? penalty / recency.maxPenalty : 0
            let days = Self.number(facts.daysSinceEngagement)
            let detail = penalty > 0
                ? "\(days) days since the customer last engaged (\(Self.number(recency.graceDays)) days free, then \(Self.number(recency.pointsPerDay)) per day, at most \(Self.number(recency.maxPenalty)))"
                : "\(days) days since the customer last engaged (within \(Self.number(recency.graceDays)) days)"
            return FactorEvaluation(factor: factor, activation: activation, contribution: -penalty, detail: detail)
        case .testLead:
            return flag(facts.isTest, negative.testLead, yes: "test submission", no: "not a test lead")
        case .invalidPhone:
            return flag(facts.invalidPhone, negative.invalidPhone,
                        yes: "phone numbers given but none is valid", no: "no invalid phone number")
        case .rejectedDuplicate:
            return flag(facts.rejectedDuplicate, negative.rejectedDuplicate,
                        yes: "a location rejected it as a duplicate", no: "not rejected as a duplicate")
        case .noShows:
            return counted(facts.noShows, cap: negative.maxNoShows, per: negative.perNoShow, noun: "missed appointments")
        }
    }

    /// A number for explanations: whole when whole, else one decimal.
    static func number(_ value: Double) -> String {
        guard value.isFinite, abs(value) < 1e12 else { return String(format: "%.3g", value) }
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(format: "%.1f", rounded)
    }
}
