import AsyncHTTPClient
import Foundation
import LeadModel
import LeadStorage
import Logging
import Metrics
import ServiceLifecycle

/// Delivers subscription deliveries. Each round claims a batch — due, of active subscriptions,
/// first in line for their lead (`FOR UPDATE SKIP LOCKED` + a lease, so several instances never
/// send the same delivery nor overtake an earlier one of the same lead) — sends them concurrently,
/// and records each result in its own transaction: delivered (the subscription's failure streak
/// ends), or back in line after a backoff (the streak grows, and the subscription is paused when
/// the policy says so; its backlog waits for resume).
final class SubscriptionWorker: Service, Sendable {
    private let core: SubscriptionCore
    private let sender: SubscriptionSender
    private let metrics = SubscriptionMetrics()

    init(core: SubscriptionCore, http: HTTPClient) {
        self.core = core
        self.sender = SubscriptionSender(http: http, timeout: core.configuration.timeout)
    }

    func run() async throws {
        let signal = core.signal
        await releaseOwnLeases()
        await withGracefulShutdownHandler {
            var gaugesDue = ContinuousClock.now
            while !signal.isStopped && !Task.isCancelled {
                if ContinuousClock.now >= gaugesDue {
                    await refreshGauges()
                    gaugesDue = ContinuousClock.now + core.configuration.gaugeInterval
                }
                do {
                    let claimed = try await round()
                    if claimed == 0 { await signal.wait(timeout: core.pollInterval) }
                } catch {
                    core.logger.warning("subscription delivery round failed; retrying", metadata: ["error": "\(String(reflecting: error))"])
                    await signal.wait(timeout: core.pollInterval)
                }
            }
        } onGracefulShutdown: {
            signal.stop()
        }
    }

    /// Takes back what this instance id was sending when its previous process died; best effort
    /// (the leases run out anyway).
    private func releaseOwnLeases() async {
        let core = self.core
        await LeaseTakeover.takeBack("subscription deliveries", logger: core.logger) {
            try await core.postgres.withConnection { connection in
                try await core.store.releaseLeases(of: core.instanceId, on: connection, logger: core.logger)
            }
        }
    }

    /// Claims and sends one batch; returns how many were claimed.
    func round() async throws -> Int {
        let core = self.core
        let now = core.clock()
        let claimed = try await core.postgres.withConnection { connection in
            try await core.store.claim(now: now, limit: core.configuration.batchSize, owner: core.instanceId, lease: core.lease,
                                       on: connection, logger: core.logger)
        }
        guard !claimed.isEmpty else { return 0 }
        await withTaskGroup(of: Void.self) { group in
            for delivery in claimed {
                group.addTask { await self.deliver(delivery) }
            }
        }
        return claimed.count
    }

    private func deliver(_ delivery: ClaimedSubscriptionDelivery) async {
        let timestamp = Int(core.clock().timeIntervalSince1970)
        let result = await sender.send(delivery, timestamp: timestamp)
        let subscription = delivery.subscriptionId.uuidString.lowercased()
        metrics.attempt(subscription: subscription, success: result.error == nil, milliseconds: result.durationMs)
        let metadata: Logger.Metadata = [
            "subscription": "\(subscription)", "delivery": "\(delivery.id.uuidString.lowercased())",
            "eventType": "\(delivery.eventType)", "attempt": "\(delivery.attempt)",
        ]
        // Recording must not be lost to a passing database hiccup; if it still fails, the lease runs
        // out and the delivery is sent again with the same Leadflow-Delivery-Id.
        for attempt in 1...5 {
            do {
                try await store(result, of: delivery, metadata: metadata)
                return
            } catch {
                core.logger.warning("could not record a subscription delivery result", metadata: metadata.merging([
                    "error": "\(String(reflecting: error))", "try": "\(attempt)"]) { a, _ in a })
                try? await Task.sleep(for: .milliseconds(200 * attempt))
            }
        }
    }

    private func store(_ result: SubscriptionAttemptResult, of delivery: ClaimedSubscriptionDelivery, metadata: Logger.Metadata) async throws {
        let core = self.core
        let now = core.clock()
        let subscription = delivery.subscriptionId.uuidString.lowercased()
        guard let error = result.error else {
            let ours = try await core.postgres.transaction(logger: core.logger) { connection in
                try await core.store.delivered(delivery, status: result.status ?? 200, durationMs: result.durationMs, now: now,
                                               on: connection, logger: core.logger)
            }
            if ours {
                metrics.delivered(subscription: subscription)
                core.logger.debug("subscription delivery delivered", metadata: metadata)
                core.signal.wake()  // the lead's next delivery may be waiting for this one
            }
            return
        }
        let random = core.random()
        let record = try await core.postgres.transaction(logger: core.logger) { connection in
            try await core.store.failed(delivery, error: error, status: result.status, durationMs: result.durationMs, now: now,
                                        policy: core.configuration.policy, random: random, on: connection, logger: core.logger)
        }
        guard let record else { return }
        core.logger.warning("subscription delivery failed; will retry", metadata: metadata.merging([
            "error": "\(error)", "retryAt": "\(record.retryAt)"]) { a, _ in a })
        if let reason = record.pausedReason {
            metrics.paused(subscription: subscription)
            core.logger.error("subscription paused: it keeps failing; its backlog waits for resume",
                              metadata: metadata.merging(["reason": "\(reason)"]) { a, _ in a })
        }
    }

    private func refreshGauges() async {
        let core = self.core
        do {
            let (backlog, paused) = try await core.postgres.withConnection { connection in
                try await core.store.gauges(on: connection, logger: core.logger)
            }
            metrics.update(backlog: backlog, paused: paused)
        } catch {
            core.logger.debug("could not refresh subscription gauges", metadata: ["error": "\(String(reflecting: error))"])
        }
    }
}
