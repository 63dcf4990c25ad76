import Foundation
import LeadModel

/// Reads typed fields out of a ``JSONValue`` for the intake mappers, remembering every type
/// error with its JSON pointer instead of stopping at the first.
struct JSONFieldReader {
    var violations: [Violation] = []

    mutating func fail(_ path: String, _ rule: String, _ detail: String) {
        violations.append(Violation(field: path, rule: rule, detail: detail))
    }

    /// Refuses keys of `object` not in `allowed`.
    mutating func onlyKnownKeys(_ object: JSONObject, _ allowed: Set<String>, at path: String) {
        for key in object.keys where !allowed.contains(key) {
            fail("\(path)/\(Self.escape(key))", "unknown_field", "the field is not part of the schema")
        }
    }

    /// Text of a string field (also accepts a number's exact literal when `numbers` is set).
    mutating func text(_ object: JSONObject, _ key: String, at path: String, numbers: Bool = false) -> FieldText? {
        let fieldPath = "\(path)/\(Self.escape(key))"
        switch object[key] {
        case nil, .null?: return nil
        case .string(let text)?: return FieldText(text, at: fieldPath)
        case .number(let literal)? where numbers: return FieldText(literal, at: fieldPath)
        case let other?:
            fail(fieldPath, "type", "the field must be \(numbers ? "a string or a number" : "a string"), not \(other.typeName)")
            return nil
        }
    }

    mutating func bool(_ object: JSONObject, _ key: String, at path: String) -> Bool? {
        let fieldPath = "\(path)/\(Self.escape(key))"
        switch object[key] {
        case nil, .null?: return nil
        case .bool(let value)?: return value
        case .string(let text)? where ["true", "false", "1", "0", "yes", "no"].contains(text.lowercased()):
            return ["true", "1", "yes"].contains(text.lowercased())
        case let other?:
            fail(fieldPath, "type", "the field must be a boolean, not \(other.typeName)")
            return nil
        }
    }

    mutating func object(_ object: JSONObject, _ key: String, at path: String) -> JSONObject? {
        switch object[key] {
        case nil, .null?: return nil
        case .object(let value)?: return value
        case let other?:
            fail("\(path)/\(Self.escape(key))", "type", "the field must be an object, not \(other.typeName)")
            return nil
        }
    }

    mutating func array(_ object: JSONObject, _ key: String, at path: String) -> [JSONValue]? {
        switch object[key] {
        case nil, .null?: return nil
        case .array(let value)?: return value
        case let other?:
            fail("\(path)/\(Self.escape(key))", "type", "the field must be an array, not \(other.typeName)")
            return nil
        }
    }

    /// A value of a string enum (case-insensitive, `-` and space read as `_`).
    mutating func enumeration<E: RawRepresentable & CaseIterable>(
        _ type: E.Type, _ object: JSONObject, _ key: String, at path: String
    ) -> E? where E.RawValue == String {
        guard let field = text(object, key, at: path) else { return nil }
        let normalized = field.text.trimmingWhitespace.lowercased()
            .replacingOccurrences(of: "-", with: "_").replacingOccurrences(of: " ", with: "_")
        guard let value = E(rawValue: normalized) else {
            fail(field.path, "enum", "the field must be one of \(E.allCases.map(\.rawValue).joined(separator: ", "))")
            return nil
        }
        return value
    }

    /// Money written as `{"amount": "…", "currency": "USD"}` or as one string/number.
    mutating func money(_ object: JSONObject, _ key: String, at path: String) -> MoneyDraft? {
        let fieldPath = "\(path)/\(Self.escape(key))"
        switch object[key] {
        case nil, .null?: return nil
        case .string(let text)?: return MoneyDraft(amount: FieldText(text, at: fieldPath))
        case .number(let literal)?: return MoneyDraft(amount: FieldText(literal, at: fieldPath))
        case .object(let money)?:
            onlyKnownKeys(money, ["amount", "currency"], at: fieldPath)
            guard let amount = text(money, "amount", at: fieldPath, numbers: true) else {
                fail("\(fieldPath)/amount", "required", "an amount needs its amount")
                return nil
            }
            return MoneyDraft(amount: amount, currency: text(money, "currency", at: fieldPath))
        case let other?:
            fail(fieldPath, "type", "the field must be an amount, not \(other.typeName)")
            return nil
        }
    }

    /// A custom field value: string, number (exact), boolean or a list of those.
    mutating func customValue(_ value: JSONValue, at path: String, depth: Int = 0) -> CustomFieldValue? {
        switch value {
        case .string(let text): return .string(text)
        case .bool(let flag): return .bool(flag)
        case .number(let literal):
            guard let decimal = Decimal(string: literal, locale: Locale(identifier: "en_US_POSIX")), literal.count <= 40 else {
                fail(path, "type", "the number cannot be represented exactly")
                return nil
            }
            // Integers beyond 2^53 stay exact only as text: keep them as strings (ids).
            if !literal.contains("."), !literal.lowercased().contains("e"), literal.count > 15 { return .string(literal) }
            return .number(decimal)
        case .array(let items) where depth == 0:
            return .list(items.enumerated().compactMap { customValue($1, at: "\(path)/\($0)", depth: 1) })
        case .null: return nil
        default:
            fail(path, "type", "a custom field is a string, number, boolean or a list of those")
            return nil
        }
    }

    /// RFC 6901 escaping of one pointer segment.
    static func escape(_ key: String) -> String {
        key.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }
}
