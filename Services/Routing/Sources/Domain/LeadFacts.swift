import Foundation
import LeadModel

/// What routing reads from a lead: the location it names, where the customer is, what they
/// want and how hot it is.
public struct LeadFacts: Sendable, Hashable {
    /// Custom fields sources use to name a dealer or location (besides `Lead.locationId`).
    public static let locationFieldNames = [
        "vendorId", "vendor_id", "vendorName", "vendor_name", "vendor", "dealerId", "dealer_id", "dealer",
        "locationId", "location_id", "location",
    ]

    /// References to a location the lead names (ADF vendor, form location), in priority order.
    public var namedLocations: [String]
    /// The customer's postal code, normalized (upper case, letters and digits only).
    public var postalCode: String?
    /// The customer's country (ISO code, upper case).
    public var country: String?
    /// Coordinates the lead carries itself (`latitude`/`longitude` custom fields).
    public var point: GeoPoint?
    /// The normalized vehicle type of the preferred vehicle (`suv`).
    public var vehicleType: String?
    /// The price that decides price-range specialization: the preferred vehicle's price, else
    /// the top of the budget, else its bottom.
    public var price: Money?
    /// Whether the lead is Hot (priority, or score ≥ 60).
    public var isHot: Bool

    /// Reads the facts of `lead`.
    public init(_ lead: Lead) {
        var named: [String] = []
        if let id = lead.locationId?.trimmingCharacters(in: .whitespaces), !id.isEmpty { named.append(id) }
        for key in Self.locationFieldNames {
            if case .string(let value)? = lead.customFields[key] {
                let trimmed = value.trimmingCharacters(in: .whitespaces)
                if !trimmed.isEmpty, !named.contains(trimmed) { named.append(trimmed) }
            }
        }
        namedLocations = named
        postalCode = lead.contacts.address?.postalCode.map(Self.normalizedPostalCode).flatMap { $0.isEmpty ? nil : $0 }
        country = lead.contacts.address?.country?.uppercased()
        point = Self.coordinates(in: lead.customFields)
        let vehicle = lead.preferredVehicle
        vehicleType = vehicle?.vehicleType.map { $0.lowercased().trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
        price = vehicle?.price ?? lead.budget?.max ?? lead.budget?.min
        if let priority = lead.priority {
            isHot = priority == .hot
        } else if let score = lead.score {
            isHot = Priority(score: score) == .hot
        } else {
            isHot = false
        }
    }

    /// Upper case, letters and digits only (`"sw1a 1aa"` → `"SW1A1AA"`, `"43219-1234"` → `"432191234"`).
    public static func normalizedPostalCode(_ text: String) -> String {
        String(text.uppercased().unicodeScalars.filter { CharacterSet.alphanumerics.contains($0) && $0.isASCII }.map(Character.init))
    }

    private static func coordinates(in fields: [String: CustomFieldValue]) -> GeoPoint? {
        func number(_ keys: [String]) -> Double? {
            for key in keys {
                switch fields[key] {
                case .number(let value)?: return NSDecimalNumber(decimal: value).doubleValue
                case .string(let text)?: if let value = Double(text) { return value }
                default: continue
                }
            }
            return nil
        }
        guard let latitude = number(["latitude", "lat"]), let longitude = number(["longitude", "lon", "lng"]) else { return nil }
        let point = GeoPoint(latitude: latitude, longitude: longitude)
        return point.isValid ? point : nil
    }
}
