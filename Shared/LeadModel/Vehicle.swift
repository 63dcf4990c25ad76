/// What the customer wants to do with a vehicle (ADF `vehicle@interest`).
public enum VehicleInterest: String, Hashable, Sendable, Codable, CaseIterable {
    case buy, lease, sell
    case tradeIn = "trade_in"
    case testDrive = "test_drive"
    case service, other

    /// Maps an ADF `interest` attribute (`trade-in`, `test-drive`, any case); unknown values are `other`.
    public init(adf value: String) {
        let key = value.lowercased().replacingOccurrences(of: "-", with: "_")
        self = VehicleInterest(rawValue: key) ?? .other
    }
}

/// Condition class of a vehicle (ADF `vehicle@status`, plus certified pre-owned).
public enum VehicleStatus: String, Hashable, Sendable, Codable, CaseIterable {
    case new, used, certified, unknown
}

/// Whether a vehicle of interest is a concrete unit or a description of what is wanted.
public enum VehicleKind: String, Hashable, Sendable, Codable, CaseIterable {
    /// A unit in a dealer's inventory (has a stock number or VIN).
    case inventory
    /// A "search vehicle": the customer's wish (make, model, price range…).
    case search
}

/// A vehicle a lead is interested in.
public struct VehicleOfInterest: Hashable, Sendable, Codable {
    /// The vehicle's id at the source or in inventory, if any.
    public var id: String?
    /// Buy, lease, test drive…
    public var interest: VehicleInterest
    /// New, used, certified.
    public var status: VehicleStatus
    /// Inventory unit or search vehicle.
    public var kind: VehicleKind
    /// Model year.
    public var year: Int?
    /// Manufacturer.
    public var make: String?
    /// Model.
    public var model: String?
    /// Trim level.
    public var trim: String?
    /// Vehicle identification number.
    public var vin: String?
    /// Dealer stock number.
    public var stock: String?
    /// Body style as sent (`SUV`, `Sedan`…).
    public var bodyStyle: String?
    /// Normalized vehicle type used for routing specialization (`suv`, `truck`, `ev`…).
    public var vehicleType: String?
    /// Odometer reading.
    public var mileage: Int?
    /// Asking or offer price.
    public var price: Money?
    /// Whether this is the lead's preferred vehicle (at most one per lead).
    public var isPreferred: Bool
    /// Free-text comments about this vehicle.
    public var comments: String?

    /// Creates a vehicle of interest.
    public init(
        id: String? = nil, interest: VehicleInterest = .buy, status: VehicleStatus = .unknown,
        kind: VehicleKind = .search, year: Int? = nil, make: String? = nil, model: String? = nil,
        trim: String? = nil, vin: String? = nil, stock: String? = nil, bodyStyle: String? = nil,
        vehicleType: String? = nil, mileage: Int? = nil, price: Money? = nil, isPreferred: Bool = false,
        comments: String? = nil
    ) {
        self.id = id
        self.interest = interest
        self.status = status
        self.kind = kind
        self.year = year
        self.make = make
        self.model = model
        self.trim = trim
        self.vin = vin
        self.stock = stock
        self.bodyStyle = bodyStyle
        self.vehicleType = vehicleType
        self.mileage = mileage
        self.price = price
        self.isPreferred = isPreferred
        self.comments = comments
    }
}

/// The customer's vehicle offered in trade.
public struct TradeIn: Hashable, Sendable, Codable {
    /// Condition as rated by the customer or an appraiser.
    public enum Condition: String, Hashable, Sendable, Codable, CaseIterable {
        case excellent, good, fair, poor, unknown
    }

    /// Model year.
    public var year: Int?
    /// Manufacturer.
    public var make: String?
    /// Model.
    public var model: String?
    /// Trim level.
    public var trim: String?
    /// Vehicle identification number.
    public var vin: String?
    /// Odometer reading.
    public var mileage: Int?
    /// Condition.
    public var condition: Condition
    /// Appraised or estimated value.
    public var valuation: Money?
    /// Free-text comments.
    public var comments: String?

    /// Creates a trade-in.
    public init(
        year: Int? = nil, make: String? = nil, model: String? = nil, trim: String? = nil,
        vin: String? = nil, mileage: Int? = nil, condition: Condition = .unknown,
        valuation: Money? = nil, comments: String? = nil
    ) {
        self.year = year
        self.make = make
        self.model = model
        self.trim = trim
        self.vin = vin
        self.mileage = mileage
        self.condition = condition
        self.valuation = valuation
        self.comments = comments
    }
}
