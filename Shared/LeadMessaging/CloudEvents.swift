import Foundation

/// The attributes of a CloudEvents 1.0 event carried in Kafka record headers
/// (Kafka protocol binding, binary content mode: the record value is the event data).
///
/// Header names: `ce_specversion`, `ce_id`, `ce_type`, `ce_source`, `ce_time` (RFC 3339, UTC,
/// millisecond precision), optional `ce_subject`, extension attributes as `ce_<name>`, and
/// `content-type` for the data content type.
public struct CloudEventAttributes: Sendable, Hashable {
    /// Unique per event from one source (consumers de-duplicate by it).
    public var id: String
    /// The event type, for example `leadflow.lead.received.v1`.
    public var type: String
    /// The producing context, a URI reference such as `/leadflow/ingest`.
    public var source: String
    /// When the occurrence happened; rounded to whole milliseconds, the precision `ce_time` carries.
    public var time: Date {
        didSet { time = Self.truncatedToMilliseconds(time) }
    }
    /// The subject within the source (Leadflow: the lead id).
    public var subject: String?
    /// The media type of the record value.
    public var dataContentType: String = "application/json"
    /// The CloudEvents spec version.
    public var specVersion: String = "1.0"
    /// Extension attributes (lower-case alphanumeric names), sent as `ce_<name>` headers.
    public var extensions: [String: String] = [:]

    /// Creates event attributes.
    public init(
        id: String,
        type: String,
        source: String,
        time: Date,
        subject: String? = nil,
        dataContentType: String = "application/json",
        specVersion: String = "1.0",
        extensions: [String: String] = [:]
    ) {
        self.id = id
        self.type = type
        self.source = source
        self.time = Self.truncatedToMilliseconds(time)
        self.subject = subject
        self.dataContentType = dataContentType
        self.specVersion = specVersion
        self.extensions = extensions
    }

    private static let prefix = "ce_"
    private static let contentTypeHeader = "content-type"
    private static let known: Set<String> = ["specversion", "id", "type", "source", "time", "subject"]

    /// The Kafka headers that carry these attributes.
    public var headers: [KafkaHeader] {
        var result = [
            KafkaHeader(key: "ce_specversion", string: specVersion),
            KafkaHeader(key: "ce_id", string: id),
            KafkaHeader(key: "ce_type", string: type),
            KafkaHeader(key: "ce_source", string: source),
            KafkaHeader(key: "ce_time", string: Self.format(time)),
        ]
        if let subject { result.append(KafkaHeader(key: "ce_subject", string: subject)) }
        result.append(KafkaHeader(key: Self.contentTypeHeader, string: dataContentType))
        for (name, value) in extensions.sorted(by: { $0.key < $1.key }) where !Self.known.contains(name) {
            result.append(KafkaHeader(key: Self.prefix + name, string: value))
        }
        return result
    }

    /// Reads attributes back from record headers.
    ///
    /// Returns `nil` when `ce_specversion`, `ce_id`, `ce_type` or `ce_source` is missing, or
    /// `ce_time` is missing or not an RFC 3339 timestamp. Without `content-type` the data
    /// content type defaults to `application/json`.
    public init?(headers: [KafkaHeader]) {
        guard let specVersion = headers.firstString("ce_specversion"),
              let id = headers.firstString("ce_id"),
              let type = headers.firstString("ce_type"),
              let source = headers.firstString("ce_source"),
              let timeText = headers.firstString("ce_time"),
              let time = Self.parse(timeText)
        else { return nil }
        var extensions: [String: String] = [:]
        for header in headers where header.key.hasPrefix(Self.prefix) {
            let name = String(header.key.dropFirst(Self.prefix.count))
            if !Self.known.contains(name), extensions[name] == nil, let value = header.stringValue {
                extensions[name] = value
            }
        }
        self.init(
            id: id,
            type: type,
            source: source,
            time: time,
            subject: headers.firstString("ce_subject"),
            dataContentType: headers.firstString(Self.contentTypeHeader) ?? "application/json",
            specVersion: specVersion,
            extensions: extensions
        )
    }

    // MARK: RFC 3339

    private static let withFraction = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)
    private static let withoutFraction = Date.ISO8601FormatStyle(timeZone: .gmt)

    /// `time` as RFC 3339 in UTC with milliseconds, e.g. `2025-03-01T09:30:00.250Z`.
    static func format(_ time: Date) -> String {
        let millis = milliseconds(time)
        var seconds = time_t(millis.floorDiv(1000))
        let fraction = Int(millis - millis.floorDiv(1000) * 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
            Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
            Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), fraction
        )
    }

    /// Parses RFC 3339 with or without fractional seconds and with `Z` or a numeric offset.
    static func parse(_ text: String) -> Date? {
        guard let date = (try? withFraction.parse(text)) ?? (try? withoutFraction.parse(text)) else { return nil }
        return truncatedToMilliseconds(date)
    }

    /// The nearest whole millisecond, built from an integer so equal instants compare equal.
    private static func truncatedToMilliseconds(_ date: Date) -> Date {
        Date(timeIntervalSince1970: Double(milliseconds(date)) / 1000)
    }

    private static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }
}

extension Int64 {
    /// Division rounding towards negative infinity (for instants before 1970).
    fileprivate func floorDiv(_ divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}
