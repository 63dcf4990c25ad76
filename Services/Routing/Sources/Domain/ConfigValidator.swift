import Foundation
import LeadModel

/// One thing wrong with a configuration record: the field (a JSON pointer) and the rule it broke.
public struct ConfigIssue: Hashable, Sendable, Error, CustomStringConvertible {
    /// The offending field, e.g. `/contacts/2/email`.
    public var field: String
    /// The rule: `required`, `format`, `range`, `too_many`, `unknown_time_zone`, `duplicate`…
    public var rule: String
    /// For people.
    public var message: String

    public var description: String { "\(field): \(message)" }
}

/// Checks configuration records before they are stored (pure; the admin API turns the first
/// issue into a 422 problem naming the field and rule).
public enum ConfigValidator {
    /// Limits on sizes, so a record can never grow without bound.
    public enum Limits {
        static let nameLength = 200
        static let aliases = 50
        static let aliasLength = 120
        static let postalAreas = 2000
        static let postalAreaLength = 12
        static let contacts = 50
        static let fallbacks = 10
        static let vehicleTypes = 50
        static let priceRanges = 20
        static let workingPeriods = 50
        static let slaSeconds = 30...2_592_000
        static let capacity = 0...100_000
        static let radiusKm = 0.001...20_000.0
        static let priority = -1000...1000
    }

    /// `loc-…`, `team-…`, `member-…`: a prefix and 1–63 lower-case letters, digits, `.`, `_` or `-`.
    public static func isValidId(_ id: String, prefix: String) -> Bool {
        guard id.hasPrefix(prefix + "-") else { return false }
        let rest = id.dropFirst(prefix.count + 1)
        guard (1...63).contains(rest.count), let first = rest.first, first.isASCII, first.isLetter || first.isNumber else { return false }
        return rest.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") }
    }

    /// Issues of a location.
    public static func issues(in location: Location) -> [ConfigIssue] {
        var issues: [ConfigIssue] = []
        if !isValidId(location.id, prefix: "loc") { issues.append(idIssue(prefix: "loc")) }
        issues += text(location.name, at: "/name", max: Limits.nameLength)
        if location.aliases.count > Limits.aliases { issues.append(tooMany("/aliases", Limits.aliases)) }
        for (index, alias) in location.aliases.enumerated() {
            issues += text(alias, at: "/aliases/\(index)", max: Limits.aliasLength)
        }
        if location.postalAreas.count > Limits.postalAreas { issues.append(tooMany("/postalAreas", Limits.postalAreas)) }
        for (index, area) in location.postalAreas.enumerated() {
            let normalized = LeadFacts.normalizedPostalCode(area)
            if normalized.isEmpty || normalized.count > Limits.postalAreaLength || area.count > 3 * Limits.postalAreaLength {
                issues.append(ConfigIssue(field: "/postalAreas/\(index)", rule: "format",
                                          message: "a postal area is 1–\(Limits.postalAreaLength) letters or digits"))
            }
        }
        if let geo = location.geo, !geo.isValid {
            issues.append(ConfigIssue(field: "/geo", rule: "range", message: "latitude must be -90…90 and longitude -180…180"))
        }
        if let radius = location.serviceRadiusKm, !(radius.isFinite && Limits.radiusKm.contains(radius)) {
            issues.append(ConfigIssue(field: "/serviceRadiusKm", rule: "range", message: "the radius must be above 0 and at most 20000 km"))
        }
        if let zone = location.timeZone { issues += timeZone(zone, at: "/timeZone") }
        if location.contacts.count > Limits.contacts { issues.append(tooMany("/contacts", Limits.contacts)) }
        var contactIds: Set<String> = []
        for (index, contact) in location.contacts.enumerated() {
            let path = "/contacts/\(index)"
            if !isValidId(contact.id, prefix: "contact") {
                issues.append(ConfigIssue(field: "\(path)/id", rule: "format", message: "a contact id is contact- followed by 1–63 lower-case letters, digits, ., _ or -"))
            } else if !contactIds.insert(contact.id).inserted {
                issues.append(ConfigIssue(field: "\(path)/id", rule: "duplicate", message: "contact ids must be unique within the location"))
            }
            issues += text(contact.name, at: "\(path)/name", max: Limits.nameLength)
            if let email = contact.email { issues += self.email(email, at: "\(path)/email") }
            if let phone = contact.phone { issues += text(phone, at: "\(path)/phone", max: 40) }
            if let role = contact.role { issues += text(role, at: "\(path)/role", max: Limits.nameLength) }
            if case .custom(let seconds)? = contact.followUpDelay, seconds <= 0 || seconds > Limits.slaSeconds.upperBound {
                issues.append(ConfigIssue(field: "\(path)/followUpDelay/seconds", rule: "range", message: "a custom delay is 1 s to 30 days"))
            }
        }
        if let sla = location.responseSlaSeconds { issues += slaSeconds(sla, at: "/responseSlaSeconds") }
        issues += fallbacks(location.fallbacks, at: "/fallbacks")
        return issues
    }

    /// Issues of a team.
    public static func issues(in team: Team) -> [ConfigIssue] {
        var issues: [ConfigIssue] = []
        if !isValidId(team.id, prefix: "team") { issues.append(idIssue(prefix: "team")) }
        issues += text(team.name, at: "/name", max: Limits.nameLength)
        if let location = team.locationId, !isValidId(location, prefix: "loc") {
            issues.append(ConfigIssue(field: "/locationId", rule: "format", message: "not a location id (loc-…)"))
        }
        if !Limits.priority.contains(team.priority) {
            issues.append(ConfigIssue(field: "/priority", rule: "range", message: "priority is -1000…1000"))
        }
        if let best = team.rule.bestResponders, !(1...1000).contains(best) {
            issues.append(ConfigIssue(field: "/rule/bestResponders", rule: "range", message: "bestResponders is 1…1000"))
        }
        if let sla = team.rule.responseSlaSeconds { issues += slaSeconds(sla, at: "/rule/responseSlaSeconds") }
        if let sla = team.rule.hotResponseSlaSeconds { issues += slaSeconds(sla, at: "/rule/hotResponseSlaSeconds") }
        issues += fallbacks(team.rule.fallbacks, at: "/rule/fallbacks")
        return issues
    }

    /// Issues of a member.
    public static func issues(in member: Member) -> [ConfigIssue] {
        var issues: [ConfigIssue] = []
        if !isValidId(member.id, prefix: "member") { issues.append(idIssue(prefix: "member")) }
        if !isValidId(member.teamId, prefix: "team") {
            issues.append(ConfigIssue(field: "/teamId", rule: "format", message: "not a team id (team-…)"))
        }
        issues += text(member.name, at: "/name", max: Limits.nameLength)
        if let email = member.email { issues += self.email(email, at: "/email") }
        if let phone = member.phone { issues += text(phone, at: "/phone", max: 40) }
        issues += timeZone(member.timeZone, at: "/timeZone")
        if member.skills.vehicleTypes.count > Limits.vehicleTypes { issues.append(tooMany("/skills/vehicleTypes", Limits.vehicleTypes)) }
        for (index, type) in member.skills.vehicleTypes.enumerated() {
            let valid = (1...40).contains(type.count) && type.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == " ") }
            if !valid {
                issues.append(ConfigIssue(field: "/skills/vehicleTypes/\(index)", rule: "format", message: "a vehicle type is 1–40 letters, digits, spaces, _ or -"))
            }
        }
        if member.skills.priceRanges.count > Limits.priceRanges { issues.append(tooMany("/skills/priceRanges", Limits.priceRanges)) }
        for (index, range) in member.skills.priceRanges.enumerated() {
            let path = "/skills/priceRanges/\(index)"
            if let min = range.min, min < 0 { issues.append(ConfigIssue(field: "\(path)/min", rule: "range", message: "prices are not negative")) }
            if let min = range.min, let max = range.max, min > max {
                issues.append(ConfigIssue(field: "\(path)/max", rule: "range", message: "max must not be below min"))
            }
            if range.currency.count != 3 || !range.currency.allSatisfy({ $0.isASCII && $0.isLetter }) {
                issues.append(ConfigIssue(field: "\(path)/currency", rule: "format", message: "an ISO 4217 code such as USD"))
            }
        }
        if member.workingHours.count > Limits.workingPeriods { issues.append(tooMany("/workingHours", Limits.workingPeriods)) }
        for (index, period) in member.workingHours.enumerated() {
            if period.days.isEmpty {
                issues.append(ConfigIssue(field: "/workingHours/\(index)/days", rule: "required", message: "name at least one day"))
            }
            if period.start == period.end {
                issues.append(ConfigIssue(field: "/workingHours/\(index)/end", rule: "range", message: "a shift must not start and end at the same time"))
            }
        }
        if let capacity = member.capacity, !Limits.capacity.contains(capacity) {
            issues.append(ConfigIssue(field: "/capacity", rule: "range", message: "capacity is 0…100000 open leads"))
        }
        return issues
    }

    /// Issues of the platform settings.
    public static func issues(in settings: RoutingSettings) -> [ConfigIssue] {
        var issues: [ConfigIssue] = []
        issues += fallbacks([settings.fallback], at: "/fallback").map { issue in
            var issue = issue
            issue.field = issue.field.replacingOccurrences(of: "/fallback/0", with: "/fallback")
            return issue
        }
        issues += slaSeconds(settings.locationResponseSlaSeconds, at: "/locationResponseSlaSeconds")
        issues += slaSeconds(settings.ownerResponseSlaSeconds, at: "/ownerResponseSlaSeconds")
        issues += slaSeconds(settings.hotResponseSlaSeconds, at: "/hotResponseSlaSeconds")
        if settings.closedStatuses.count > 50 { issues.append(tooMany("/closedStatuses", 50)) }
        for (index, status) in settings.closedStatuses.enumerated() {
            issues += text(status.rawValue, at: "/closedStatuses/\(index)", max: 64)
        }
        if !(0...100).contains(settings.maxReroutes) {
            issues.append(ConfigIssue(field: "/maxReroutes", rule: "range", message: "maxReroutes is 0…100"))
        }
        return issues
    }

    // MARK: Helpers

    static func idIssue(prefix: String) -> ConfigIssue {
        ConfigIssue(field: "/id", rule: "format", message: "an id is \(prefix)- followed by 1–63 lower-case letters, digits, ., _ or -")
    }

    static func tooMany(_ field: String, _ limit: Int) -> ConfigIssue {
        ConfigIssue(field: field, rule: "too_many", message: "at most \(limit) entries")
    }

    static func text(_ value: String, at field: String, max: Int) -> [ConfigIssue] {
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty { return [ConfigIssue(field: field, rule: "required", message: "must not be empty")] }
        if value.count > max { return [ConfigIssue(field: field, rule: "too_long", message: "at most \(max) characters")] }
        if value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            return [ConfigIssue(field: field, rule: "format", message: "control characters are not allowed")]
        }
        return []
    }

    static func email(_ value: String, at field: String) -> [ConfigIssue] {
        let parts = value.split(separator: "@", omittingEmptySubsequences: false)
        let valid = value.count <= 254 && parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".")
            && !value.contains(where: { $0.isWhitespace || $0.isNewline })
        return valid ? [] : [ConfigIssue(field: field, rule: "format", message: "not an e-mail address")]
    }

    static func timeZone(_ identifier: String, at field: String) -> [ConfigIssue] {
        guard identifier.count <= 64, TimeZone(identifier: identifier) != nil else {
            return [ConfigIssue(field: field, rule: "unknown_time_zone", message: "not an IANA time zone such as America/Chicago")]
        }
        return []
    }

    static func slaSeconds(_ seconds: Int, at field: String) -> [ConfigIssue] {
        Limits.slaSeconds.contains(seconds) ? [] : [ConfigIssue(field: field, rule: "range", message: "a response target is 30 s to 30 days")]
    }

    static func fallbacks(_ targets: [FallbackTarget], at field: String) -> [ConfigIssue] {
        var issues: [ConfigIssue] = []
        if targets.count > Limits.fallbacks { issues.append(tooMany(field, Limits.fallbacks)) }
        for (index, target) in targets.enumerated() {
            let path = "\(field)/\(index)/id"
            let valid: Bool
            switch target {
            case .member(let id): valid = isValidId(id, prefix: "member")
            case .team(let id): valid = isValidId(id, prefix: "team")
            case .location(let id): valid = isValidId(id, prefix: "loc")
            case .queue(let name): valid = (1...64).contains(name.count) && name.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-" || $0 == "_") }
            }
            if !valid {
                issues.append(ConfigIssue(field: path, rule: "format", message: "not a valid \(target.kind.rawValue) reference"))
            }
        }
        return issues
    }
}
