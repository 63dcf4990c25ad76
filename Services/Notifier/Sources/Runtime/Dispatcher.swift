import Foundation
import LeadModel
import LeadStorage
import Logging
import Metrics
import ServiceLifecycle

/// Sends due deliveries. Each round claims a batch (lease + `FOR UPDATE SKIP LOCKED`, so several
/// instances never claim the same delivery), sends them concurrently, then records each result in
/// its own transaction together with its outcome event (and dead letter when given up).
///
/// The one window no protocol closes: the server accepted a message and the process died before
/// the `sent` mark committed. The lease then runs out and the delivery is sent again, with the same
/// `Message-ID` / `Idempotency-Key`, so the receiver can recognise the duplicate.
final class Dispatcher: Service, Sendable {
    private let core: NotifierCore
    private let senders: [NotificationChannel: any ChannelSender]
    private let shutdown: @Sendable () async -> Void
    private let sentCounter = Counter(label: "leadflow_notifications_total", dimensions: [("status", "sent")])
    private let retryingCounter = Counter(label: "leadflow_notifications_total", dimensions: [("status", "retrying")])
    private let failedCounter = Counter(label: "leadflow_notifications_total", dimensions: [("status", "failed")])

    init(core: NotifierCore, senders: [NotificationChannel: any ChannelSender], shutdown: @escaping @Sendable () async -> Void) {
        self.core = core
        self.senders = senders
        self.shutdown = shutdown
    }

    func run() async throws {
        let signal = core.dispatcherSignal
        await releaseOwnLeases()
        await withGracefulShutdownHandler {
            while !signal.isStopped && !Task.isCancelled {
                do {
                    let sent = try await round()
                    if sent == 0 { await signal.wait(timeout: core.configuration.pollInterval) }
                } catch {
                    core.logger.warning("dispatch round failed; retrying", metadata: ["error": "\(String(reflecting: error))"])
                    await signal.wait(timeout: core.configuration.pollInterval)
                }
            }
        } onGracefulShutdown: {
            signal.stop()
        }
        await shutdown()
    }

    /// Takes back what this instance id was sending when its previous process died (a kill -9
    /// leaves `sending` rows leased to it); best effort: the leases run out anyway.
    private func releaseOwnLeases() async {
        let core = self.core
        await LeaseTakeover.takeBack("deliveries", logger: core.logger) {
            try await core.withConnection { connection in
                try await core.deliveries.releaseLeases(of: core.instanceId, on: connection, logger: core.logger)
            }
        }
    }

    /// Claims and sends one batch; returns how many were claimed.
    func round() async throws -> Int {
        let core = self.core
        let now = core.clock()
        let claimed = try await core.withConnection { connection in
            try await core.deliveries.claim(
                now: now, limit: core.configuration.batchSize, owner: core.instanceId, lease: core.configuration.lease,
                on: connection, logger: core.logger)
        }
        guard !claimed.isEmpty else { return 0 }
        await withTaskGroup(of: Void.self) { group in
            for (outgoing, record, token) in claimed {
                group.addTask { await self.deliver(outgoing, record: record, token: token) }
            }
        }
        return claimed.count
    }

    private func deliver(_ outgoing: OutgoingDelivery, record: DeliveryRecord, token: UUID) async {
        if outgoing.address.isEmpty {
            // Reclaimed after a crash, but the lead was erased meanwhile: its address is gone.
            await closeErased(record: record, token: token)
            return
        }
        var failure: DeliveryFailure?
        if let sender = senders[outgoing.channel] {
            do {
                try await sender.send(outgoing)
            } catch let error as DeliveryFailure {
                failure = error
            } catch {
                failure = DeliveryFailure(String(describing: error), permanent: false)
            }
        } else {
            failure = DeliveryFailure("the \(outgoing.channel.rawValue) channel is not configured", permanent: true)
        }
        let metadata: Logger.Metadata = [
            "notificationKey": "\(outgoing.key.value)", "channel": "\(outgoing.channel.rawValue)",
            "recipient": "\(record.recipient.maskedAddress ?? record.recipient.id)", "attempt": "\(outgoing.attempt)",
        ]
        // Recording the result must not be lost to a passing database hiccup: try a few times. If it
        // still fails, the lease runs out and the delivery is retried (the documented window).
        for attempt in 1...5 {
            do {
                try await store(result: failure, outgoing: outgoing, record: record, token: token, metadata: metadata)
                return
            } catch {
                core.logger.warning("could not record a delivery result", metadata: metadata.merging([
                    "error": "\(String(reflecting: error))", "try": "\(attempt)"]) { a, _ in a })
                try? await Task.sleep(for: .milliseconds(200 * attempt))
            }
        }
    }

    private func closeErased(record: DeliveryRecord, token: UUID) async {
        let core = self.core
        let now = core.clock()
        do {
            try await core.applier.perform { connection -> (Void, [OutboxRecord]) in
                guard try await core.deliveries.finish(
                    record.id, token: token, state: .cancelled, retryAt: nil, error: "lead_erased", by: core.instanceId, now: now,
                    on: connection, logger: core.logger)
                else { return ((), []) }
                return ((), [try core.outcomes.outcome(
                    record, status: .suppressed, attempts: record.attempts, error: "lead_erased", nextAttemptAt: nil, now: now)])
            }
        } catch {
            core.logger.warning("could not close a delivery of an erased lead", metadata: ["error": "\(String(reflecting: error))"])
        }
    }

    private func store(
        result failure: DeliveryFailure?, outgoing: OutgoingDelivery, record: DeliveryRecord, token: UUID, metadata: Logger.Metadata
    ) async throws {
        let core = self.core
        let now = core.clock()
        let attempts = outgoing.attempt
        try await core.applier.perform { connection -> (Void, [OutboxRecord]) in
            guard let failure else {
                guard try await core.deliveries.finish(
                    record.id, token: token, state: .sent, retryAt: nil, error: nil, by: core.instanceId, now: now,
                    on: connection, logger: core.logger)
                else { return ((), []) }
                return ((), [try core.outcomes.outcome(record, status: .sent, attempts: attempts, error: nil, nextAttemptAt: nil, now: now)])
            }
            switch core.configuration.retry.decision(afterAttempt: attempts, permanent: failure.permanent) {
            case .retry(let delay):
                let next = now.addingTimeInterval(delay)
                guard try await core.deliveries.finish(
                    record.id, token: token, state: .pending, retryAt: next, error: failure.message, by: core.instanceId, now: now,
                    on: connection, logger: core.logger)
                else { return ((), []) }
                return ((), [try core.outcomes.outcome(
                    record, status: .retrying, attempts: attempts, error: failure.message, nextAttemptAt: next, now: now)])
            case .giveUp:
                guard try await core.deliveries.finish(
                    record.id, token: token, state: .failed, retryAt: nil, error: failure.message, by: core.instanceId, now: now,
                    on: connection, logger: core.logger)
                else { return ((), []) }
                return ((), [
                    try core.outcomes.outcome(record, status: .failed, attempts: attempts, error: failure.message, nextAttemptAt: nil, now: now),
                    try core.outcomes.deadLetter(record, attempts: attempts, error: failure.message, now: now),
                ])
            }
        }
        switch failure {
        case nil:
            sentCounter.increment()
            core.logger.info("notification sent", metadata: metadata)
        case let failure? where failure.permanent || attempts >= core.configuration.retry.maxAttempts:
            failedCounter.increment()
            core.logger.error("notification failed for good", metadata: metadata.merging(["error": "\(failure.message)"]) { a, _ in a })
        case let failure?:
            retryingCounter.increment()
            core.logger.warning("notification failed; will retry", metadata: metadata.merging(["error": "\(failure.message)"]) { a, _ in a })
        }
    }
}
