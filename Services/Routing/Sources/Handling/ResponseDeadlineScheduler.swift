import Foundation
import LeadModel
import LeadStorage
import Logging
import Metrics
import PostgresNIO
import ServiceLifecycle

/// Re-routes leads whose assignee did not acknowledge them in time.
///
/// The timers are the `response_due_at` column of the leads' routing records. Each overdue lead
/// is claimed with `FOR UPDATE SKIP LOCKED` and re-routed in the same transaction (record,
/// rotation, history, outbox), so several instances share the work without ever re-routing a
/// lead twice, and a lead the consumer is changing right now is simply taken on the next pass.
/// "Now" comes from the injected clock; the poll interval is real time.
public final class ResponseDeadlineScheduler: Service, Sendable {
    private let applier: EventApplier
    private let leads: LeadRepository
    private let engine: RoutingEngine
    private let clock: any RoutingClock
    private let pollInterval: Duration
    private let logger: Logger

    /// Creates the scheduler.
    public init(applier: EventApplier, leads: LeadRepository, engine: RoutingEngine, clock: any RoutingClock, pollInterval: Duration, logger: Logger) {
        self.applier = applier
        self.leads = leads
        self.engine = engine
        self.clock = clock
        self.pollInterval = pollInterval
        self.logger = logger
    }

    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    while try await self.rerouteNextOverdue(), !Task.isCancelled {}
                } catch {
                    self.logger.warning("re-routing overdue leads failed; retrying", metadata: [
                        "error": "\(String(reflecting: error))",
                    ])
                }
                try await Task.sleep(for: self.pollInterval)
            }
        }
    }

    /// Re-routes the oldest overdue lead, if any; returns whether there was one.
    @discardableResult
    public func rerouteNextOverdue() async throws -> Bool {
        let now = clock.now()
        return try await applier.perform { connection -> (Bool, [OutboxRecord]) in
            guard var routed = try await leads.claimOverdue(now: now, on: connection),
                  let due = routed.responseDueAt else { return (false, []) }
            let placement = routed.placement
            let missed: String
            switch routed.responseParty {
            case .owner?:
                let owner = placement.ownerId ?? "the owner"
                if let id = placement.ownerId, !routed.excludedMembers.contains(id) { routed.excludedMembers.append(id) }
                missed = "owner \(owner)"
            case .location?, nil:
                let location = placement.locationId ?? "the location"
                if let id = placement.locationId, !routed.excludedLocations.contains(id) { routed.excludedLocations.append(id) }
                missed = "location \(location)"
            }
            let seconds = routed.assignedAt.map { Int(due.timeIntervalSince($0).rounded()) }
            let window = seconds.map { " within \(Self.describe(seconds: $0))" } ?? ""
            let reason = "response target missed: \(missed) did not acknowledge\(window) (due \(LeadflowJSON.formatDate(due)))"
            routed.reroutes += 1
            let cause = routed.lastAssignmentEventId ?? routed.leadId.uuid
            let directory = try await engine.directory(on: connection)
            let record = try await engine.route(
                &routed, directory: directory, cause: .responseMissed(reason: reason), causationEventId: cause, on: connection)
            Counter(label: "leadflow_routing_reroutes_total", dimensions: [("cause", "sla_missed")]).increment()
            logger.info("re-routed a lead whose response target passed", metadata: ["lead": "\(routed.leadId)", "missed": "\(missed)"])
            return (true, [record])
        }
    }

    /// `300` → `5m`, `86400` → `24h`, `90` → `90s`.
    static func describe(seconds: Int) -> String {
        if seconds % 3600 == 0 { return "\(seconds / 3600)h" }
        if seconds % 60 == 0 { return "\(seconds / 60)m" }
        return "\(seconds)s"
    }
}
