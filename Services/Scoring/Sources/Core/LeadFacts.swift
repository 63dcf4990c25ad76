import Foundation
import LeadModel

/// How concretely the customer named a vehicle.
public enum VehicleSpecificity: String, Hashable, Sendable, Codable, CaseIterable {
    /// A unit: inventory, VIN or stock number.
    case specific
    /// A wish: make, model or type only.
    case browsing
    /// No vehicle at all.
    case none
}

/// Everything scoring needs to know about a lead at one instant, and nothing personal: the rule
/// model and the learned model both score from it, and it is what an outcome keeps for training.
public struct LeadFacts: Hashable, Sendable, Codable {
    /// A usable e-mail address is on file.
    public var hasEmail: Bool
    /// A phone number normalized to E.164 is on file.
    public var hasPhone: Bool
    /// A postal address (street, city or postal code) is on file.
    public var hasAddress: Bool
    /// How concretely the preferred vehicle is named.
    public var vehicle: VehicleSpecificity
    /// The interest type of the preferred vehicle.
    public var interest: VehicleInterest?
    /// A test drive or appointment was requested or scheduled.
    public var appointmentRequested: Bool
    /// Pricing or financing was asked for.
    public var pricingOrFinancingAsked: Bool
    /// A trade-in was offered.
    public var hasTradeIn: Bool
    /// The budget's upper bound, else its lower bound.
    public var budgetAmount: Double?
    /// The purchase timeframe.
    public var timeframe: Timeframe.Bucket
    /// The configured source.
    public var sourceId: String
    /// The intake channel.
    public var channel: IntakeChannel
    /// Customer replies so far.
    public var replies: Int
    /// Connected calls so far.
    public var callsConnected: Int
    /// Appointments kept so far.
    public var appointmentsKept: Int
    /// Appointments missed so far.
    public var noShows: Int
    /// Hours since the latest chat, if there was one.
    public var hoursSinceLastChat: Double?
    /// Days since the customer last engaged (or submitted the lead).
    public var daysSinceEngagement: Double
    /// A test submission.
    public var isTest: Bool
    /// Phone numbers were given but none could be normalized.
    public var invalidPhone: Bool
    /// A location rejected the lead as a duplicate.
    public var rejectedDuplicate: Bool

    /// Creates facts directly (tests, synthetic training data).
    public init(
        hasEmail: Bool = false, hasPhone: Bool = false, hasAddress: Bool = false, vehicle: VehicleSpecificity = .none,
        interest: VehicleInterest? = nil, appointmentRequested: Bool = false, pricingOrFinancingAsked: Bool = false,
        hasTradeIn: Bool = false, budgetAmount: Double? = nil, timeframe: Timeframe.Bucket = .unknown,
        sourceId: String = "unknown", channel: IntakeChannel = .json, replies: Int = 0, callsConnected: Int = 0,
        appointmentsKept: Int = 0, noShows: Int = 0, hoursSinceLastChat: Double? = nil, daysSinceEngagement: Double = 0,
        isTest: Bool = false, invalidPhone: Bool = false, rejectedDuplicate: Bool = false
    ) {
        self.hasEmail = hasEmail
        self.hasPhone = hasPhone
        self.hasAddress = hasAddress
        self.vehicle = vehicle
        self.interest = interest
        self.appointmentRequested = appointmentRequested
        self.pricingOrFinancingAsked = pricingOrFinancingAsked
        self.hasTradeIn = hasTradeIn
        self.budgetAmount = budgetAmount
        self.timeframe = timeframe
        self.sourceId = sourceId
        self.channel = channel
        self.replies = replies
        self.callsConnected = callsConnected
        self.appointmentsKept = appointmentsKept
        self.noShows = noShows
        self.hoursSinceLastChat = hoursSinceLastChat
        self.daysSinceEngagement = daysSinceEngagement
        self.isTest = isTest
        self.invalidPhone = invalidPhone
        self.rejectedDuplicate = rejectedDuplicate
    }

    /// The facts of `lead` with `history` as of `now`; `pricingKeywords` (lower case) recognise
    /// a request for pricing or financing in the customer's own words.
    public init(lead: Lead, history: EngagementHistory, now: Date, pricingKeywords: [String]) {
        let emails = lead.contacts.emails.filter { $0.address.contains("@") }
        let phones = lead.contacts.phones
        hasEmail = !emails.isEmpty
        hasPhone = phones.contains { $0.e164 != nil }
        invalidPhone = !phones.isEmpty && !hasPhone
        if let address = lead.contacts.address {
            hasAddress = !address.lines.allSatisfy { $0.trimmingCharacters(in: .whitespaces).isEmpty }
                || address.city?.isEmpty == false || address.postalCode?.isEmpty == false
        } else {
            hasAddress = false
        }

        let preferred = lead.preferredVehicle
        if let preferred {
            let isUnit = preferred.kind == .inventory || preferred.vin?.isEmpty == false || preferred.stock?.isEmpty == false
            vehicle = isUnit ? .specific : .browsing
        } else {
            vehicle = .none
        }
        interest = preferred?.interest
        appointmentRequested = history.appointmentsScheduled > 0 || history.testDriveRequested
            || lead.vehiclesOfInterest.contains { $0.interest == .testDrive }
            || lead.pipelineStatus == .testDrive
        pricingOrFinancingAsked = lead.lifecycleStage >= .quote
            || Self.mentions(pricingKeywords, in: Self.customerWords(of: lead))
        hasTradeIn = !lead.tradeIns.isEmpty || lead.vehiclesOfInterest.contains { $0.interest == .tradeIn }
        let bound = lead.budget?.max ?? lead.budget?.min
        budgetAmount = bound.map { NSDecimalNumber(decimal: $0.amount).doubleValue }
        timeframe = lead.timeframe?.bucket ?? .unknown
        sourceId = lead.source.id
        channel = lead.source.channel

        replies = history.replies
        callsConnected = history.callsConnected
        appointmentsKept = history.appointmentsKept
        noShows = history.noShows
        hoursSinceLastChat = history.lastChatAt.map { max(0, now.timeIntervalSince($0) / 3600) }
        let lastSign = max(lead.createdAt, history.lastEngagementAt ?? lead.createdAt)
        daysSinceEngagement = max(0, now.timeIntervalSince(lastSign) / 86_400)
        isTest = lead.isTest
        rejectedDuplicate = history.rejectedAsDuplicate
    }

    /// The customer's free text: comments, vehicle comments and string custom fields, lower-cased
    /// and capped (a hostile 1 MB comment costs no more than 64 KB of matching).
    static func customerWords(of lead: Lead) -> String {
        var parts: [String] = []
        if let comments = lead.comments { parts.append(comments) }
        for vehicle in lead.vehiclesOfInterest { if let text = vehicle.comments { parts.append(text) } }
        for key in lead.customFields.keys.sorted() {
            if case .string(let text) = lead.customFields[key]! { parts.append(text) }
        }
        return String(parts.joined(separator: " ").prefix(65_536)).lowercased()
    }

    /// Whether a keyword occurs in `text` at the start of a word (`financ` finds "financing" but
    /// `price` does not find "overpriced").
    static func mentions(_ keywords: [String], in text: String) -> Bool {
        guard !text.isEmpty else { return false }
        return keywords.contains { keyword in
            let word = keyword.trimmingCharacters(in: .whitespaces).lowercased()
            guard !word.isEmpty else { return false }
            var searchStart = text.startIndex
            while let range = text.range(of: word, range: searchStart..<text.endIndex) {
                if range.lowerBound == text.startIndex { return true }
                let before = text[text.index(before: range.lowerBound)]
                if !before.isLetter && !before.isNumber { return true }
                searchStart = text.index(after: range.lowerBound)
            }
            return false
        }
    }
}
