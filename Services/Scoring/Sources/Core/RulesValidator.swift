import Foundation
import LeadModel

/// One thing wrong with a rules document: the field (a JSON pointer), the rule it broke and why.
public struct RuleViolation: Hashable, Sendable, Error, CustomStringConvertible {
    /// JSON pointer of the offending field, e.g. `/thresholds/hot`.
    public var field: String
    /// The validation rule broken: `range`, `order`, `sign`, `known_key`, `not_empty`, `too_long`,
    /// `too_many`, `finite`, `unknown_field`, `control_character`.
    public var rule: String
    /// A sentence for people.
    public var message: String

    /// Creates a violation.
    public init(field: String, rule: String, message: String) {
        self.field = field
        self.rule = rule
        self.message = message
    }

    public var description: String { "\(field): \(message) (\(rule))" }
}

/// Checks a rules document before it becomes a new version: every number finite and in range,
/// positive factors never negative and negative signals never positive, thresholds in order,
/// table keys known, keyword lists bounded, and no field the rules do not have.
public enum RulesValidator {
    /// The largest absolute number of points a single setting may carry.
    public static let maximumPoints = 100.0
    /// Most entries in a keyword list.
    public static let maximumKeywords = 100
    /// Longest keyword.
    public static let maximumKeywordLength = 64
    /// Most per-source entries.
    public static let maximumSources = 1000
    /// Longest source id.
    public static let maximumSourceIdLength = 128

    /// Every violation of `rules`, in document order; empty when the rules are valid.
    public static func violations(of rules: ScoringRules) -> [RuleViolation] {
        var found: [RuleViolation] = []
        func check(_ condition: Bool, _ field: String, _ rule: String, _ message: String) {
            if !condition { found.append(RuleViolation(field: field, rule: rule, message: message)) }
        }
        func positive(_ value: Double, _ field: String) {
            check(value.isFinite, field, "finite", "must be a finite number")
            guard value.isFinite else { return }
            check(value >= 0, field, "sign", "a positive factor's points must be 0 or more, not \(value)")
            check(value <= maximumPoints, field, "range", "must be at most \(Int(maximumPoints)) points, not \(value)")
        }
        func negative(_ value: Double, _ field: String) {
            check(value.isFinite, field, "finite", "must be a finite number")
            guard value.isFinite else { return }
            check(value <= 0, field, "sign", "a negative signal's points must be 0 or less, not \(value)")
            check(value >= -maximumPoints, field, "range", "must be at least -\(Int(maximumPoints)) points, not \(value)")
        }
        func cap(_ value: Int, _ field: String) {
            check((0...100).contains(value), field, "range", "must be between 0 and 100, not \(value)")
        }
        func nonNegative(_ value: Double, _ field: String, max: Double) {
            check(value.isFinite && value >= 0 && value <= max, field, "range",
                  "must be a number between 0 and \(max.formatted()), not \(value)")
        }
        func keywords(_ words: [String], _ field: String) {
            check(words.count <= maximumKeywords, field, "too_many", "at most \(maximumKeywords) keywords")
            for (index, word) in words.enumerated() {
                let trimmed = word.trimmingCharacters(in: .whitespacesAndNewlines)
                check(!trimmed.isEmpty, "\(field)/\(index)", "not_empty", "a keyword must not be blank")
                check(word.count <= maximumKeywordLength, "\(field)/\(index)", "too_long",
                      "a keyword has at most \(maximumKeywordLength) characters")
                check(!hasControlCharacters(word), "\(field)/\(index)", "control_character",
                      "a keyword must not contain control characters")
            }
        }
        func table(_ values: [String: Double], _ field: String, known: Set<String>?, what: String) {
            for key in values.keys.sorted() {
                let path = "\(field)/\(pointerEscape(key))"
                if let known {
                    check(known.contains(key), path, "known_key",
                          "'\(key.prefix(64))' is not a \(what) (one of \(known.sorted().joined(separator: ", ")))")
                }
                positive(values[key]!, path)
            }
        }

        let t = rules.thresholds
        check((1...100).contains(t.hot), "/thresholds/hot", "range", "must be between 1 and 100, not \(t.hot)")
        check((0...100).contains(t.medium), "/thresholds/medium", "range", "must be between 0 and 100, not \(t.medium)")
        check(t.medium < t.hot, "/thresholds/medium", "order", "must be below the hot threshold (\(t.hot)), not \(t.medium)")

        positive(rules.contact.email, "/contact/email")
        positive(rules.contact.phone, "/contact/phone")
        positive(rules.contact.address, "/contact/address")

        let i = rules.intent
        positive(i.specificVehicle, "/intent/specificVehicle")
        positive(i.browsingVehicle, "/intent/browsingVehicle")
        table(i.interest, "/intent/interest", known: Set(VehicleInterest.allCases.map(\.rawValue)), what: "vehicle interest")
        positive(i.appointmentRequested, "/intent/appointmentRequested")
        positive(i.pricingOrFinancing, "/intent/pricingOrFinancing")
        keywords(i.pricingKeywords, "/intent/pricingKeywords")
        positive(i.tradeIn, "/intent/tradeIn")

        positive(rules.budget.qualified, "/budget/qualified")
        nonNegative(rules.budget.minimumAmount, "/budget/minimumAmount", max: 100_000_000)

        table(rules.timeline.points, "/timeline/points", known: Set(Timeframe.Bucket.allCases.map(\.rawValue)), what: "timeframe")

        let s = rules.source
        positive(s.defaultPoints, "/source/defaultPoints")
        check(s.bySource.count <= maximumSources, "/source/bySource", "too_many", "at most \(maximumSources) sources")
        for key in s.bySource.keys.sorted() {
            let path = "/source/bySource/\(pointerEscape(key))"
            check(!key.trimmingCharacters(in: .whitespaces).isEmpty, path, "not_empty", "a source id must not be blank")
            check(key.count <= maximumSourceIdLength, path, "too_long",
                  "a source id has at most \(maximumSourceIdLength) characters")
            check(!hasControlCharacters(key), path, "control_character", "a source id must not contain control characters")
        }
        table(s.bySource, "/source/bySource", known: nil, what: "source")
        table(s.byChannel, "/source/byChannel", known: Set(IntakeChannel.allCases.map(\.rawValue)), what: "intake channel")

        let e = rules.engagement
        positive(e.perReply, "/engagement/perReply")
        cap(e.maxReplies, "/engagement/maxReplies")
        positive(e.perCallConnected, "/engagement/perCallConnected")
        cap(e.maxCallsConnected, "/engagement/maxCallsConnected")
        positive(e.perAppointmentKept, "/engagement/perAppointmentKept")
        cap(e.maxAppointmentsKept, "/engagement/maxAppointmentsKept")
        positive(e.recentChat, "/engagement/recentChat")
        nonNegative(e.recentChatHours, "/engagement/recentChatHours", max: 24 * 365)

        let r = rules.recency
        nonNegative(r.graceDays, "/recency/graceDays", max: 3650)
        nonNegative(r.pointsPerDay, "/recency/pointsPerDay", max: maximumPoints)
        nonNegative(r.maxPenalty, "/recency/maxPenalty", max: maximumPoints)

        let n = rules.negative
        negative(n.testLead, "/negative/testLead")
        negative(n.invalidPhone, "/negative/invalidPhone")
        negative(n.rejectedDuplicate, "/negative/rejectedDuplicate")
        keywords(n.duplicateKeywords, "/negative/duplicateKeywords")
        negative(n.perNoShow, "/negative/perNoShow")
        cap(n.maxNoShows, "/negative/maxNoShows")
        return found
    }

    /// Whether `text` holds a control character (NUL and friends, which PostgreSQL cannot store),
    /// other than those `allowing`.
    public static func hasControlCharacters(_ text: String, allowing allowed: Set<Character> = []) -> Bool {
        text.unicodeScalars.contains { scalar in
            scalar.properties.generalCategory == .control && !allowed.contains(Character(scalar))
        }
    }

    /// Fields of a rules document (parsed JSON) that the rules do not have, as violations with
    /// rule `unknown_field`, so a typo ("hotThreshhold") is refused instead of silently ignored.
    public static func unknownFields(in document: Any) -> [RuleViolation] {
        guard let template = try? JSONSerialization.jsonObject(with: Data(LeadflowJSON.encode(ScoringRules.defaults))) else {
            return []
        }
        var found: [RuleViolation] = []
        walk(document, template: template, path: "", into: &found)
        return found
    }

    /// Objects whose keys are data (source ids, channels, buckets), not field names.
    private static let openMaps: Set<String> = [
        "/intent/interest", "/timeline/points", "/source/bySource", "/source/byChannel",
    ]

    private static func walk(_ value: Any, template: Any, path: String, into found: inout [RuleViolation]) {
        guard !openMaps.contains(path), let object = value as? [String: Any],
              let templateObject = template as? [String: Any] else { return }
        for key in object.keys.sorted() {
            let child = "\(path)/\(pointerEscape(key))"
            guard let templateChild = templateObject[key] else {
                found.append(RuleViolation(field: child, rule: "unknown_field",
                                           message: "the rules have no field '\(key.prefix(64))'"))
                continue
            }
            walk(object[key]!, template: templateChild, path: child, into: &found)
        }
    }

    private static func pointerEscape(_ key: String) -> String {
        String(key.prefix(200)).replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }
}
