import LeadModel

/// How a manually entered lead came in (phone call, walk-in, referral).
public enum ManualEntryKind: String, Sendable, Hashable, CaseIterable {
    case phone
    case walkIn = "walk_in"
    case referral
    case other
}

/// A generic JSON lead document (`POST /v1/leads`, `application/json` on `leads.inbound`),
/// read into a ``LeadSubmission`` plus the routing hints it may carry. The JSON Schema is
/// `Services/Ingest/Schemas/lead-submission.schema.json`.
public struct GenericLeadDocument: Sendable, Hashable {
    /// The lead as sent.
    public var submission: LeadSubmission
    /// The source it is submitted for (admins and multi-source integrations choose).
    public var sourceId: String?
    /// Set for manual entry.
    public var manualKind: ManualEntryKind?
    /// Who referred the person (manual referral entry).
    public var referredBy: FieldText?

    static let topLevelKeys: Set<String> = [
        "externalId", "submittedAt", "name", "emails", "email", "phones", "phone", "address", "vehicles",
        "tradeIns", "budget", "timeframe", "lifecycleStage", "comments", "customFields", "consent", "partner",
        "attribution", "isTest", "sourceId", "manual", "locationId",
    ]

    /// Reads `value`, collecting every violation.
    public static func read(_ value: JSONValue) throws(IntakeRejection) -> GenericLeadDocument {
        guard case .object(let root) = value else {
            throw .field("/", rule: "type", "the document must be a JSON object")
        }
        var reader = JSONFieldReader()
        var s = LeadSubmission()
        reader.onlyKnownKeys(root, topLevelKeys, at: "")
        s.sourceLeadId = reader.text(root, "externalId", at: "", numbers: true)
        s.submittedAt = reader.text(root, "submittedAt", at: "")
        readName(root, into: &s, reader: &reader)
        readContacts(root, into: &s, reader: &reader)
        if let address = reader.object(root, "address", at: "") {
            reader.onlyKnownKeys(address, ["lines", "city", "region", "postalCode", "country"], at: "/address")
            var draft = AddressDraft()
            for (index, line) in (reader.array(address, "lines", at: "/address") ?? []).enumerated() {
                if let text = line.string { draft.lines.append(FieldText(text, at: "/address/lines/\(index)")) } else {
                    reader.fail("/address/lines/\(index)", "type", "an address line must be a string")
                }
            }
            draft.city = reader.text(address, "city", at: "/address")
            draft.region = reader.text(address, "region", at: "/address")
            draft.postalCode = reader.text(address, "postalCode", at: "/address", numbers: true)
            draft.country = reader.text(address, "country", at: "/address")
            s.address = draft
        }
        for (index, item) in (reader.array(root, "vehicles", at: "") ?? []).enumerated() {
            guard case .object(let vehicle) = item else {
                reader.fail("/vehicles/\(index)", "type", "a vehicle must be an object")
                continue
            }
            s.vehicles.append(readVehicle(vehicle, at: "/vehicles/\(index)", reader: &reader))
        }
        for (index, item) in (reader.array(root, "tradeIns", at: "") ?? []).enumerated() {
            guard case .object(let tradeIn) = item else {
                reader.fail("/tradeIns/\(index)", "type", "a trade-in must be an object")
                continue
            }
            s.tradeIns.append(readTradeIn(tradeIn, at: "/tradeIns/\(index)", reader: &reader))
        }
        if let budget = reader.object(root, "budget", at: "") {
            reader.onlyKnownKeys(budget, ["min", "max"], at: "/budget")
            s.budgetMin = reader.money(budget, "min", at: "/budget")
            s.budgetMax = reader.money(budget, "max", at: "/budget")
        }
        if let timeframe = reader.object(root, "timeframe", at: "") {
            reader.onlyKnownKeys(timeframe, ["description", "earliest", "latest", "bucket"], at: "/timeframe")
            var draft = TimeframeDraft()
            draft.description = reader.text(timeframe, "description", at: "/timeframe")
            draft.earliest = reader.text(timeframe, "earliest", at: "/timeframe")
            draft.latest = reader.text(timeframe, "latest", at: "/timeframe")
            draft.bucket = reader.enumeration(Timeframe.Bucket.self, timeframe, "bucket", at: "/timeframe")
            s.timeframe = draft
        }
        s.lifecycleStage = reader.enumeration(LifecycleStage.self, root, "lifecycleStage", at: "") ?? .lead
        s.comments = reader.text(root, "comments", at: "")
        if let custom = reader.object(root, "customFields", at: "") {
            for (key, value) in custom.members {
                let path = "/customFields/\(JSONFieldReader.escape(key))"
                if let converted = reader.customValue(value, at: path) {
                    s.customFields.append(.init(key: key, value: converted, path: path))
                }
            }
        }
        if let consent = reader.object(root, "consent", at: "") {
            reader.onlyKnownKeys(consent, ["email", "sms", "phone", "marketing", "recordedAt"], at: "/consent")
            let recorded = reader.text(consent, "recordedAt", at: "/consent")
            let recordedAt = recorded.flatMap { DateParser.parse($0.text) }
            if let recorded, recordedAt == nil { reader.fail(recorded.path, "date_time", "the field is not a date-time") }
            s.consent = Consent(
                email: reader.bool(consent, "email", at: "/consent"), sms: reader.bool(consent, "sms", at: "/consent"),
                phone: reader.bool(consent, "phone", at: "/consent"), marketing: reader.bool(consent, "marketing", at: "/consent"),
                recordedAt: recordedAt)
        }
        s.partner = reader.text(root, "partner", at: "")
        if let attribution = reader.object(root, "attribution", at: "") {
            reader.onlyKnownKeys(attribution, ["partner", "campaignId", "campaignName", "adId", "formId"], at: "/attribution")
            s.attribution.partner = reader.text(attribution, "partner", at: "/attribution")
            s.attribution.campaignId = reader.text(attribution, "campaignId", at: "/attribution", numbers: true)
            s.attribution.campaignName = reader.text(attribution, "campaignName", at: "/attribution")
            s.attribution.adId = reader.text(attribution, "adId", at: "/attribution", numbers: true)
            s.attribution.formId = reader.text(attribution, "formId", at: "/attribution", numbers: true)
        }
        s.isTest = reader.bool(root, "isTest", at: "") ?? false
        s.locationId = reader.text(root, "locationId", at: "")
        var document = GenericLeadDocument(submission: s)
        document.sourceId = reader.text(root, "sourceId", at: "")?.text
        if let manual = reader.object(root, "manual", at: "") {
            reader.onlyKnownKeys(manual, ["kind", "referredBy"], at: "/manual")
            document.manualKind = reader.enumeration(ManualEntryKind.self, manual, "kind", at: "/manual")
            if document.manualKind == nil, !reader.violations.contains(where: { $0.field == "/manual/kind" }) {
                reader.fail("/manual/kind", "required", "manual entry needs its kind (phone, walk_in, referral, other)")
            }
            document.referredBy = reader.text(manual, "referredBy", at: "/manual")
        }
        if !reader.violations.isEmpty { throw IntakeRejection(reader.violations) }
        return document
    }

    static func readName(_ root: JSONObject, into s: inout LeadSubmission, reader: inout JSONFieldReader) {
        switch root["name"] {
        case .string(let full)?:
            s.fullName = FieldText(full, at: "/name")
        case .object(let name)?:
            reader.onlyKnownKeys(name, ["first", "middle", "last", "full"], at: "/name")
            s.firstName = reader.text(name, "first", at: "/name")
            s.middleName = reader.text(name, "middle", at: "/name")
            s.lastName = reader.text(name, "last", at: "/name")
            s.fullName = reader.text(name, "full", at: "/name")
        case nil, .null?:
            break
        case let other?:
            reader.fail("/name", "type", "the name must be a string or an object, not \(other.typeName)")
        }
    }

    static func readContacts(_ root: JSONObject, into s: inout LeadSubmission, reader: inout JSONFieldReader) {
        if let email = reader.text(root, "email", at: "") { s.emails.append(.init(address: email)) }
        for (index, item) in (reader.array(root, "emails", at: "") ?? []).enumerated() {
            let path = "/emails/\(index)"
            switch item {
            case .string(let text):
                s.emails.append(.init(address: FieldText(text, at: path)))
            case .object(let email):
                reader.onlyKnownKeys(email, ["address", "type", "preferred"], at: path)
                guard let address = reader.text(email, "address", at: path) else {
                    reader.fail("\(path)/address", "required", "an e-mail entry needs its address")
                    continue
                }
                s.emails.append(.init(
                    address: address, type: reader.enumeration(EmailAddress.Kind.self, email, "type", at: path) ?? .other,
                    preferred: reader.bool(email, "preferred", at: path)))
            default:
                reader.fail(path, "type", "an e-mail entry is a string or an object")
            }
        }
        if let phone = reader.text(root, "phone", at: "", numbers: true) { s.phones.append(.init(number: phone)) }
        for (index, item) in (reader.array(root, "phones", at: "") ?? []).enumerated() {
            let path = "/phones/\(index)"
            switch item {
            case .string(let text):
                s.phones.append(.init(number: FieldText(text, at: path)))
            case .object(let phone):
                reader.onlyKnownKeys(phone, ["number", "type", "preferred"], at: path)
                guard let number = reader.text(phone, "number", at: path, numbers: true) else {
                    reader.fail("\(path)/number", "required", "a phone entry needs its number")
                    continue
                }
                s.phones.append(.init(
                    number: number, type: reader.enumeration(PhoneNumber.Kind.self, phone, "type", at: path) ?? .other,
                    preferred: reader.bool(phone, "preferred", at: path)))
            default:
                reader.fail(path, "type", "a phone entry is a string or an object")
            }
        }
    }

    static func readVehicle(_ vehicle: JSONObject, at path: String, reader: inout JSONFieldReader) -> VehicleDraft {
        reader.onlyKnownKeys(vehicle, [
            "id", "interest", "status", "kind", "year", "make", "model", "trim", "vin", "stock", "bodyStyle",
            "vehicleType", "mileage", "price", "isPreferred", "comments",
        ], at: path)
        var draft = VehicleDraft()
        draft.id = reader.text(vehicle, "id", at: path, numbers: true)
        draft.interest = reader.enumeration(VehicleInterest.self, vehicle, "interest", at: path) ?? .buy
        draft.status = reader.enumeration(VehicleStatus.self, vehicle, "status", at: path) ?? .unknown
        draft.kind = reader.enumeration(VehicleKind.self, vehicle, "kind", at: path)
        draft.year = reader.text(vehicle, "year", at: path, numbers: true)
        draft.make = reader.text(vehicle, "make", at: path)
        draft.model = reader.text(vehicle, "model", at: path)
        draft.trim = reader.text(vehicle, "trim", at: path)
        draft.vin = reader.text(vehicle, "vin", at: path)
        draft.stock = reader.text(vehicle, "stock", at: path, numbers: true)
        draft.bodyStyle = reader.text(vehicle, "bodyStyle", at: path)
        draft.vehicleType = reader.text(vehicle, "vehicleType", at: path)
        draft.mileage = reader.text(vehicle, "mileage", at: path, numbers: true)
        draft.price = reader.money(vehicle, "price", at: path)
        draft.isPreferred = reader.bool(vehicle, "isPreferred", at: path) ?? false
        draft.comments = reader.text(vehicle, "comments", at: path)
        return draft
    }

    static func readTradeIn(_ tradeIn: JSONObject, at path: String, reader: inout JSONFieldReader) -> TradeInDraft {
        reader.onlyKnownKeys(tradeIn, ["year", "make", "model", "trim", "vin", "mileage", "condition", "valuation", "comments"], at: path)
        var draft = TradeInDraft()
        draft.year = reader.text(tradeIn, "year", at: path, numbers: true)
        draft.make = reader.text(tradeIn, "make", at: path)
        draft.model = reader.text(tradeIn, "model", at: path)
        draft.trim = reader.text(tradeIn, "trim", at: path)
        draft.vin = reader.text(tradeIn, "vin", at: path)
        draft.mileage = reader.text(tradeIn, "mileage", at: path, numbers: true)
        draft.condition = reader.enumeration(TradeIn.Condition.self, tradeIn, "condition", at: path) ?? .unknown
        draft.valuation = reader.money(tradeIn, "valuation", at: path)
        draft.comments = reader.text(tradeIn, "comments", at: path)
        return draft
    }
}
