import Foundation
import LeadModel
import LeadServiceKit
import LeadStorage
import Logging
import PostgresNIO
import ServiceLifecycle

/// Publishes a ``MetricsSnapshot`` per minute to `analytics.metrics`, through the outbox.
///
/// A minute is published once it ended `grace` ago (so most late events are in). Published
/// minutes stay under watch for `horizon`: when late events change a minute's numbers, a
/// corrected snapshot for the same window is published (a later snapshot for a window
/// supersedes earlier ones; all share the key `metrics`, so they stay in order). On its first
/// run the publisher starts `horizon` back. Several instances may run: each pass holds a
/// transaction-level advisory lock, so only one publishes at a time, and its progress is in
/// the database (`analytics.metrics_state`, `analytics.metrics_windows`).
public struct MetricsPublisher: Service {
    let client: PostgresClient
    let applier: EventApplier
    let events: EventEncoder
    let projection: SQLIdentifier
    let interval: Duration
    let grace: TimeInterval
    let horizon: TimeInterval
    let clock: @Sendable () -> Date
    let logger: Logger

    /// The most windows one pass publishes (a long outage catches up over several passes).
    static let maxWindowsPerPass = 240

    public func run() async throws {
        // A pass is one transaction: cancelled by shutdown, it rolls back and the next run redoes it.
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let published = try await publishDue()
                    if published > 0 { logger.debug("metrics published", metadata: ["snapshots": "\(published)"]) }
                } catch where !Task.isCancelled {
                    logger.warning("metrics pass failed; retrying", metadata: ["error": "\(String(reflecting: error))"])
                }
                try await Task.sleep(for: interval)
            }
        }
    }

    /// One pass: publishes every due window and every correction; returns how many snapshots.
    @discardableResult
    public func publishDue() async throws -> Int {
        let now = clock()
        let logger = self.logger
        return try await applier.perform { connection -> (Int, [OutboxRecord]) in
            let locked = try await connection.query(
                "SELECT pg_try_advisory_xact_lock(hashtext('leadflow.analytics.metrics'))", logger: logger)
            for try await gotLock in locked.decode(Bool.self) where !gotLock { return (0, []) }
            let lastEnd = MetricsWindowing.minute(of: now.addingTimeInterval(-grace))
            var next = MetricsWindowing.minute(of: now.addingTimeInterval(-horizon))
            let state = try await connection.query("SELECT next_window FROM analytics.metrics_state WHERE id = 1", logger: logger)
            for try await stored in state.decode(Date.self) { next = stored }
            let end = min(lastEnd, next.addingTimeInterval(Double(Self.maxWindowsPerPass) * 60))
            let recheckFrom = max(MetricsWindowing.minute(of: now.addingTimeInterval(-horizon)), lastEnd.addingTimeInterval(-horizon))
            let from = min(next, recheckFrom)
            guard from < end else { return (0, []) }
            let windows = try await compute(from: from, to: end, on: connection)
            var known: [Date: (fingerprint: String, revision: Int)] = [:]
            let rows = try await connection.query("""
                SELECT window_start, fingerprint, revision FROM analytics.metrics_windows
                WHERE window_start >= \(from) AND window_start < \(end)
                """, logger: logger)
            for try await (start, fingerprint, revision) in rows.decode((Date, String, Int).self) {
                known[start] = (fingerprint, revision)
            }
            var records: [OutboxRecord] = []
            for window in windows {
                let previous = known[window.start]
                let due = window.start >= next || previous != nil
                guard due, previous?.fingerprint != window.fingerprint else { continue }
                records.append(try events.record(window.snapshot(at: now)))
                try await connection.query("""
                    INSERT INTO analytics.metrics_windows (window_start, fingerprint, revision, published_at)
                    VALUES (\(window.start), \(window.fingerprint), 1, \(now))
                    ON CONFLICT (window_start) DO UPDATE SET fingerprint = EXCLUDED.fingerprint,
                        revision = analytics.metrics_windows.revision + 1, published_at = EXCLUDED.published_at
                    """, logger: logger)
            }
            try await connection.query("""
                INSERT INTO analytics.metrics_state (id, next_window) VALUES (1, \(max(end, next)))
                ON CONFLICT (id) DO UPDATE SET next_window = EXCLUDED.next_window
                """, logger: logger)
            try await connection.query(
                "DELETE FROM analytics.metrics_windows WHERE window_start < \(now.addingTimeInterval(-horizon - 86_400))", logger: logger)
            return (records.count, records)
        }
    }

    /// The windows of `[from, to)` as the projection sees them now (test and merged-away leads
    /// left out).
    func compute(from: Date, to: Date, on connection: PostgresConnection) async throws -> [MetricsWindow] {
        let s = projection.name
        let minute = { (column: String) in "to_timestamp(floor(extract(epoch FROM \(column)) / 60) * 60)" }
        let visible = "NOT EXISTS (SELECT 1 FROM \(s).lead_merges m WHERE m.merged_lead_id = l.lead_id)"
        var counts: [MetricsWindowing.SourceCount] = []
        let countRows = try await connection.query(PostgresQuery(unsafeSQL: """
            SELECT \(minute("e.occurred_at")), coalesce(l.source_id, 'unknown'), e.topic, count(DISTINCT e.lead_id)::int
            FROM \(s).lead_events e JOIN \(s).leads l ON l.lead_id = e.lead_id
            WHERE e.occurred_at >= $1 AND e.occurred_at < $2
              AND e.topic IN ('leads.received', 'leads.scored', 'leads.assigned')
              AND NOT l.is_test AND \(visible)
            GROUP BY 1, 2, 3
            """, binds: bindings(from, to)), logger: logger)
        for try await (start, source, topic, leads) in countRows.decode((Date, String, String, Int).self) {
            guard let topic = Topic(rawValue: topic) else { continue }
            counts.append(.init(minute: start, sourceId: source, topic: topic, leads: leads))
        }
        var responses: [(Date, Double)] = []
        let responseRows = try await connection.query(PostgresQuery(unsafeSQL: """
            SELECT \(minute("l.first_response_at")),
                   greatest(0, extract(epoch FROM l.first_response_at - l.created_at) * 1000)::float8
            FROM \(s).leads l
            WHERE l.known AND l.first_response_at >= $1 AND l.first_response_at < $2 AND NOT l.is_test AND \(visible)
            """, binds: bindings(from, to)), logger: logger)
        for try await (start, milliseconds) in responseRows.decode((Date, Double).self) {
            responses.append((start, milliseconds))
        }
        var closes: [(Date, LeadOutcome, Int)] = []
        let closeRows = try await connection.query(PostgresQuery(unsafeSQL: """
            SELECT \(minute("l.closed_at")), l.outcome, count(*)::int
            FROM \(s).leads l
            WHERE l.known AND l.closed_at >= $1 AND l.closed_at < $2 AND l.outcome IS NOT NULL AND NOT l.is_test AND \(visible)
            GROUP BY 1, 2
            """, binds: bindings(from, to)), logger: logger)
        for try await (start, outcome, leads) in closeRows.decode((Date, String, Int).self) {
            guard let outcome = LeadOutcome(rawValue: outcome) else { continue }
            closes.append((start, outcome, leads))
        }
        return MetricsWindowing.windows(
            from: from, to: to, counts: counts, responseTimesMs: responses.map { (minute: $0.0, milliseconds: $0.1) },
            closes: closes.map { (minute: $0.0, outcome: $0.1, leads: $0.2) })
    }

    private func bindings(_ from: Date, _ to: Date) -> PostgresBindings {
        var binds = PostgresBindings()
        binds.append(from)
        binds.append(to)
        return binds
    }
}
