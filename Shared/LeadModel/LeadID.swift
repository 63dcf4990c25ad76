import Foundation

/// The identity of a lead: a UUID, written as a lowercase string.
///
/// Its `description` is the canonical form used as the Kafka message key of every topic and
/// as the CloudEvents `subject`, so every service must build keys from it (never from
/// `UUID.uuidString`, which is uppercase) to land a lead's events in one partition.
public struct LeadID: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    /// The underlying UUID.
    public var uuid: UUID

    /// Wraps an existing UUID.
    public init(_ uuid: UUID) {
        self.uuid = uuid
    }

    /// A new random lead id.
    public init() {
        self.uuid = UUID()
    }

    /// Parses a UUID string in either case; `nil` if it is not a UUID.
    public init?(_ string: String) {
        guard let uuid = UUID(uuidString: string) else { return nil }
        self.uuid = uuid
    }

    /// The canonical lowercase string form.
    public var description: String {
        uuid.uuidString.lowercased()
    }

    public static func < (lhs: LeadID, rhs: LeadID) -> Bool {
        lhs.description < rhs.description
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let id = LeadID(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "Not a UUID: \"\(text)\"")
        }
        self = id
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
