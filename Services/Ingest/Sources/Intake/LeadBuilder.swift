import Foundation
import LeadModel

/// Turns a ``LeadSubmission`` into a normalized ``Lead``: names trimmed and split, e-mails
/// lower-cased and validated, phones in E.164, postal codes canonical, amounts exact with an
/// ISO currency, timestamps in UTC, lengths capped. Collects every violation; a submission
/// with any violation produces no lead at all.
public struct LeadBuilder: Sendable {
    /// Length and count caps.
    public var limits: IntakeLimits
    /// Phone normalization (default region).
    public var phones: PhoneNormalizer
    /// Amount parsing (default currency).
    public var amounts: AmountParser

    /// Creates a builder.
    public init(limits: IntakeLimits = IntakeLimits(), phones: PhoneNormalizer = PhoneNormalizer(), amounts: AmountParser = AmountParser()) {
        self.limits = limits
        self.phones = phones
        self.amounts = amounts
    }

    /// The normalized lead, or the violations that refuse it.
    public func build(
        _ submission: LeadSubmission, id: LeadID = LeadID(), source: LeadSource, receivedAt: Date
    ) throws(IntakeRejection) -> Lead {
        var run = Run(builder: self)
        let lead = run.lead(submission, id: id, source: source, receivedAt: receivedAt)
        if !run.violations.isEmpty { throw IntakeRejection(run.violations) }
        return lead
    }

    /// A normalized vehicle of interest (lifecycle command `vehicles`).
    public func vehicle(_ draft: VehicleDraft) throws(IntakeRejection) -> VehicleOfInterest {
        var run = Run(builder: self)
        let vehicle = run.vehicle(draft)
        if !run.violations.isEmpty { throw IntakeRejection(run.violations) }
        return vehicle
    }

    /// A normalized trade-in (lifecycle command `trade-ins`).
    public func tradeIn(_ draft: TradeInDraft) throws(IntakeRejection) -> TradeIn {
        var run = Run(builder: self)
        let tradeIn = run.tradeIn(draft)
        if !run.violations.isEmpty { throw IntakeRejection(run.violations) }
        return tradeIn
    }

    /// A normalized amount.
    public func money(_ draft: MoneyDraft) throws(IntakeRejection) -> Money? {
        var run = Run(builder: self)
        let money = run.money(draft)
        if !run.violations.isEmpty { throw IntakeRejection(run.violations) }
        return money
    }

    /// Cleaned free text (multi-line unless `singleLine`), length-capped; `nil` when blank.
    /// With `required`, a missing or blank value is a violation.
    public func text(_ field: FieldText?, singleLine: Bool = false, required: Bool = false) throws(IntakeRejection) -> String? {
        var run = Run(builder: self)
        let text = singleLine ? run.short(field) : run.long(field)
        if text == nil, required, run.violations.isEmpty {
            run.fail(field?.path, "required", "the field is required and must not be blank")
        }
        if !run.violations.isEmpty { throw IntakeRejection(run.violations) }
        return text
    }

    /// One build, collecting violations as it goes.
    private struct Run {
        let builder: LeadBuilder
        var violations: [Violation] = []
        var limits: IntakeLimits { builder.limits }

        mutating func fail(_ path: String?, _ rule: String, _ detail: String, code: String = "invalid_field") {
            violations.append(Violation(code: code, field: path, rule: rule, detail: detail))
        }

        /// Cleaned single-line text; `nil` when absent or blank.
        mutating func short(_ field: FieldText?, max: Int? = nil) -> String? {
            text(field, singleLine: true, max: max ?? limits.maxFieldLength)
        }

        /// Cleaned multi-line text; `nil` when absent or blank.
        mutating func long(_ field: FieldText?) -> String? {
            text(field, singleLine: false, max: limits.maxTextLength)
        }

        mutating func text(_ field: FieldText?, singleLine: Bool, max: Int) -> String? {
            guard let field else { return nil }
            if TextRules.hasForbiddenControl(field.text, singleLine: singleLine) {
                fail(field.path, "control_characters", "the field contains control characters")
                return nil
            }
            let cleaned = TextRules.clean(field.text, singleLine: singleLine)
            guard !cleaned.isEmpty else { return nil }
            guard cleaned.count <= max else {
                fail(field.path, "max_length", "the field is longer than \(max) characters")
                return nil
            }
            return cleaned
        }

        mutating func count<T>(_ items: [T], path: String, max: Int? = nil) -> [T] {
            let cap = max ?? limits.maxItems
            guard items.count <= cap else {
                fail(path, "max_items", "more than \(cap) entries")
                return Array(items.prefix(cap))
            }
            return items
        }

        mutating func date(_ field: FieldText?) -> Date? {
            guard let field, !field.text.trimmingWhitespace.isEmpty else { return nil }
            guard field.text.count <= 64, let date = DateParser.parse(field.text) else {
                fail(field.path, "date_time", "the field is not a date-time")
                return nil
            }
            return date
        }

        mutating func money(_ draft: MoneyDraft?) -> Money? {
            guard let draft, !draft.amount.text.trimmingWhitespace.isEmpty else { return nil }
            guard draft.amount.text.count <= 64 else {
                fail(draft.amount.path, "max_length", "the amount is too long")
                return nil
            }
            do {
                return try builder.amounts.parse(draft.amount.text, currency: draft.currency?.text)
            } catch .invalidCurrency {
                fail(draft.currency?.path ?? draft.amount.path, "currency", "the currency is not an ISO 4217 code")
            } catch .negative {
                fail(draft.amount.path, "non_negative", "the amount is negative")
            } catch {
                fail(draft.amount.path, "amount", "the field is not an amount of money")
            }
            return nil
        }

        mutating func integer(_ field: FieldText?, rule: String, range: ClosedRange<Int>) -> Int? {
            guard let field else { return nil }
            let digits = field.text.trimmingWhitespace.filter { $0 != "," && $0 != " " && $0 != "_" }
            if digits.isEmpty { return nil }
            guard digits.count <= 10, digits.allSatisfy(\.isASCIIDigitCharacter), let value = Int(digits), range.contains(value) else {
                fail(field.path, rule, "the field must be a whole number in \(range.lowerBound)...\(range.upperBound)")
                return nil
            }
            return value
        }

        mutating func lead(_ s: LeadSubmission, id: LeadID, source: LeadSource, receivedAt: Date) -> Lead {
            var source = source
            source.partner = short(s.attribution.partner) ?? source.partner
            source.campaignId = short(s.attribution.campaignId) ?? source.campaignId
            source.campaignName = short(s.attribution.campaignName) ?? source.campaignName
            source.adId = short(s.attribution.adId) ?? source.adId
            source.formId = short(s.attribution.formId) ?? source.formId
            _ = short(s.sourceLeadId)
            let submittedAt = date(s.submittedAt)

            var lead = Lead(id: id, source: source, createdAt: receivedAt)
            lead.fullName = name(s)
            lead.contacts = ContactInfo(emails: emails(s.emails), phones: phones(s.phones), address: address(s.address))
            if lead.contacts.emails.isEmpty && lead.contacts.phones.isEmpty && !s.isTest
                && !violations.contains(where: { $0.rule == "email" || $0.rule == "phone" }) {
                fail(s.emails.first?.address.path ?? "/emails", "required_one_of",
                     "a lead needs at least one e-mail address or phone number", code: "contact_required")
            }
            lead.vehiclesOfInterest = count(s.vehicles, path: "/vehicles").map { vehicle($0) }
            var preferredSeen = false
            for index in lead.vehiclesOfInterest.indices where lead.vehiclesOfInterest[index].isPreferred {
                if preferredSeen { lead.vehiclesOfInterest[index].isPreferred = false }
                preferredSeen = true
            }
            lead.tradeIns = count(s.tradeIns, path: "/tradeIns").map { tradeIn($0) }
            let budgetMin = money(s.budgetMin)
            let budgetMax = money(s.budgetMax)
            if budgetMin != nil || budgetMax != nil {
                if let low = budgetMin, let high = budgetMax, low.currency == high.currency, low.amount > high.amount {
                    fail(s.budgetMin?.amount.path, "range", "the budget minimum exceeds its maximum")
                }
                lead.budget = BudgetRange(min: budgetMin, max: budgetMax)
            }
            lead.timeframe = timeframe(s.timeframe, reference: submittedAt ?? receivedAt)
            lead.lifecycleStage = s.lifecycleStage
            lead.comments = long(s.comments)
            lead.customFields = customFields(s.customFields)
            lead.consent = s.consent
            lead.partner = short(s.partner)
            lead.isTest = s.isTest
            return lead
        }

        mutating func name(_ s: LeadSubmission) -> PersonName {
            let first = short(s.firstName)
            let middle = short(s.middleName)
            let last = short(s.lastName)
            let full = short(s.fullName)
            if first != nil || last != nil {
                return PersonName(first: first, middle: middle, last: last)
            }
            if let full {
                return PersonName(full: full)
            }
            return PersonName(middle: middle)
        }

        mutating func emails(_ drafts: [LeadSubmission.Email]) -> [EmailAddress] {
            var result: [EmailAddress] = []
            var preferredSeen = false
            for draft in count(drafts, path: "/emails") {
                guard let text = short(draft.address) else { continue }
                guard let address = EmailNormalizer.normalize(text) else {
                    fail(draft.address.path, "email", "the field is not a valid e-mail address")
                    continue
                }
                guard !result.contains(where: { $0.address == address }) else { continue }
                var preferred = draft.preferred
                if preferred == true {
                    if preferredSeen { preferred = false }
                    preferredSeen = true
                }
                result.append(EmailAddress(address: address, type: draft.type, preferred: preferred))
            }
            return result
        }

        mutating func phones(_ drafts: [LeadSubmission.Phone]) -> [PhoneNumber] {
            var result: [PhoneNumber] = []
            var preferredSeen = false
            for draft in count(drafts, path: "/phones") {
                guard let raw = short(draft.number, max: 64) else { continue }
                let e164: String?
                do {
                    e164 = try builder.phones.e164(raw)
                } catch {
                    fail(draft.number.path, "phone", "the field is not a phone number")
                    continue
                }
                guard !result.contains(where: { ($0.e164 ?? $0.raw) == (e164 ?? raw) }) else { continue }
                var preferred = draft.preferred
                if preferred == true {
                    if preferredSeen { preferred = false }
                    preferredSeen = true
                }
                result.append(PhoneNumber(raw: raw, e164: e164, type: draft.type, preferred: preferred))
            }
            return result
        }

        mutating func address(_ draft: AddressDraft?) -> Address? {
            guard let draft else { return nil }
            var country = short(draft.country, max: 64)?.uppercased()
            if let value = country {
                if let code = CountryCodes.alpha2(value) {
                    country = code
                } else {
                    fail(draft.country?.path, "country", "the field is not an ISO 3166 country")
                    country = nil
                }
            }
            let region = short(draft.region)
            var postal: String?
            if let raw = short(draft.postalCode, max: 32) {
                let effectiveCountry = country ?? builder.phones.defaultRegion
                if let code = PostalCodeNormalizer.normalize(raw, country: effectiveCountry) {
                    postal = code
                } else {
                    fail(draft.postalCode?.path, "postal_code", "the field is not a postal code of \(effectiveCountry)")
                }
            }
            let address = Address(
                lines: count(draft.lines, path: "/address/lines", max: 5).compactMap { short($0) },
                city: short(draft.city), region: region?.uppercased().count == 2 ? region?.uppercased() : region,
                postalCode: postal, country: country)
            if address.lines.isEmpty, address.city == nil, address.region == nil, address.postalCode == nil, address.country == nil {
                return nil
            }
            return address
        }

        mutating func vehicle(_ draft: VehicleDraft) -> VehicleOfInterest {
            let thisYear = Calendar(identifier: .gregorian).component(.year, from: Date())
            let vin = vinNumber(draft.vin)
            let stock = short(draft.stock)
            let bodyStyle = short(draft.bodyStyle)
            let model = short(draft.model)
            let explicitType = short(draft.vehicleType)?.lowercased()
            return VehicleOfInterest(
                id: short(draft.id),
                interest: draft.interest,
                status: draft.status,
                kind: draft.kind ?? ((vin != nil || stock != nil) ? .inventory : .search),
                year: integer(draft.year, rule: "year", range: 1900...(thisYear + 2)),
                make: short(draft.make),
                model: model,
                trim: short(draft.trim),
                vin: vin,
                stock: stock,
                bodyStyle: bodyStyle,
                vehicleType: explicitType ?? VehicleTypes.classify(bodyStyle: bodyStyle, model: model),
                mileage: integer(draft.mileage, rule: "mileage", range: 0...2_000_000),
                price: money(draft.price),
                isPreferred: draft.isPreferred,
                comments: long(draft.comments))
        }

        mutating func tradeIn(_ draft: TradeInDraft) -> TradeIn {
            let thisYear = Calendar(identifier: .gregorian).component(.year, from: Date())
            return TradeIn(
                year: integer(draft.year, rule: "year", range: 1900...(thisYear + 2)),
                make: short(draft.make), model: short(draft.model), trim: short(draft.trim),
                vin: vinNumber(draft.vin),
                mileage: integer(draft.mileage, rule: "mileage", range: 0...2_000_000),
                condition: draft.condition,
                valuation: money(draft.valuation),
                comments: long(draft.comments))
        }

        mutating func vinNumber(_ field: FieldText?) -> String? {
            guard let text = short(field, max: 32) else { return nil }
            let vin = text.uppercased().filter { $0 != " " && $0 != "-" }
            let allowed = Set("ABCDEFGHJKLMNPRSTUVWXYZ0123456789")
            guard vin.count == 17, vin.allSatisfy(allowed.contains) else {
                fail(field?.path, "vin", "the field is not a 17-character VIN")
                return nil
            }
            return vin
        }

        mutating func timeframe(_ draft: TimeframeDraft?, reference: Date) -> Timeframe? {
            guard let draft else { return nil }
            let description = short(draft.description)
            let earliest = date(draft.earliest)
            let latest = date(draft.latest)
            if description == nil, earliest == nil, latest == nil, draft.bucket == nil { return nil }
            let bucket = draft.bucket
                ?? TimeframeClassifier.bucket(description: description, earliest: earliest, latest: latest, reference: reference)
            return Timeframe(description: description, earliest: earliest, latest: latest, bucket: bucket)
        }

        mutating func customFields(_ fields: [LeadSubmission.CustomField]) -> [String: CustomFieldValue] {
            var result: [String: CustomFieldValue] = [:]
            for field in count(fields, path: "/customFields", max: limits.maxCustomFields) {
                let key = TextRules.clean(field.key, singleLine: true)
                guard !key.isEmpty, key.count <= 64, !TextRules.hasForbiddenControl(field.key, singleLine: true) else {
                    fail(field.path, "custom_field_key", "a custom field key must be 1 to 64 printable characters")
                    continue
                }
                guard let value = customValue(field.value, path: field.path, depth: 0) else { continue }
                result[key] = value
            }
            return result
        }

        mutating func customValue(_ value: CustomFieldValue, path: String, depth: Int) -> CustomFieldValue? {
            switch value {
            case .string(let text):
                return long(FieldText(text, at: path)).map(CustomFieldValue.string) ?? .string("")
            case .number, .bool:
                return value
            case .list(let items):
                guard depth == 0 else {
                    fail(path, "type", "custom field lists cannot nest")
                    return nil
                }
                let kept = count(items, path: path)
                return .list(kept.enumerated().compactMap { customValue($1, path: "\(path)/\($0)", depth: 1) })
            }
        }
    }
}
