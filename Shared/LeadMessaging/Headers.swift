import Foundation

/// A Kafka record header: a string key and an optional byte value.
public struct KafkaHeader: Sendable, Hashable {
    /// The header name. Kafka allows the same key more than once in a record.
    public var key: String
    /// The header value; `nil` is a header without a value (distinct from an empty one).
    public var value: [UInt8]?

    /// Creates a header with a byte value.
    public init(key: String, value: [UInt8]?) {
        self.key = key
        self.value = value
    }

    /// Creates a header whose value is the UTF-8 encoding of `string`.
    public init(key: String, string: String) {
        self.key = key
        self.value = Array(string.utf8)
    }

    /// The value decoded as UTF-8, or `nil` when there is no value or it is not valid UTF-8.
    public var stringValue: String? {
        guard let value else { return nil }
        return String(bytes: value, encoding: .utf8)
    }
}

extension Array where Element == KafkaHeader {
    /// The string value of the first header called `key`.
    func firstString(_ key: String) -> String? {
        first { $0.key == key }?.stringValue
    }
}
