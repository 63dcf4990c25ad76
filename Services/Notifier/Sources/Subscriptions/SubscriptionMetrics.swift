import Foundation
import Metrics
import Synchronization

/// Prometheus metrics of outbound subscriptions:
///
/// * `leadflow_subscription_deliveries_total{subscription, status="delivered"}`
/// * `leadflow_subscription_attempts_total{subscription, result="success"|"failure"}`
/// * `leadflow_subscription_attempt_seconds{subscription}` (request latency)
/// * `leadflow_subscription_pauses_total{subscription}` (automatic pauses)
/// * `leadflow_subscription_backlog{subscription}` (open deliveries, refreshed periodically)
/// * `leadflow_subscriptions_paused` (paused subscriptions, refreshed periodically)
final class SubscriptionMetrics: Sendable {
    private let known = Mutex<Set<UUID>>([])
    private let pausedGauge = Gauge(label: "leadflow_subscriptions_paused")

    func attempt(subscription: String, success: Bool, milliseconds: Int) {
        Counter(label: "leadflow_subscription_attempts_total",
                dimensions: [("subscription", subscription), ("result", success ? "success" : "failure")]).increment()
        Timer(label: "leadflow_subscription_attempt_seconds", dimensions: [("subscription", subscription)],
              preferredDisplayUnit: .seconds).recordMilliseconds(milliseconds)
    }

    func delivered(subscription: String) {
        Counter(label: "leadflow_subscription_deliveries_total",
                dimensions: [("subscription", subscription), ("status", "delivered")]).increment()
    }

    func paused(subscription: String) {
        Counter(label: "leadflow_subscription_pauses_total", dimensions: [("subscription", subscription)]).increment()
    }

    func update(backlog: [UUID: Int], paused: Int) {
        pausedGauge.record(paused)
        let gone = known.withLock { known -> Set<UUID> in
            let gone = known.subtracting(backlog.keys)
            known = Set(backlog.keys)
            return gone
        }
        for id in gone { gauge(id).record(0) }
        for (id, count) in backlog { gauge(id).record(count) }
    }

    private func gauge(_ id: UUID) -> Gauge {
        Gauge(label: "leadflow_subscription_backlog", dimensions: [("subscription", id.uuidString.lowercased())])
    }
}
