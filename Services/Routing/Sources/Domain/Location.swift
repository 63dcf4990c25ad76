import Foundation
import LeadModel

/// A dealer, branch or installer location leads are sent to.
public struct Location: Hashable, Sendable, Codable, Identifiable {
    /// `loc-…`.
    public var id: String
    /// Display name.
    public var name: String
    /// Other names sources use for this location (an ADF vendor id such as `DLR-30412`, a
    /// vendor name, a form's location field); matched case-insensitively when a lead names one.
    public var aliases: [String]
    /// Street address.
    public var address: Address?
    /// Where it is, for distance-based territory.
    public var geo: GeoPoint?
    /// Postal codes or their prefixes it covers (`43`, `432`, `43219`, `SW1A`).
    public var postalAreas: [String]
    /// Farthest customer it serves by distance, in kilometres (nil: no limit).
    public var serviceRadiusKm: Double?
    /// Its IANA time zone (for the follow-up schedule of its contacts).
    public var timeZone: String?
    /// The people who receive and answer its leads.
    public var contacts: [LocationContact]
    /// How long it has to acknowledge a lead before it is re-routed (nil: the platform default, 24 h).
    public var responseSlaSeconds: Int?
    /// Where its leads go when none of its teams can take one.
    public var fallbacks: [FallbackTarget]
    /// Whether it receives leads.
    public var active: Bool

    /// Creates a location.
    public init(
        id: String, name: String, aliases: [String] = [], address: Address? = nil, geo: GeoPoint? = nil,
        postalAreas: [String] = [], serviceRadiusKm: Double? = nil, timeZone: String? = nil,
        contacts: [LocationContact] = [], responseSlaSeconds: Int? = nil, fallbacks: [FallbackTarget] = [],
        active: Bool = true
    ) {
        self.id = id
        self.name = name
        self.aliases = aliases
        self.address = address
        self.geo = geo
        self.postalAreas = postalAreas
        self.serviceRadiusKm = serviceRadiusKm
        self.timeZone = timeZone
        self.contacts = contacts
        self.responseSlaSeconds = responseSlaSeconds
        self.fallbacks = fallbacks
        self.active = active
    }

    private enum CodingKeys: String, CodingKey {
        case id, name, aliases, address, geo, postalAreas, serviceRadiusKm, timeZone, contacts
        case responseSlaSeconds, fallbacks, active
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            id: try c.decodeIfPresent(String.self, forKey: .id) ?? "",
            name: try c.decode(String.self, forKey: .name),
            aliases: try c.decodeIfPresent([String].self, forKey: .aliases) ?? [],
            address: try c.decodeIfPresent(Address.self, forKey: .address),
            geo: try c.decodeIfPresent(GeoPoint.self, forKey: .geo),
            postalAreas: try c.decodeIfPresent([String].self, forKey: .postalAreas) ?? [],
            serviceRadiusKm: try c.decodeIfPresent(Double.self, forKey: .serviceRadiusKm),
            timeZone: try c.decodeIfPresent(String.self, forKey: .timeZone),
            contacts: try c.decodeIfPresent([LocationContact].self, forKey: .contacts) ?? [],
            responseSlaSeconds: try c.decodeIfPresent(Int.self, forKey: .responseSlaSeconds),
            fallbacks: try c.decodeIfPresent([FallbackTarget].self, forKey: .fallbacks) ?? [],
            active: try c.decodeIfPresent(Bool.self, forKey: .active) ?? true)
    }
}

/// A person at a location who receives its leads and answers them (through signed action links).
public struct LocationContact: Hashable, Sendable, Codable, Identifiable {
    /// Id unique within the location (`contact-…`); the notifier's recipient directory uses it.
    public var id: String
    /// Name.
    public var name: String
    /// E-mail address.
    public var email: String?
    /// Phone number (SMS).
    public var phone: String?
    /// Role at the location (`internet sales manager`…).
    public var role: String?
    /// Whether new leads are sent to this contact.
    public var receivesLeads: Bool
    /// How long the contact wants to wait before Leadflow asks for a status update on an
    /// accepted or won lead.
    public var followUpDelay: FollowUpDelay?

    /// Creates a contact.
    public init(
        id: String, name: String, email: String? = nil, phone: String? = nil, role: String? = nil,
        receivesLeads: Bool = true, followUpDelay: FollowUpDelay? = nil
    ) {
        self.id = id
        self.name = name
        self.email = email
        self.phone = phone
        self.role = role
        self.receivesLeads = receivesLeads
        self.followUpDelay = followUpDelay
    }

    private enum CodingKeys: String, CodingKey { case id, name, email, phone, role, receivesLeads, followUpDelay }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            id: try c.decodeIfPresent(String.self, forKey: .id) ?? "",
            name: try c.decode(String.self, forKey: .name),
            email: try c.decodeIfPresent(String.self, forKey: .email),
            phone: try c.decodeIfPresent(String.self, forKey: .phone),
            role: try c.decodeIfPresent(String.self, forKey: .role),
            receivesLeads: try c.decodeIfPresent(Bool.self, forKey: .receivesLeads) ?? true,
            followUpDelay: try c.decodeIfPresent(FollowUpDelay.self, forKey: .followUpDelay))
    }
}
