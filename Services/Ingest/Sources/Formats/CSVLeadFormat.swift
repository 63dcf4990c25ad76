import LeadModel

/// Maps the rows of a CSV import to submissions through its header row. Header names are
/// matched loosely (`First Name`, `first_name`, `FIRSTNAME`); unknown columns become custom fields.
public struct CSVLeadFormat: Sendable {
    /// What a column holds.
    enum Column: Sendable, Hashable {
        case sourceLeadId, submittedAt, firstName, middleName, lastName, fullName
        case email(EmailAddress.Kind), phone(PhoneNumber.Kind)
        case street, city, region, postalCode, country
        case year, make, model, trim, vin, stock, bodyStyle, price, mileage, interest, vehicleStatus
        case tradeYear, tradeMake, tradeModel, tradeVin, tradeMileage, tradeValue
        case comments, timeframe, partner, campaignId, campaignName, budgetMin, budgetMax, stage, isTest
        case custom(String)
    }

    static let aliases: [String: Column] = [
        "id": .sourceLeadId, "leadid": .sourceLeadId, "externalid": .sourceLeadId, "sourceleadid": .sourceLeadId,
        "submittedat": .submittedAt, "date": .submittedAt, "createdat": .submittedAt, "leaddate": .submittedAt,
        "requestdate": .submittedAt, "created": .submittedAt,
        "firstname": .firstName, "first": .firstName, "givenname": .firstName, "fname": .firstName,
        "middlename": .middleName, "middle": .middleName,
        "lastname": .lastName, "last": .lastName, "surname": .lastName, "familyname": .lastName, "lname": .lastName,
        "name": .fullName, "fullname": .fullName, "customername": .fullName, "contactname": .fullName,
        "email": .email(.other), "emailaddress": .email(.other), "email1": .email(.other), "email2": .email(.other),
        "homeemail": .email(.home), "personalemail": .email(.home), "workemail": .email(.work),
        "phone": .phone(.other), "phonenumber": .phone(.other), "phone1": .phone(.other), "phone2": .phone(.other),
        "telephone": .phone(.other), "mobile": .phone(.mobile), "mobilephone": .phone(.mobile), "cell": .phone(.mobile),
        "cellphone": .phone(.mobile), "homephone": .phone(.home), "workphone": .phone(.work), "fax": .phone(.fax),
        "street": .street, "address": .street, "address1": .street, "addressline1": .street, "address2": .street,
        "addressline2": .street, "streetaddress": .street,
        "city": .city, "town": .city, "state": .region, "region": .region, "province": .region,
        "zip": .postalCode, "zipcode": .postalCode, "postalcode": .postalCode, "postcode": .postalCode,
        "country": .country,
        "year": .year, "vehicleyear": .year, "make": .make, "vehiclemake": .make, "model": .model,
        "vehiclemodel": .model, "trim": .trim, "vin": .vin, "stock": .stock, "stocknumber": .stock,
        "bodystyle": .bodyStyle, "body": .bodyStyle, "price": .price, "vehicleprice": .price, "mileage": .mileage,
        "odometer": .mileage, "interest": .interest, "condition": .vehicleStatus, "vehiclecondition": .vehicleStatus,
        "newused": .vehicleStatus,
        "tradeinyear": .tradeYear, "tradeinmake": .tradeMake, "tradeinmodel": .tradeModel, "tradeinvin": .tradeVin,
        "tradeinmileage": .tradeMileage, "tradeinvalue": .tradeValue,
        "comments": .comments, "comment": .comments, "notes": .comments, "message": .comments,
        "timeframe": .timeframe, "purchasetimeframe": .timeframe, "partner": .partner, "dealer": .partner,
        "campaignid": .campaignId, "campaign": .campaignName, "campaignname": .campaignName,
        "budgetmin": .budgetMin, "budgetmax": .budgetMax, "budget": .budgetMax, "stage": .stage,
        "lifecyclestage": .stage, "istest": .isTest, "test": .isTest,
    ]

    /// The header's column meanings.
    let columns: [Column]
    /// The header as written (for custom field keys and error paths).
    public let header: [String]

    /// Reads the header row.
    /// - Throws: ``IntakeRejection`` (`csv_header_invalid`) when it has no e-mail or phone column.
    public init(header: [String]) throws(IntakeRejection) {
        self.header = header.map { $0.trimmingWhitespace }
        var seen = Set<String>()
        columns = self.header.map { name in
            let key = String(name.lowercased().filter { $0.isLetter || $0.isNumber })
            return Self.aliases[key] ?? .custom(name)
        }
        for name in self.header where !seen.insert(name.lowercased()).inserted && !name.isEmpty {
            throw .field("/header/\(JSONFieldReader.escape(name))", rule: "unique", "the header names a column twice", code: "csv_header_invalid")
        }
        guard columns.contains(where: { if case .email = $0 { true } else if case .phone = $0 { true } else { false } }) else {
            throw .field("/header", rule: "required_one_of", "the header needs an e-mail or a phone column", code: "csv_header_invalid")
        }
    }

    /// The submission of one data row (its fields already decoded).
    public func submission(_ fields: [String], row: Int) -> LeadSubmission {
        var s = LeadSubmission()
        var address = AddressDraft()
        var vehicle = VehicleDraft()
        var tradeIn = TradeInDraft()
        var timeframe = TimeframeDraft()
        for (index, column) in columns.enumerated() where index < fields.count {
            let value = fields[index]
            guard !value.trimmingWhitespace.isEmpty else { continue }
            let field = FieldText(value, at: "/rows/\(row)/\(JSONFieldReader.escape(header[index]))")
            switch column {
            case .sourceLeadId: s.sourceLeadId = field
            case .submittedAt: s.submittedAt = field
            case .firstName: s.firstName = field
            case .middleName: s.middleName = field
            case .lastName: s.lastName = field
            case .fullName: s.fullName = field
            case .email(let kind): s.emails.append(.init(address: field, type: kind))
            case .phone(let kind): s.phones.append(.init(number: field, type: kind))
            case .street: address.lines.append(field)
            case .city: address.city = field
            case .region: address.region = field
            case .postalCode: address.postalCode = field
            case .country: address.country = field
            case .year: vehicle.year = field
            case .make: vehicle.make = field
            case .model: vehicle.model = field
            case .trim: vehicle.trim = field
            case .vin: vehicle.vin = field
            case .stock: vehicle.stock = field
            case .bodyStyle: vehicle.bodyStyle = field
            case .price: vehicle.price = MoneyDraft(amount: field)
            case .mileage: vehicle.mileage = field
            case .interest: vehicle.interest = VehicleInterest(adf: value.trimmingWhitespace)
            case .vehicleStatus: vehicle.status = VehicleStatus(rawValue: value.trimmingWhitespace.lowercased()) ?? .unknown
            case .tradeYear: tradeIn.year = field
            case .tradeMake: tradeIn.make = field
            case .tradeModel: tradeIn.model = field
            case .tradeVin: tradeIn.vin = field
            case .tradeMileage: tradeIn.mileage = field
            case .tradeValue: tradeIn.valuation = MoneyDraft(amount: field)
            case .comments: s.comments = field
            case .timeframe: timeframe.description = field
            case .partner: s.partner = field
            case .campaignId: s.attribution.campaignId = field
            case .campaignName: s.attribution.campaignName = field
            case .budgetMin: s.budgetMin = MoneyDraft(amount: field)
            case .budgetMax: s.budgetMax = MoneyDraft(amount: field)
            case .stage: s.lifecycleStage = LifecycleStage(rawValue: value.trimmingWhitespace.lowercased()) ?? .lead
            case .isTest: s.isTest = ["1", "true", "yes", "y"].contains(value.trimmingWhitespace.lowercased())
            case .custom(let name): s.customFields.append(.init(key: name, value: .string(value), path: field.path))
            }
        }
        if address != AddressDraft() { s.address = address }
        if vehicle != VehicleDraft() {
            vehicle.isPreferred = true
            s.vehicles.append(vehicle)
        }
        if tradeIn != TradeInDraft() { s.tradeIns.append(tradeIn) }
        if timeframe != TimeframeDraft() { s.timeframe = timeframe }
        return s
    }
}
