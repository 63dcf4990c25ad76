import Foundation
import Logging
import Synchronization

/// Writes one JSON object per log line to standard output: `ts`, `level`, `service`, `instance`,
/// `msg`, the current ``Correlation`` (`correlation_id`, `lead_id`), then the metadata as
/// top-level fields.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    private let label: String
    private let instance: String

    private static let outputLock = Mutex(())

    /// Creates a handler for the logger `label` of process `instance`.
    public init(label: String, instance: String) {
        self.label = label
        self.instance = instance
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields: [String: Any] = [
            "ts": Self.timestamp(),
            "level": event.level.rawValue,
            "service": label,
            "instance": instance,
            "msg": "\(event.message)",
        ]
        // The work in progress (an HTTP request, a consumed event) names itself on every line.
        if let correlation = Correlation.id { fields["correlation_id"] = correlation }
        if let lead = Correlation.leadId { fields["lead_id"] = lead }
        let merged = self.metadata.merging(event.metadata ?? [:]) { _, new in new }
        for (key, value) in merged where fields[key] == nil {
            fields[key] = Self.json(value)
        }
        if event.level >= .warning { fields["source"] = "\(event.file):\(event.line)" }
        guard var line = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys, .withoutEscapingSlashes])
        else { return }
        line.append(0x0A)
        Self.outputLock.withLock { _ in
            FileHandle.standardOutput.write(line)
        }
    }

    private static func json(_ value: Logger.MetadataValue) -> Any {
        switch value {
        case .string(let s): return s
        case .stringConvertible(let c): return c.description
        case .array(let values): return values.map(json)
        case .dictionary(let dict): return dict.mapValues(json)
        }
    }

    private static func timestamp() -> String {
        Date.now.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}

extension LoggingSystem {
    /// Bootstraps swift-log for a service process: JSON lines or plain text, at `level`.
    public static func bootstrapLeadflow(json: Bool, level: Logger.Level, instance: String) {
        bootstrap { label in
            var handler: any LogHandler = json
                ? JSONLogHandler(label: label, instance: instance)
                : StreamLogHandler.standardOutput(label: label)
            handler.logLevel = level
            return handler
        }
    }
}
