import LeadModel

/// ADF/XML 1.0, the automotive Auto-lead Data Format: `<adf>` with one or more `<prospect>`s.
///
/// Mapping: `prospect/id` → source lead id (`source:id`), `requestdate` → submitted at,
/// `vehicle` → vehicles of interest (`interest="trade-in"` → trade-ins), `customer/contact`
/// → name parts, e-mails, phones, address; `customer/timeframe`, `customer/comments`;
/// `vendor/vendorname` → the lead's partner (the dealer it is for); `provider/name` → the
/// source's partner (the ad network). Everything else worth keeping lands in `adf.*` custom fields.
public enum ADFFormat {
    /// The prospects of an ADF document, in order.
    public static func read(_ root: XMLElement, limits: IntakeLimits = IntakeLimits()) throws(IntakeRejection) -> [LeadSubmission] {
        guard root.name == "adf" else {
            throw .field("/\(root.name.prefix(40))", rule: "root", "the root element must be <adf>", code: "not_adf")
        }
        let prospects = root.all("prospect")
        guard !prospects.isEmpty else {
            throw .field("/adf/prospect", rule: "required", "the document has no <prospect>", code: "no_prospect")
        }
        guard prospects.count <= limits.maxBatch else {
            throw .field("/adf/prospect", rule: "max_items", "more than \(limits.maxBatch) prospects in one document")
        }
        return prospects.enumerated().map { index, prospect in
            submission(prospect, path: "/adf/prospect[\(index + 1)]")
        }
    }

    static func field(_ element: XMLElement?, _ path: String) -> FieldText? {
        guard let element else { return nil }
        let text = element.text.trimmingWhitespace
        return text.isEmpty ? nil : FieldText(text, at: path)
    }

    static func flag(_ value: String?) -> Bool? {
        guard let value = value?.lowercased() else { return nil }
        return ["1", "true", "yes", "y"].contains(value) ? true : (["0", "false", "no", "n"].contains(value) ? false : nil)
    }

    static func submission(_ prospect: XMLElement, path: String) -> LeadSubmission {
        var s = LeadSubmission()
        if let id = prospect.first("id"), let text = field(id, "\(path)/id") {
            let source = id.attribute("source")
            s.sourceLeadId = FieldText(source.map { "\($0):\(text.text)" } ?? text.text, at: text.path)
        }
        s.submittedAt = field(prospect.first("requestdate"), "\(path)/requestdate")
        var hasQuote = false
        var vehicleIndex = 0
        var tradeIndex = 0
        for (index, vehicle) in prospect.all("vehicle").enumerated() {
            let vehiclePath = "\(path)/vehicle[\(index + 1)]"
            let interest = VehicleInterest(adf: vehicle.attribute("interest") ?? "buy")
            if interest == .tradeIn {
                tradeIndex += 1
                s.tradeIns.append(tradeIn(vehicle, path: vehiclePath))
            } else {
                vehicleIndex += 1
                var draft = vehicleDraft(vehicle, interest: interest, path: vehiclePath)
                draft.isPreferred = vehicleIndex == 1
                if draft.price != nil, vehicle.all("price").contains(where: { ["quote", "offer"].contains($0.attribute("type")?.lowercased() ?? "") }) {
                    hasQuote = true
                }
                if let colors = preferredColors(vehicle) {
                    s.customFields.append(.init(key: "adf.vehicle\(vehicleIndex).colors", value: .string(colors), path: "\(vehiclePath)/colorcombination"))
                }
                if let finance = vehicle.first("finance"), let method = field(finance.first("method"), "\(vehiclePath)/finance/method") {
                    s.customFields.append(.init(key: "adf.finance_method", value: .string(method.text), path: method.path))
                    for (amountIndex, amount) in finance.all("amount").enumerated() {
                        if let value = field(amount, "\(vehiclePath)/finance/amount[\(amountIndex + 1)]") {
                            let type = amount.attribute("type") ?? "amount"
                            s.customFields.append(.init(key: "adf.finance_\(type.lowercased())", value: .string(value.text), path: value.path))
                        }
                    }
                }
                s.vehicles.append(draft)
            }
        }
        if hasQuote { s.lifecycleStage = .quote }
        if let customer = prospect.first("customer") {
            let customerPath = "\(path)/customer"
            let contacts = customer.all("contact")
            let contact = contacts.first { flag($0.attribute("primarycontact")) == true } ?? contacts.first
            if let contact {
                readContact(contact, into: &s, path: "\(customerPath)/contact")
            }
            if let timeframe = customer.first("timeframe") {
                var draft = TimeframeDraft()
                draft.description = field(timeframe.first("description"), "\(customerPath)/timeframe/description")
                draft.earliest = field(timeframe.first("earliestdate"), "\(customerPath)/timeframe/earliestdate")
                draft.latest = field(timeframe.first("latestdate"), "\(customerPath)/timeframe/latestdate")
                s.timeframe = draft
            }
            s.comments = field(customer.first("comments"), "\(customerPath)/comments")
            if let id = field(customer.first("id"), "\(customerPath)/id") {
                s.customFields.append(.init(key: "adf.customer_id", value: .string(id.text), path: id.path))
            }
        }
        if let vendor = prospect.first("vendor") {
            s.partner = field(vendor.first("vendorname"), "\(path)/vendor/vendorname")
            if let id = field(vendor.first("id"), "\(path)/vendor/id") {
                s.customFields.append(.init(key: "adf.vendor_id", value: .string(id.text), path: id.path))
            }
        }
        if let provider = prospect.first("provider") {
            let name = provider.all("name").first { ($0.attribute("part") ?? "full").lowercased() == "full" } ?? provider.first("name")
            s.attribution.partner = field(name, "\(path)/provider/name")
            if let service = field(provider.first("service"), "\(path)/provider/service") {
                s.customFields.append(.init(key: "adf.provider_service", value: .string(service.text), path: service.path))
            }
        }
        return s
    }

    static func readContact(_ contact: XMLElement, into s: inout LeadSubmission, path: String) {
        for (index, name) in contact.all("name").enumerated() {
            let text = field(name, "\(path)/name[\(index + 1)]")
            switch (name.attribute("part") ?? "full").lowercased() {
            case "first": s.firstName = s.firstName ?? text
            case "middle": s.middleName = s.middleName ?? text
            case "last": s.lastName = s.lastName ?? text
            case "suffix", "title": break
            default: s.fullName = s.fullName ?? text
            }
        }
        for (index, email) in contact.all("email").enumerated() {
            if let address = field(email, "\(path)/email[\(index + 1)]") {
                s.emails.append(.init(address: address, preferred: flag(email.attribute("preferredcontact"))))
            }
        }
        for (index, phone) in contact.all("phone").enumerated() {
            if let number = field(phone, "\(path)/phone[\(index + 1)]") {
                let type: PhoneNumber.Kind = switch (phone.attribute("type") ?? "voice").lowercased() {
                case "cellphone", "cell", "mobile": .mobile
                case "fax": .fax
                case "work": .work
                case "voice", "home": .home
                default: .other
                }
                s.phones.append(.init(number: number, type: type, preferred: flag(phone.attribute("preferredcontact"))))
            }
        }
        if let address = contact.first("address") {
            let addressPath = "\(path)/address"
            var draft = AddressDraft()
            let streets = address.all("street").sorted { Int($0.attribute("line") ?? "") ?? 99 < Int($1.attribute("line") ?? "") ?? 99 }
            for (index, street) in streets.enumerated() {
                if let line = field(street, "\(addressPath)/street[\(index + 1)]") { draft.lines.append(line) }
            }
            if let apartment = field(address.first("apartment"), "\(addressPath)/apartment") { draft.lines.append(apartment) }
            draft.city = field(address.first("city"), "\(addressPath)/city")
            draft.region = field(address.first("regioncode"), "\(addressPath)/regioncode")
            draft.postalCode = field(address.first("postalcode"), "\(addressPath)/postalcode")
            draft.country = field(address.first("country"), "\(addressPath)/country")
            s.address = draft
        }
    }

    /// The price that best describes the vehicle: an offer or quote before list prices.
    static func price(_ vehicle: XMLElement, preferring order: [String], path: String) -> MoneyDraft? {
        let prices = vehicle.all("price").enumerated().filter { !$0.element.text.trimmingWhitespace.isEmpty }
        guard !prices.isEmpty else { return nil }
        let chosen = prices.min { lhs, rhs in
            let left = order.firstIndex(of: lhs.element.attribute("type")?.lowercased() ?? "") ?? order.count
            let right = order.firstIndex(of: rhs.element.attribute("type")?.lowercased() ?? "") ?? order.count
            return left < right
        }!
        let pricePath = "\(path)/price[\(chosen.offset + 1)]"
        return MoneyDraft(
            amount: FieldText(chosen.element.text.trimmingWhitespace, at: pricePath),
            currency: chosen.element.attribute("currency").map { FieldText($0, at: "\(pricePath)/@currency") })
    }

    static func vehicleDraft(_ vehicle: XMLElement, interest: VehicleInterest, path: String) -> VehicleDraft {
        var draft = VehicleDraft()
        draft.interest = interest
        draft.status = switch (vehicle.attribute("status") ?? "").lowercased() {
        case "new": .new
        case "used": .used
        case "certified", "cpo": .certified
        default: .unknown
        }
        draft.id = field(vehicle.first("id"), "\(path)/id")
        draft.year = field(vehicle.first("year"), "\(path)/year")
        draft.make = field(vehicle.first("make"), "\(path)/make")
        draft.model = field(vehicle.first("model"), "\(path)/model")
        draft.vin = field(vehicle.first("vin"), "\(path)/vin")
        draft.stock = field(vehicle.first("stock"), "\(path)/stock")
        draft.trim = field(vehicle.first("trim"), "\(path)/trim")
        draft.bodyStyle = field(vehicle.first("bodystyle"), "\(path)/bodystyle")
        draft.mileage = field(vehicle.first("odometer"), "\(path)/odometer")
        draft.price = price(vehicle, preferring: ["offer", "quote", "asking", "msrp", "invoice", "call", "appraisal"], path: path)
        let comments = [field(vehicle.first("comments"), "\(path)/comments"), field(vehicle.first("pricecomments"), "\(path)/pricecomments")]
            .compactMap { $0 }
        if !comments.isEmpty {
            draft.comments = FieldText(comments.map(\.text).joined(separator: "\n"), at: comments[0].path)
        }
        return draft
    }

    static func tradeIn(_ vehicle: XMLElement, path: String) -> TradeInDraft {
        var draft = TradeInDraft()
        draft.year = field(vehicle.first("year"), "\(path)/year")
        draft.make = field(vehicle.first("make"), "\(path)/make")
        draft.model = field(vehicle.first("model"), "\(path)/model")
        draft.trim = field(vehicle.first("trim"), "\(path)/trim")
        draft.vin = field(vehicle.first("vin"), "\(path)/vin")
        draft.mileage = field(vehicle.first("odometer"), "\(path)/odometer")
        draft.condition = TradeIn.Condition(rawValue: vehicle.first("condition")?.text.trimmingWhitespace.lowercased() ?? "") ?? .unknown
        draft.valuation = price(vehicle, preferring: ["appraisal", "asking", "offer", "quote", "msrp", "invoice"], path: path)
        draft.comments = field(vehicle.first("comments"), "\(path)/comments")
        return draft
    }

    static func preferredColors(_ vehicle: XMLElement) -> String? {
        let combinations = vehicle.all("colorcombination").sorted {
            Int($0.first("preference")?.text.trimmingWhitespace ?? "") ?? 99 < Int($1.first("preference")?.text.trimmingWhitespace ?? "") ?? 99
        }
        guard let best = combinations.first else { return nil }
        let parts = [best.first("exteriorcolor"), best.first("interiorcolor")].compactMap { $0?.text.trimmingWhitespace }.filter { !$0.isEmpty }
        return parts.isEmpty ? nil : parts.joined(separator: " / ")
    }
}
