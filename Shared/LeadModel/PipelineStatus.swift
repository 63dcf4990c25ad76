/// The key of a status in a (configurable) pipeline, e.g. `contacted`.
///
/// A string, not an enum, because pipelines are customizable; the statuses of
/// ``Pipeline/default`` are provided as constants.
public struct PipelineStatus: RawRepresentable, Hashable, Sendable, Codable, Comparable,
    ExpressibleByStringLiteral, CustomStringConvertible, CodingKeyRepresentable
{
    /// The key.
    public var rawValue: String

    /// Creates a status key.
    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    /// Creates a status key.
    public init(_ rawValue: String) {
        self.rawValue = rawValue
    }

    public init(stringLiteral value: String) {
        self.rawValue = value
    }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var codingKey: any CodingKey {
        StatusKey(stringValue: rawValue)
    }

    public init?<T: CodingKey>(codingKey: T) {
        self.rawValue = codingKey.stringValue
    }

    public var description: String { rawValue }

    public static func < (lhs: PipelineStatus, rhs: PipelineStatus) -> Bool {
        lhs.rawValue < rhs.rawValue
    }

    /// Default pipeline: not yet contacted.
    public static let new: PipelineStatus = "new"
    /// Default pipeline: first contact made.
    public static let contacted: PipelineStatus = "contacted"
    /// Default pipeline: qualified as a real buyer.
    public static let qualified: PipelineStatus = "qualified"
    /// Default pipeline: test drive booked or done.
    public static let testDrive: PipelineStatus = "test_drive"
    /// Default pipeline: negotiating the deal.
    public static let negotiation: PipelineStatus = "negotiation"
    /// Default pipeline: sold (terminal, outcome won).
    public static let closedWon: PipelineStatus = "closed_won"
    /// Default pipeline: lost (terminal, outcome lost; needs a ``LostReason``).
    public static let closedLost: PipelineStatus = "closed_lost"

    private struct StatusKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}

/// How a closed pipeline status ended.
public enum PipelineOutcome: String, Hashable, Sendable, Codable, CaseIterable {
    case won, lost
}

/// One status of a pipeline.
public struct PipelineStatusDefinition: Hashable, Sendable, Codable {
    /// The status key.
    public var key: PipelineStatus
    /// Display name.
    public var name: String
    /// Whether nothing may follow this status.
    public var isTerminal: Bool
    /// The outcome this status records, for closed statuses.
    public var outcome: PipelineOutcome?

    /// Creates a status definition.
    public init(key: PipelineStatus, name: String, isTerminal: Bool = false, outcome: PipelineOutcome? = nil) {
        self.key = key
        self.name = name
        self.isTerminal = isTerminal
        self.outcome = outcome
    }
}
