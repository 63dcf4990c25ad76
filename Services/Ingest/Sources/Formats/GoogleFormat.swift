import LeadModel

/// A Google Ads lead-form webhook delivery, read.
public struct GoogleLeadDocument: Sendable, Hashable {
    /// The lead.
    public var submission: LeadSubmission
    /// The `google_key` the delivery carries (checked against the configured key).
    public var googleKey: String?
}

/// Google Ads lead-form webhooks: `user_column_data` entries keyed by `column_id`.
public enum GoogleFormat {
    /// Reads a webhook body.
    public static func read(_ document: JSONValue) throws(IntakeRejection) -> GoogleLeadDocument {
        guard case .object(let root) = document else {
            throw .field("/", rule: "type", "the delivery must be a JSON object")
        }
        var s = LeadSubmission()
        guard let leadId = root["lead_id"]?.idText, !leadId.isEmpty, leadId.count <= 200 else {
            throw .field("/lead_id", rule: "required", "the delivery has no lead_id")
        }
        s.sourceLeadId = FieldText(leadId, at: "/lead_id")
        s.submittedAt = root["lead_submit_time"]?.idText.map { FieldText($0, at: "/lead_submit_time") }
        s.attribution.partner = FieldText("Google Ads", at: "/")
        s.attribution.campaignId = root["campaign_id"]?.idText.map { FieldText($0, at: "/campaign_id") }
        s.attribution.formId = root["form_id"]?.idText.map { FieldText($0, at: "/form_id") }
        s.attribution.adId = root["creative_id"]?.idText.map { FieldText($0, at: "/creative_id") }
        for key in ["gcl_id", "adgroup_id", "asset_group_id", "api_version", "lead_source"] {
            if let text = root[key]?.idText {
                s.customFields.append(.init(key: "google.\(key)", value: .string(text), path: "/\(key)"))
            }
        }
        switch root["is_test"] {
        case .bool(let flag)?: s.isTest = flag
        case .string(let text)?: s.isTest = text.lowercased() == "true"
        case nil, .null?: break
        default: throw .field("/is_test", rule: "type", "is_test must be a boolean")
        }
        guard let columns = root["user_column_data"]?.array else {
            throw .field("/user_column_data", rule: "required", "the delivery has no user_column_data")
        }
        var address = AddressDraft()
        var vehicle = VehicleDraft()
        for (index, column) in columns.enumerated() {
            guard let object = column.object else {
                throw .field("/user_column_data/\(index)", rule: "type", "a column must be an object")
            }
            guard let value = object["string_value"]?.idText else { continue }
            let path = "/user_column_data/\(index)/string_value"
            let field = FieldText(value, at: path)
            let id = object["column_id"]?.string?.uppercased() ?? ""
            switch id {
            case "FULL_NAME": s.fullName = field
            case "FIRST_NAME": s.firstName = field
            case "LAST_NAME": s.lastName = field
            case "EMAIL": s.emails.append(.init(address: field, type: .other))
            case "WORK_EMAIL": s.emails.append(.init(address: field, type: .work))
            case "PHONE_NUMBER": s.phones.append(.init(number: field, type: .other))
            case "WORK_PHONE": s.phones.append(.init(number: field, type: .work))
            case "POSTAL_CODE": address.postalCode = field
            case "STREET_ADDRESS": address.lines.append(field)
            case "CITY": address.city = field
            case "REGION": address.region = field
            case "COUNTRY": address.country = field
            case "VEHICLE_MODEL": vehicle.model = field
            case "VEHICLE_MAKE": vehicle.make = field
            case "VEHICLE_TYPE": vehicle.bodyStyle = field
            case "VEHICLE_CONDITION":
                vehicle.status = value.lowercased().contains("new") ? .new : (value.lowercased().contains("used") ? .used : .unknown)
            case "VEHICLE_PURCHASE_TIMELINE":
                var draft = TimeframeDraft()
                draft.description = field
                s.timeframe = draft
            default:
                let key = object["column_name"]?.string.flatMap { $0.isEmpty ? nil : $0 } ?? (id.isEmpty ? "column_\(index)" : id.lowercased())
                s.customFields.append(.init(key: "google.\(key)", value: .string(value), path: path))
            }
        }
        if address != AddressDraft() { s.address = address }
        if vehicle.model != nil || vehicle.make != nil || vehicle.bodyStyle != nil {
            vehicle.isPreferred = true
            s.vehicles.append(vehicle)
        }
        return GoogleLeadDocument(submission: s, googleKey: root["google_key"]?.string)
    }
}
