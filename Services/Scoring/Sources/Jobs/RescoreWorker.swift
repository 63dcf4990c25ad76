import Foundation
import LeadModel
import LeadServiceKit
import LeadStorage
import Logging
import PostgresNIO
import ServiceLifecycle

/// Works through rescore jobs in batches and queues the periodic recency sweep.
///
/// Every instance runs one; they share the work through row locks (`FOR UPDATE SKIP LOCKED` on the
/// job, `FOR UPDATE` on its leads), so no lead is rescored twice by one job, and a crash in the
/// middle of a batch rolls the whole batch back (its events included) for the next attempt.
final class RescoreWorker: Service, Sendable {
    struct Settings: Sendable {
        /// Leads per batch (one transaction).
        var batchSize: Int
        /// How often an idle worker looks for work.
        var pollInterval: Duration
        /// How often the recency sweep runs; `nil`: never.
        var recencySweepInterval: Duration?
    }

    private let client: PostgresClient
    private let applier: EventApplier
    private let events: EventEncoder
    private let jobs: RescoreJobStore
    private let leads: LeadStore
    private let versions: ScoringVersions
    private let schema: String
    private let settings: Settings
    private let clock: @Sendable () -> Date
    private let logger: Logger
    private let signal = WakeSignal()

    init(
        client: PostgresClient, applier: EventApplier, events: EventEncoder, jobs: RescoreJobStore, leads: LeadStore,
        versions: ScoringVersions, schema: String, settings: Settings, clock: @escaping @Sendable () -> Date, logger: Logger
    ) {
        self.client = client
        self.applier = applier
        self.events = events
        self.jobs = jobs
        self.leads = leads
        self.versions = versions
        self.schema = schema
        self.settings = settings
        self.clock = clock
        self.logger = logger
    }

    /// Looks for work now (after a job was queued).
    func wake() { signal.wake() }

    func run() async throws {
        await withGracefulShutdownHandler {
            while !signal.isStopped && !Task.isCancelled {
                do {
                    if let interval = settings.recencySweepInterval,
                       let job = try await jobs.enqueueRecencySweepIfDue(now: clock(), interval: interval, client: client)
                    {
                        logger.info("recency sweep queued", metadata: ["job": "\(job.id)"])
                    }
                    if try await runBatch() == nil { await signal.wait(timeout: settings.pollInterval) }
                } catch {
                    logger.warning("rescore batch failed; retrying", metadata: ["error": "\(String(reflecting: error))"])
                    await signal.wait(timeout: .seconds(1))
                }
            }
        } onGracefulShutdown: {
            self.signal.stop()
        }
    }

    /// Runs one batch of the oldest unfinished job; returns the job's id, or `nil` when there was no work.
    @discardableResult
    func runBatch() async throws -> UUID? {
        let now = clock()
        let batchSize = settings.batchSize
        let (jobs, leads, versions, events, logger, schema) = (self.jobs, self.leads, self.versions, self.events, self.logger, self.schema)
        let outcome = try await applier.perform { connection -> ((UUID, RescoreJob.Reason, Int, Int)?, [OutboxRecord]) in
            guard let (job, cursor) = try await jobs.claimNext(on: connection) else { return (nil, []) }
            let batch = try await jobs.lockOpenLeads(after: cursor, limit: batchSize, on: connection)
            let scoring = try await versions.current(on: connection, logger: logger, schema: schema)
            let machine = LeadScoring(scoring: scoring, now: now)
            var records: [OutboxRecord] = []
            for (leadId, record) in batch {
                let step = try machine.step(record, leadId: leadId, input: .rescore(jobId: job.id))
                // A lead whose explanation did not move (same versions, same contributions) is not
                // rewritten: most leads of a recency sweep are in that case.
                if step.scored == nil, let before = record.current, let after = step.record.current,
                   before.hasSameContributions(as: after) { continue }
                try await leads.save(leadId, step.record, published: step.scored, on: connection)
                if let scored = step.scored { records.append(try events.record(scored)) }
            }
            try await jobs.advance(
                job.id, cursor: batch.last?.0.uuid, scanned: batch.count, republished: records.count,
                finished: batch.count < batchSize, at: now, on: connection)
            return ((job.id, job.reason, batch.count, records.count), records)
        }
        guard let (jobId, reason, scanned, republished) = outcome else { return nil }
        ScoringMetrics.recordRescored(scanned: scanned, republished: republished, reason: reason.rawValue)
        return jobId
    }
}
