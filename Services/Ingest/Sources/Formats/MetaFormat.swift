import LeadModel

/// One `leadgen` change of a Meta webhook notification: ids only, the lead itself is fetched
/// from the Graph API. Ids are exact strings (they exceed 2^53).
public struct MetaLeadgenNotice: Sendable, Hashable, Codable {
    public var leadgenId: String
    public var pageId: String?
    public var formId: String?
    public var adId: String?
    public var adgroupId: String?
    public var createdTime: String?

    public init(leadgenId: String, pageId: String? = nil, formId: String? = nil, adId: String? = nil,
                adgroupId: String? = nil, createdTime: String? = nil) {
        self.leadgenId = leadgenId
        self.pageId = pageId
        self.formId = formId
        self.adId = adId
        self.adgroupId = adgroupId
        self.createdTime = createdTime
    }
}

/// Meta Lead Ads: the webhook change notification and the Graph API lead object.
public enum MetaFormat {
    /// The `leadgen` changes of a webhook notification, in order. Other objects and fields are
    /// acknowledged and ignored (an empty list); a leadgen change without a `leadgen_id` is refused.
    public static func notices(_ document: JSONValue, limits: IntakeLimits = IntakeLimits()) throws(IntakeRejection) -> [MetaLeadgenNotice] {
        guard case .object(let root) = document else {
            throw .field("/", rule: "type", "the notification must be a JSON object")
        }
        guard root["object"]?.string == "page" else { return [] }
        guard let entries = root["entry"]?.array else {
            throw .field("/entry", rule: "required", "the notification has no entry list")
        }
        var notices: [MetaLeadgenNotice] = []
        for (entryIndex, entry) in entries.enumerated() {
            guard let changes = entry.object?["changes"]?.array else { continue }
            for (changeIndex, change) in changes.enumerated() {
                guard let object = change.object, object["field"]?.string == "leadgen" else { continue }
                let path = "/entry/\(entryIndex)/changes/\(changeIndex)/value"
                guard let value = object["value"]?.object else {
                    throw .field(path, rule: "required", "a leadgen change needs its value")
                }
                guard let leadgenId = value["leadgen_id"]?.idText, isId(leadgenId) else {
                    throw .field("\(path)/leadgen_id", rule: "id", "a leadgen change needs a numeric leadgen_id")
                }
                notices.append(MetaLeadgenNotice(
                    leadgenId: leadgenId, pageId: value["page_id"]?.idText ?? entry.object?["id"]?.idText,
                    formId: value["form_id"]?.idText, adId: value["ad_id"]?.idText,
                    adgroupId: value["adgroup_id"]?.idText, createdTime: value["created_time"]?.idText))
            }
        }
        guard notices.count <= limits.maxBatch * 10 else {
            throw .field("/entry", rule: "max_items", "too many leadgen changes in one notification")
        }
        return notices
    }

    /// Whether `text` looks like a Meta id (digits, at most 32).
    static func isId(_ text: String) -> Bool {
        !text.isEmpty && text.count <= 32 && text.allSatisfy(\.isASCIIDigitCharacter)
    }

    /// Standard question keys of Meta lead forms.
    enum Standard {
        static let fullName: Set<String> = ["full_name", "name"]
        static let firstName: Set<String> = ["first_name"]
        static let lastName: Set<String> = ["last_name"]
        static let email: Set<String> = ["email", "work_email"]
        static let phone: Set<String> = ["phone_number", "phone", "work_phone_number", "mobile_phone"]
        static let postal: Set<String> = ["zip_code", "post_code", "postal_code", "zip"]
        static let city: Set<String> = ["city"]
        static let region: Set<String> = ["state", "province", "region"]
        static let country: Set<String> = ["country"]
        static let street: Set<String> = ["street_address", "address"]
    }

    /// The submission described by a Graph API lead object (`GET /{leadgen-id}`).
    public static func lead(_ document: JSONValue) throws(IntakeRejection) -> LeadSubmission {
        guard case .object(let root) = document else {
            throw .field("/", rule: "type", "the lead must be a JSON object")
        }
        var s = LeadSubmission()
        guard let id = root["id"]?.idText, isId(id) else {
            throw .field("/id", rule: "required", "the lead has no id")
        }
        s.sourceLeadId = FieldText(id, at: "/id")
        s.submittedAt = root["created_time"]?.idText.map { FieldText($0, at: "/created_time") }
        s.attribution.partner = FieldText(root["platform"]?.string == "ig" ? "Instagram" : "Facebook", at: "/platform")
        s.attribution.campaignId = root["campaign_id"]?.idText.map { FieldText($0, at: "/campaign_id") }
        s.attribution.campaignName = root["campaign_name"]?.string.map { FieldText($0, at: "/campaign_name") }
        s.attribution.adId = root["ad_id"]?.idText.map { FieldText($0, at: "/ad_id") }
        s.attribution.formId = root["form_id"]?.idText.map { FieldText($0, at: "/form_id") }
        for key in ["ad_name", "adset_id", "adset_name", "is_organic", "platform"] {
            if let value = root[key], let text = value.idText ?? (value == .bool(true) ? "true" : (value == .bool(false) ? "false" : nil)) {
                s.customFields.append(.init(key: "meta.\(key)", value: .string(text), path: "/\(key)"))
            }
        }
        var address = AddressDraft()
        var vehicle = VehicleDraft()
        var timeframe: FieldText?
        var test = root["is_test"] == .bool(true)
        for (index, entry) in (root["field_data"]?.array ?? []).enumerated() {
            guard let object = entry.object, let rawName = object["name"]?.string else { continue }
            let name = rawName.lowercased()
            let path = "/field_data/\(index)/values/0"
            let values = (object["values"]?.array ?? []).compactMap(\.idText)
            guard let first = values.first else { continue }
            if first.lowercased().hasPrefix("<test lead") {
                // The testing tool's placeholder ("<test lead: dummy data for email>"): flag, keep nothing.
                test = true
                continue
            }
            let field = FieldText(first, at: path)
            switch name {
            case _ where Standard.fullName.contains(name): s.fullName = field
            case _ where Standard.firstName.contains(name): s.firstName = field
            case _ where Standard.lastName.contains(name): s.lastName = field
            case _ where Standard.email.contains(name):
                s.emails.append(.init(address: field, type: name.hasPrefix("work") ? .work : .other))
            case _ where Standard.phone.contains(name):
                s.phones.append(.init(number: field, type: name.hasPrefix("work") ? .work : (name.hasPrefix("mobile") ? .mobile : .other)))
            case _ where Standard.postal.contains(name): address.postalCode = field
            case _ where Standard.city.contains(name): address.city = field
            case _ where Standard.region.contains(name): address.region = field
            case _ where Standard.country.contains(name): address.country = field
            case _ where Standard.street.contains(name): address.lines.append(field)
            default:
                // A custom question: kept as asked, and read for the vehicle and timeframe.
                let value: CustomFieldValue = values.count > 1 ? .list(values.map(CustomFieldValue.string)) : .string(first)
                s.customFields.append(.init(key: "meta.\(rawName)", value: value, path: "/field_data/\(index)"))
                if name.contains("model") { vehicle.model = field }
                else if name.contains("make") || name.contains("brand") { vehicle.make = field }
                else if name.contains("year") && !name.contains("when") { vehicle.year = field }
                else if name.contains("when") || name.contains("timeline") || name.contains("timeframe") || name.contains("purchase") {
                    timeframe = field
                }
            }
        }
        if address != AddressDraft() { s.address = address }
        if vehicle.model != nil || vehicle.make != nil {
            vehicle.isPreferred = true
            s.vehicles.append(vehicle)
        }
        if let timeframe {
            var draft = TimeframeDraft()
            draft.description = timeframe
            s.timeframe = draft
        }
        let disclaimers = root["custom_disclaimer_responses"]?.array ?? []
        if !disclaimers.isEmpty {
            var anyChecked = false
            for (index, response) in disclaimers.enumerated() {
                guard let object = response.object, let key = object["checkbox_key"]?.idText else { continue }
                let checked = object["is_checked"] == .bool(true) || object["is_checked"]?.idText == "1"
                    || object["is_checked"]?.string?.lowercased() == "true"
                anyChecked = anyChecked || checked
                s.customFields.append(.init(key: "meta.consent.\(key)", value: .bool(checked), path: "/custom_disclaimer_responses/\(index)"))
            }
            s.consent = Consent(marketing: anyChecked, recordedAt: s.submittedAt.flatMap { DateParser.parse($0.text) })
        }
        s.isTest = test
        return s
    }
}
