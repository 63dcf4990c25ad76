import LeadModel

/// A piece of text a sender gave, with where it was in their document (a JSON pointer, an
/// XML path or a CSV column), so a rejection can name the field.
public struct FieldText: Sendable, Hashable {
    /// The text exactly as sent.
    public var text: String
    /// Where it was, e.g. `/emails/0/address` or `/adf/prospect[1]/customer/contact/email[1]`.
    public var path: String

    /// Creates a field.
    public init(_ text: String, at path: String) {
        self.text = text
        self.path = path
    }
}

/// One inquiry as a sender described it, before normalization: every intake format (JSON,
/// ADF, Meta, Google, CSV) maps its document to this, and ``LeadBuilder`` turns it into a
/// ``Lead`` or a list of violations.
public struct LeadSubmission: Sendable, Hashable {
    /// The lead's id at the sender (re-deliveries carry the same one).
    public var sourceLeadId: FieldText?
    /// When the person submitted it.
    public var submittedAt: FieldText?
    /// Name parts; `full` is split when the parts are missing.
    public var firstName: FieldText?
    public var middleName: FieldText?
    public var lastName: FieldText?
    public var fullName: FieldText?
    /// E-mail addresses.
    public var emails: [Email] = []
    /// Phone numbers.
    public var phones: [Phone] = []
    /// Postal address.
    public var address: AddressDraft?
    /// Vehicles of interest.
    public var vehicles: [VehicleDraft] = []
    /// Trade-ins.
    public var tradeIns: [TradeInDraft] = []
    /// Budget bounds.
    public var budgetMin: MoneyDraft?
    public var budgetMax: MoneyDraft?
    /// Purchase timeframe.
    public var timeframe: TimeframeDraft?
    /// Lifecycle stage the record enters at.
    public var lifecycleStage: LifecycleStage = .lead
    /// The customer's comments.
    public var comments: FieldText?
    /// Sender-specific fields.
    public var customFields: [CustomField] = []
    /// Consent given.
    public var consent: Consent?
    /// The partner the lead belongs to (ADF vendor, dealer group).
    public var partner: FieldText?
    /// Advertising attribution.
    public var attribution = Attribution()
    /// Whether the sender marked it as a test lead.
    public var isTest = false
    /// Where a person entering the lead by hand wants it to go (honoured for manual entry only;
    /// integrations and feeds are routed).
    public var locationId: FieldText?

    /// Creates an empty submission.
    public init() {}

    /// An e-mail address as sent.
    public struct Email: Sendable, Hashable {
        public var address: FieldText
        public var type: EmailAddress.Kind
        public var preferred: Bool?

        public init(address: FieldText, type: EmailAddress.Kind = .other, preferred: Bool? = nil) {
            self.address = address
            self.type = type
            self.preferred = preferred
        }
    }

    /// A phone number as sent.
    public struct Phone: Sendable, Hashable {
        public var number: FieldText
        public var type: PhoneNumber.Kind
        public var preferred: Bool?

        public init(number: FieldText, type: PhoneNumber.Kind = .other, preferred: Bool? = nil) {
            self.number = number
            self.type = type
            self.preferred = preferred
        }
    }

    /// A custom field as sent.
    public struct CustomField: Sendable, Hashable {
        public var key: String
        public var value: CustomFieldValue
        public var path: String

        public init(key: String, value: CustomFieldValue, path: String) {
            self.key = key
            self.value = value
            self.path = path
        }
    }

    /// Campaign attribution at the ad network.
    public struct Attribution: Sendable, Hashable {
        public var partner: FieldText?
        public var campaignId: FieldText?
        public var campaignName: FieldText?
        public var adId: FieldText?
        public var formId: FieldText?

        public init() {}
    }
}

/// A postal address as sent.
public struct AddressDraft: Sendable, Hashable {
    public var lines: [FieldText] = []
    public var city: FieldText?
    public var region: FieldText?
    public var postalCode: FieldText?
    public var country: FieldText?

    public init() {}
}

/// An amount as sent, with its currency if given apart.
public struct MoneyDraft: Sendable, Hashable {
    public var amount: FieldText
    public var currency: FieldText?

    public init(amount: FieldText, currency: FieldText? = nil) {
        self.amount = amount
        self.currency = currency
    }
}

/// A vehicle of interest as sent.
public struct VehicleDraft: Sendable, Hashable {
    public var id: FieldText?
    public var interest: VehicleInterest = .buy
    public var status: VehicleStatus = .unknown
    public var kind: VehicleKind?
    public var year: FieldText?
    public var make: FieldText?
    public var model: FieldText?
    public var trim: FieldText?
    public var vin: FieldText?
    public var stock: FieldText?
    public var bodyStyle: FieldText?
    public var vehicleType: FieldText?
    public var mileage: FieldText?
    public var price: MoneyDraft?
    public var isPreferred = false
    public var comments: FieldText?

    public init() {}
}

/// A trade-in as sent.
public struct TradeInDraft: Sendable, Hashable {
    public var year: FieldText?
    public var make: FieldText?
    public var model: FieldText?
    public var trim: FieldText?
    public var vin: FieldText?
    public var mileage: FieldText?
    public var condition: TradeIn.Condition = .unknown
    public var valuation: MoneyDraft?
    public var comments: FieldText?

    public init() {}
}

/// A timeframe as sent.
public struct TimeframeDraft: Sendable, Hashable {
    public var description: FieldText?
    public var earliest: FieldText?
    public var latest: FieldText?
    public var bucket: Timeframe.Bucket?

    public init() {}
}
