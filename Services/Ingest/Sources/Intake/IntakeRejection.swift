/// One reason an input was refused: a stable code, the field (a path in the sender's document)
/// and the rule it broke. Values are never echoed back (they may be personal data or hostile).
public struct Violation: Sendable, Hashable, CustomStringConvertible {
    /// Stable machine-readable reason, e.g. `invalid_field`, `contact_required`.
    public var code: String
    /// Where, e.g. `/emails/0/address`.
    public var field: String?
    /// The rule, e.g. `email`, `max_length`, `required`.
    public var rule: String?
    /// For people.
    public var detail: String

    /// Creates a violation.
    public init(code: String = "invalid_field", field: String?, rule: String?, detail: String) {
        self.code = code
        self.field = field
        self.rule = rule
        self.detail = detail
    }

    public var description: String {
        "\(code)\(field.map { " at \($0)" } ?? "")\(rule.map { " (\($0))" } ?? ""): \(detail)"
    }
}

/// An input refused as a whole: nothing of it is stored.
public struct IntakeRejection: Error, Sendable, Hashable, CustomStringConvertible {
    /// Every violation found (at least one).
    public var violations: [Violation]
    /// Whether the input could not even be read (syntax, encoding) rather than broke a field rule.
    public var isMalformed: Bool

    /// Creates a rejection.
    public init(_ violations: [Violation], isMalformed: Bool = false) {
        precondition(!violations.isEmpty)
        self.violations = violations
        self.isMalformed = isMalformed
    }

    /// A rejection for input that cannot be read at all.
    public static func malformed(_ code: String, _ detail: String, field: String? = nil) -> IntakeRejection {
        IntakeRejection([Violation(code: code, field: field, rule: nil, detail: detail)], isMalformed: true)
    }

    /// A rejection for one broken field rule.
    public static func field(_ field: String?, rule: String, _ detail: String, code: String = "invalid_field") -> IntakeRejection {
        IntakeRejection([Violation(code: code, field: field, rule: rule, detail: detail)])
    }

    /// The first violation, which the problem body names.
    public var first: Violation { violations[0] }

    public var description: String {
        violations.count == 1 ? first.description : "\(first.description) (and \(violations.count - 1) more)"
    }
}
