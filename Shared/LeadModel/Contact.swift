/// The ways to reach a lead: several e-mail addresses and phone numbers, one postal address.
public struct ContactInfo: Hashable, Sendable, Codable {
    /// E-mail addresses, at most one of them preferred.
    public var emails: [EmailAddress]
    /// Phone numbers, at most one of them preferred.
    public var phones: [PhoneNumber]
    /// The postal address, if given.
    public var address: Address?

    /// Creates contact details.
    public init(emails: [EmailAddress] = [], phones: [PhoneNumber] = [], address: Address? = nil) {
        self.emails = emails
        self.phones = phones
        self.address = address
    }

    /// The preferred e-mail address, else the first one.
    public var primaryEmail: EmailAddress? {
        emails.first { $0.preferred == true } ?? emails.first
    }

    /// The preferred phone number, else the first one.
    public var primaryPhone: PhoneNumber? {
        phones.first { $0.preferred == true } ?? phones.first
    }
}

/// An e-mail address of a lead.
public struct EmailAddress: Hashable, Sendable, Codable {
    /// What kind of address it is.
    public enum Kind: String, Hashable, Sendable, Codable, CaseIterable {
        case home, work, other
    }

    /// The address as given.
    public var address: String
    /// Home, work or other.
    public var type: Kind
    /// Whether the lead prefers this address; `nil` when unknown.
    public var preferred: Bool?

    /// Creates an e-mail address.
    public init(address: String, type: Kind = .other, preferred: Bool? = nil) {
        self.address = address
        self.type = type
        self.preferred = preferred
    }
}

/// A phone number of a lead.
public struct PhoneNumber: Hashable, Sendable, Codable {
    /// What kind of line it is.
    public enum Kind: String, Hashable, Sendable, Codable, CaseIterable {
        case mobile, home, work, fax, other
    }

    /// The number exactly as the source sent it.
    public var raw: String
    /// The number in E.164 form (`+16145550142`) when it could be normalized.
    public var e164: String?
    /// Mobile, home, work, fax or other.
    public var type: Kind
    /// Whether the lead prefers this number; `nil` when unknown.
    public var preferred: Bool?

    /// Creates a phone number.
    public init(raw: String, e164: String? = nil, type: Kind = .other, preferred: Bool? = nil) {
        self.raw = raw
        self.e164 = e164
        self.type = type
        self.preferred = preferred
    }
}

/// A postal address.
public struct Address: Hashable, Sendable, Codable {
    /// Street lines, in order.
    public var lines: [String]
    /// City or locality.
    public var city: String?
    /// State, province or region.
    public var region: String?
    /// Postal or ZIP code.
    public var postalCode: String?
    /// ISO 3166-1 alpha-2 country code, e.g. `US`.
    public var country: String?

    /// Creates an address.
    public init(
        lines: [String] = [], city: String? = nil, region: String? = nil,
        postalCode: String? = nil, country: String? = nil
    ) {
        self.lines = lines
        self.city = city
        self.region = region
        self.postalCode = postalCode
        self.country = country
    }
}
