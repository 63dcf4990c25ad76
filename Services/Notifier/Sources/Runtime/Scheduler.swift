import Foundation
import LeadModel
import LeadStorage
import Logging
import Metrics
import ServiceLifecycle

/// Fires due scheduled jobs (reminders, task alerts, appointment alerts, response deadlines,
/// status-update requests). Each job fires in its own transaction that locks the job and its lead
/// with `FOR UPDATE SKIP LOCKED` (several instances never fire the same job; a lead being updated
/// by the consumer is skipped this round), records the deliveries and reschedules or closes the job.
final class Scheduler: Service, Sendable {
    private let core: NotifierCore
    private let firedCounter = Counter(label: "leadflow_notifier_jobs_fired_total")

    init(core: NotifierCore) {
        self.core = core
    }

    func run() async throws {
        let signal = core.schedulerSignal
        await withGracefulShutdownHandler {
            while !signal.isStopped && !Task.isCancelled {
                do {
                    let fired = try await round()
                    if fired == 0 { await signal.wait(timeout: core.configuration.pollInterval) }
                } catch {
                    core.logger.warning("scheduler round failed; retrying", metadata: ["error": "\(String(reflecting: error))"])
                    await signal.wait(timeout: core.configuration.pollInterval)
                }
            }
        } onGracefulShutdown: {
            signal.stop()
        }
    }

    /// Fires up to a batch of due jobs, each in its own transaction; returns how many fired.
    func round() async throws -> Int {
        var fired = 0
        while fired < 100, try await fireOne() { fired += 1 }
        return fired
    }

    private func fireOne() async throws -> Bool {
        let core = self.core
        let logger = core.logger
        var pending = 0
        let found = try await core.applier.perform { connection -> (Bool, [OutboxRecord]) in
            let now = core.clock()
            guard let (job, lead) = try await core.jobs.claimDue(now: now, limit: 1, on: connection, logger: logger).first else {
                return (false, [])
            }
            let zones = try await core.recipients.timeZones(
                locations: Set([job.payload.locationId, lead.locationId].compactMap { $0 }),
                members: Set([lead.ownerId].compactMap { $0 }), on: connection, logger: logger)
            let outcome = Planner(options: core.configuration.planner).evaluate(job, lead: lead, zones: zones, now: now)
            try await core.jobs.fired(job, next: outcome.nextDueAt, by: core.instanceId, now: now, on: connection, logger: logger)
            let composed = try await core.composer.compose(
                outcome.notifications, lead: lead, cause: .job(job.id, occurrence: job.occurrence), causeEventId: nil, now: now,
                on: connection, logger: logger)
            pending = composed.pending
            logger.debug("job fired", metadata: [
                "job": "\(job.id)", "kind": "\(job.kind.rawValue)", "occurrence": "\(job.occurrence)",
                "notifications": "\(outcome.notifications.count)", "again": "\(outcome.nextDueAt.map { "\($0)" } ?? "no")",
            ])
            return (true, composed.records)
        }
        if found { firedCounter.increment() }
        if pending > 0 { core.dispatcherSignal.wake() }
        return found
    }
}
