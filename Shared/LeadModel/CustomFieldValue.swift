import Foundation

/// The value of a custom field, written as a plain JSON value.
///
/// Numbers are `Decimal`, read exactly from the JSON digits and written back unchanged, so a
/// custom field never loses precision through a floating-point type. Ids belong in `.string`.
public enum CustomFieldValue: Hashable, Sendable, Codable {
    case string(String)
    case number(Decimal)
    case bool(Bool)
    case list([CustomFieldValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([CustomFieldValue].self) {
            self = .list(value)
        } else if let value = try? container.decode(Decimal.self) {
            self = .number(value)
        } else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "A custom field is a string, number, boolean or list of those")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .bool(let value): try container.encode(value)
        case .list(let value): try container.encode(value)
        }
    }
}

extension CustomFieldValue: ExpressibleByStringLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .number(Decimal(value)) }
}
