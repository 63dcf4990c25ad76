/// Why a lead was lost. ``other`` requires a note.
public enum LostReason: String, Hashable, Sendable, Codable, CaseIterable {
    case purchasedElsewhere = "purchased_elsewhere"
    case priceTooHigh = "price_too_high"
    case wrongVehicleType = "wrong_vehicle_type"
    case badCredit = "bad_credit"
    case noLongerInterested = "no_longer_interested"
    case other

    /// Whether a free-text note must accompany this reason.
    public var requiresNote: Bool {
        self == .other
    }
}
