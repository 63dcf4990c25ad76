import Foundation
import LeadServiceKit

/// Settings of outbound subscriptions, read from `LEADFLOW_NOTIFIER_SUBSCRIPTION_*`
/// (docs/notifier.md lists them with their defaults).
public struct SubscriptionConfiguration: Sendable {
    /// Backoff and pausing.
    public var policy: SubscriptionDeliveryPolicy
    /// Request timeout of one delivery.
    public var timeout: Duration
    /// Deliveries claimed (and sent concurrently) per round.
    public var batchSize: Int
    /// How often the backlog and paused gauges are refreshed.
    public var gaugeInterval: Duration

    /// Reads the configuration.
    public init(environment: [String: String]) throws {
        let env = EnvironmentReader(environment)
        policy = SubscriptionDeliveryPolicy(
            baseDelay: Double(try env.int("LEADFLOW_NOTIFIER_SUBSCRIPTION_RETRY_BASE_MS", default: 1000, in: 1...3_600_000)) / 1000,
            maxDelay: Double(try env.int("LEADFLOW_NOTIFIER_SUBSCRIPTION_RETRY_MAX_MS", default: 600_000, in: 1...86_400_000)) / 1000,
            pauseAfterFailures: try env.int("LEADFLOW_NOTIFIER_SUBSCRIPTION_PAUSE_AFTER_FAILURES", default: 20, in: 1...1_000_000),
            pauseAfterFailingFor: Double(try env.int("LEADFLOW_NOTIFIER_SUBSCRIPTION_PAUSE_AFTER_SECONDS", default: 86_400, in: 1...31_536_000)))
        timeout = .seconds(try env.int("LEADFLOW_NOTIFIER_SUBSCRIPTION_TIMEOUT_SECONDS", default: 10, in: 1...120))
        batchSize = try env.int("LEADFLOW_NOTIFIER_SUBSCRIPTION_BATCH_SIZE", default: 32, in: 1...1000)
        gaugeInterval = .milliseconds(try env.int("LEADFLOW_NOTIFIER_SUBSCRIPTION_GAUGE_MS", default: 5000, in: 100...600_000))
    }
}
