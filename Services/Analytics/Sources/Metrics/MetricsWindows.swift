import Foundation
import LeadModel

/// The aggregate counts of one minute, before they become a ``MetricsSnapshot``. Holds no
/// personal data: source ids, counts and durations only.
public struct MetricsWindow: Hashable, Sendable {
    /// Window start (a whole minute).
    public var start: Date
    /// Counts per source, sorted by source id.
    public var perSource: [SourceMetrics]
    /// Median first-response time of the leads first responded to in the window.
    public var medianSpeedToLeadMs: Int?
    /// Leads closed in the window.
    public var conversions: ConversionCounts

    /// Window end (exclusive).
    public var end: Date { start.addingTimeInterval(60) }

    /// A stable fingerprint of the content, to notice corrections.
    public var fingerprint: String {
        let sources = perSource.map { "\($0.sourceId)=\($0.received)/\($0.scored)/\($0.assigned)" }.joined(separator: ";")
        return Signer.sha256Hex("\(sources)|\(medianSpeedToLeadMs.map(String.init) ?? "-")|\(conversions.won)/\(conversions.lost)")
    }

    /// The snapshot event publishing this window at `now`.
    public func snapshot(at now: Date) -> MetricsSnapshot {
        MetricsSnapshot(occurredAt: now, windowStart: start, windowEnd: end, perSource: perSource,
                        medianSpeedToLeadMs: medianSpeedToLeadMs, conversions: conversions)
    }
}

/// Rows read from the projection, and how they become per-minute windows.
public enum MetricsWindowing {
    /// Distinct leads per minute, source and topic.
    public struct SourceCount: Hashable, Sendable {
        public var minute: Date
        public var sourceId: String
        public var topic: Topic
        public var leads: Int
        public init(minute: Date, sourceId: String, topic: Topic, leads: Int) {
            self.minute = minute
            self.sourceId = sourceId
            self.topic = topic
            self.leads = leads
        }
    }

    /// The start of the minute holding `date`.
    public static func minute(of date: Date) -> Date {
        Date(timeIntervalSince1970: (date.timeIntervalSince1970 / 60).rounded(.down) * 60)
    }

    /// One window per minute in `[from, to)` (both whole minutes), empty minutes included.
    public static func windows(
        from: Date, to: Date, counts: [SourceCount], responseTimesMs: [(minute: Date, milliseconds: Double)],
        closes: [(minute: Date, outcome: LeadOutcome, leads: Int)]
    ) -> [MetricsWindow] {
        var windows: [Date: MetricsWindow] = [:]
        var start = from
        while start < to {
            windows[start] = MetricsWindow(start: start, perSource: [], medianSpeedToLeadMs: nil, conversions: ConversionCounts())
            start = start.addingTimeInterval(60)
        }
        var sources: [Date: [String: SourceMetrics]] = [:]
        for count in counts where windows[count.minute] != nil {
            var metrics = sources[count.minute, default: [:]][count.sourceId] ?? SourceMetrics(sourceId: count.sourceId)
            switch count.topic {
            case .received: metrics.received += count.leads
            case .scored: metrics.scored += count.leads
            case .assigned: metrics.assigned += count.leads
            default: break
            }
            sources[count.minute, default: [:]][count.sourceId] = metrics
        }
        for (minute, bySource) in sources {
            windows[minute]?.perSource = bySource.values.sorted { $0.sourceId < $1.sourceId }
        }
        for (minute, times) in Dictionary(grouping: responseTimesMs, by: \.minute) where windows[minute] != nil {
            windows[minute]?.medianSpeedToLeadMs = Statistics.median(times.map(\.milliseconds)).map { Int($0.rounded()) }
        }
        for close in closes where windows[close.minute] != nil {
            switch close.outcome {
            case .won: windows[close.minute]?.conversions.won += close.leads
            case .lost: windows[close.minute]?.conversions.lost += close.leads
            }
        }
        return windows.values.sorted { $0.start < $1.start }
    }
}
