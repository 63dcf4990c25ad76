/// The factors of a score: stable keys (they appear in `leads.scored` and in explanations) with
/// their labels, in the order explanations list them. The rule model gives each factor points;
/// the learned model re-weights the same factors.
public enum ScoringFactor: String, Hashable, Sendable, Codable, CaseIterable {
    case email = "contact.email"
    case phone = "contact.phone"
    case address = "contact.address"
    case specificVehicle = "intent.specific_vehicle"
    case browsing = "intent.browsing"
    case interest = "intent.interest"
    case appointmentRequested = "intent.appointment_requested"
    case pricingOrFinancing = "intent.pricing_or_financing"
    case tradeIn = "intent.trade_in"
    case qualifiedBudget = "budget.qualified"
    case timeline = "timeline"
    case sourceQuality = "source.quality"
    case replies = "engagement.replies"
    case callsConnected = "engagement.calls_connected"
    case appointmentsKept = "engagement.appointments_kept"
    case recentChat = "engagement.recent_chat"
    case recencyDecay = "recency.decay"
    case testLead = "negative.test_lead"
    case invalidPhone = "negative.invalid_phone"
    case rejectedDuplicate = "negative.rejected_duplicate"
    case noShows = "negative.no_shows"

    /// The stable key.
    public var key: String { rawValue }

    /// A label for people.
    public var label: String {
        switch self {
        case .email: "E-mail address"
        case .phone: "Valid phone number"
        case .address: "Postal address"
        case .specificVehicle: "Specific vehicle"
        case .browsing: "Browsing (vehicle description only)"
        case .interest: "Interest type"
        case .appointmentRequested: "Test drive or appointment requested"
        case .pricingOrFinancing: "Asked about pricing or financing"
        case .tradeIn: "Trade-in offered"
        case .qualifiedBudget: "Qualified budget"
        case .timeline: "Purchase timeline"
        case .sourceQuality: "Source quality"
        case .replies: "Customer replies"
        case .callsConnected: "Calls connected"
        case .appointmentsKept: "Appointments kept"
        case .recentChat: "Recent chat"
        case .recencyDecay: "Recency decay"
        case .testLead: "Test lead"
        case .invalidPhone: "Invalid phone number"
        case .rejectedDuplicate: "Rejected as duplicate"
        case .noShows: "Missed appointments"
        }
    }
}

/// One factor evaluated for one lead.
public struct FactorEvaluation: Hashable, Sendable, Codable {
    /// Which factor.
    public var factor: ScoringFactor
    /// How strongly it applies, 0 (not at all) to 1 (fully): the feature the learned model weighs.
    public var activation: Double
    /// Points it adds to the score (negative: subtracts).
    public var contribution: Double
    /// Why, in words (never personal data).
    public var detail: String

    /// Creates an evaluation.
    public init(factor: ScoringFactor, activation: Double, contribution: Double, detail: String) {
        self.factor = factor
        self.activation = activation
        self.contribution = contribution
        self.detail = detail
    }
}
