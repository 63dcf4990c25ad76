import Foundation

/// The one JSON dialect every Leadflow event body and API payload uses.
///
/// * Keys are camelCase (the Swift property names) and objects are written with sorted keys,
///   so equal values always encode to equal bytes.
/// * Dates are RFC 3339 / ISO-8601 strings in UTC with millisecond precision
///   (`2025-03-19T13:13:15.123Z`). Decoding also accepts whole seconds and numeric offsets
///   (`2025-03-19T15:13:15+02:00`).
/// * Money amounts and other exact decimals are strings; external ids are always strings.
public enum LeadflowJSON {
    /// Parses RFC 3339 date-times, with or without fractional seconds.
    private static let parseFormat = Date.ISO8601FormatStyle(
        includingFractionalSeconds: true,
        timeZone: TimeZone(secondsFromGMT: 0)!
    )

    /// Formats whole seconds; the milliseconds are appended separately, rounded.
    private static let secondsFormat = Date.ISO8601FormatStyle(
        includingFractionalSeconds: false,
        timeZone: TimeZone(secondsFromGMT: 0)!
    )

    /// A new encoder configured for Leadflow JSON.
    public static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(formatDate(date))
        }
        return encoder
    }

    /// A new decoder configured for Leadflow JSON.
    public static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = parseDate(text) else {
                throw DecodingError.dataCorruptedError(
                    in: container,
                    debugDescription: "Expected an RFC 3339 date-time, got \"\(text)\""
                )
            }
            return date
        }
        return decoder
    }

    /// Formats a date the way Leadflow JSON writes it: UTC, rounded to the nearest millisecond.
    ///
    /// `formatDate(parseDate(text)!) == text` for every text this function produces, so a
    /// decoded event re-encodes to the same bytes. A `Date` with sub-millisecond precision
    /// comes back from a round trip rounded (see ``wirePrecision(_:)``).
    public static func formatDate(_ date: Date) -> String {
        let totalMilliseconds = (date.timeIntervalSince1970 * 1000).rounded()
        let seconds = (totalMilliseconds / 1000).rounded(.down)
        let milliseconds = Int(totalMilliseconds - seconds * 1000)
        let whole = Date(timeIntervalSince1970: seconds).formatted(secondsFormat)
        let fraction = String(milliseconds + 1000).dropFirst()  // zero-padded to 3 digits
        return "\(whole.dropLast()).\(fraction)Z"
    }

    /// Parses an RFC 3339 date-time (with or without fractional seconds, `Z` or a numeric offset).
    public static func parseDate(_ text: String) -> Date? {
        try? parseFormat.parse(text)
    }

    /// The date as it will read back from Leadflow JSON (rounded to the millisecond). Use it
    /// when a value must compare equal after a round trip.
    public static func wirePrecision(_ date: Date) -> Date {
        parseDate(formatDate(date)) ?? date
    }

    /// Encodes a value to Leadflow JSON bytes.
    public static func encode<Value: Encodable>(_ value: Value) throws -> [UInt8] {
        Array(try encoder.encode(value))
    }

    /// Decodes a value from Leadflow JSON bytes.
    public static func decode<Value: Decodable>(_ type: Value.Type, from bytes: [UInt8]) throws -> Value {
        try decoder.decode(type, from: Data(bytes))
    }

    /// Decodes a value from Leadflow JSON data.
    public static func decode<Value: Decodable>(_ type: Value.Type, from data: Data) throws -> Value {
        try decoder.decode(type, from: data)
    }
}
