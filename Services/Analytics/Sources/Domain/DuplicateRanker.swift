import Foundation
import LeadModel

/// Why a lead may be the same person as another.
public enum DuplicateReason: String, Sendable, Hashable, Codable, CaseIterable {
    /// An e-mail address in common (case-insensitive).
    case sharedEmail = "shared_email"
    /// A phone number in common (E.164, else the digits).
    case sharedPhone = "shared_phone"
    /// A similar name (after normalizing accents, case and punctuation) and the same postal code.
    case similarNameSamePostalCode = "similar_name_same_postal_code"
    /// The same vehicle of interest, inquired about within the time window.
    case sameVehicleWithinWindow = "same_vehicle_within_window"

    /// How strongly the reason alone suggests the same person (0–1).
    public var weight: Double {
        switch self {
        case .sharedEmail: 0.6
        case .sharedPhone: 0.55
        case .similarNameSamePostalCode: 0.45
        case .sameVehicleWithinWindow: 0.25
        }
    }
}

/// One ranked candidate.
public struct DuplicateCandidate: Sendable, Hashable, Codable {
    /// The candidate lead.
    public var leadId: LeadID
    /// 0–1: the reasons' weights combined (1 − Π(1 − w)), rounded to 3 decimals.
    public var confidence: Double
    /// Why, strongest first.
    public var reasons: [DuplicateReason]
    /// The matched values (the shared e-mail, phone, the other name, the vehicle), for people.
    public var details: [String]
}

/// Ranks likely duplicates of a lead among candidates (pure).
public struct DuplicateRanker: Sendable {
    /// How far apart two inquiries about the same vehicle may be.
    public var vehicleWindow: TimeInterval
    /// The smallest name similarity (0–1, from the edit distance) that counts as similar.
    public var nameSimilarity: Double

    public init(vehicleWindow: TimeInterval = 14 * 86_400, nameSimilarity: Double = 0.8) {
        self.vehicleWindow = vehicleWindow
        self.nameSimilarity = nameSimilarity
    }

    /// The candidates that match `lead` for at least one reason, best first (ties by lead id).
    public func rank(_ lead: Lead, among candidates: [Lead], limit: Int = 20) -> [DuplicateCandidate] {
        candidates.filter { $0.id != lead.id }
            .compactMap { match(lead, $0) }
            .sorted { ($0.confidence, $1.leadId) > ($1.confidence, $0.leadId) }
            .prefix(limit).map { $0 }
    }

    /// Why `other` may duplicate `lead`, if it may.
    public func match(_ lead: Lead, _ other: Lead) -> DuplicateCandidate? {
        var reasons: [DuplicateReason] = []
        var details: [String] = []
        let emails = Set(lead.contacts.emails.map { $0.address.lowercased() })
        if let shared = other.contacts.emails.map({ $0.address.lowercased() }).first(where: emails.contains) {
            reasons.append(.sharedEmail)
            details.append(shared)
        }
        let phones = Set(lead.contacts.phones.map(Self.phoneKey))
        if let shared = other.contacts.phones.map(Self.phoneKey).first(where: { !$0.isEmpty && phones.contains($0) }) {
            reasons.append(.sharedPhone)
            details.append(shared)
        }
        if let postal = Self.postalKey(lead), postal == Self.postalKey(other) {
            let a = Self.nameKey(lead.fullName.full), b = Self.nameKey(other.fullName.full)
            if !a.isEmpty, !b.isEmpty, Self.similarity(a, b) >= nameSimilarity {
                reasons.append(.similarNameSamePostalCode)
                details.append("\(other.fullName.full) (\(postal))")
            }
        }
        if abs(lead.createdAt.timeIntervalSince(other.createdAt)) <= vehicleWindow,
           let vehicle = lead.vehiclesOfInterest.first(where: { mine in other.vehiclesOfInterest.contains { Self.sameVehicle(mine, $0) } }) {
            reasons.append(.sameVehicleWithinWindow)
            details.append([vehicle.year.map(String.init), vehicle.make, vehicle.model].compactMap { $0 }.joined(separator: " "))
        }
        guard !reasons.isEmpty else { return nil }
        let confidence = 1 - reasons.reduce(1.0) { $0 * (1 - $1.weight) }
        return DuplicateCandidate(
            leadId: other.id, confidence: (confidence * 1000).rounded() / 1000,
            reasons: reasons.sorted { $0.weight > $1.weight }, details: details)
    }

    /// Same VIN or stock number, else same make and model (and year when both give one).
    static func sameVehicle(_ a: VehicleOfInterest, _ b: VehicleOfInterest) -> Bool {
        if let vin = a.vin, let other = b.vin { return vin.uppercased() == other.uppercased() }
        if let stock = a.stock, let other = b.stock { return stock == other }
        guard let makeA = a.make?.lowercased(), let modelA = a.model?.lowercased(), !makeA.isEmpty, !modelA.isEmpty else { return false }
        if let yearA = a.year, let yearB = b.year, yearA != yearB { return false }
        return makeA == b.make?.lowercased() && modelA == b.model?.lowercased()
    }

    static func phoneKey(_ phone: PhoneNumber) -> String {
        phone.e164 ?? String(phone.raw.unicodeScalars.filter { CharacterSet.decimalDigits.contains($0) }.map(Character.init))
    }

    static func postalKey(_ lead: Lead) -> String? {
        guard let code = lead.contacts.address?.postalCode else { return nil }
        let key = code.uppercased().filter { $0.isLetter || $0.isNumber }
        return key.isEmpty ? nil : key
    }

    /// Lower case, accents folded, letters and single spaces only, words sorted (so
    /// "Smith, John" matches "John Smith").
    static func nameKey(_ name: String) -> String {
        let folded = name.folding(options: [.diacriticInsensitive, .caseInsensitive, .widthInsensitive], locale: nil).lowercased()
        let words = folded.split { !$0.isLetter }.map(String.init)
        return String(words.sorted().joined(separator: " ").prefix(120))
    }

    /// 1 − edit distance / longer length.
    static func similarity(_ a: String, _ b: String) -> Double {
        let x = Array(a), y = Array(b)
        guard !x.isEmpty || !y.isEmpty else { return 1 }
        var previous = Array(0...y.count)
        var current = [Int](repeating: 0, count: y.count + 1)
        for i in 1...max(x.count, 1) where !x.isEmpty {
            current[0] = i
            for j in stride(from: 1, through: y.count, by: 1) {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        let distance = x.isEmpty ? y.count : previous[y.count]
        return 1 - Double(distance) / Double(max(x.count, y.count))
    }
}
