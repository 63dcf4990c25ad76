import Foundation

/// When a failed subscription delivery is tried again, and when a subscription that keeps failing
/// is paused. Deliveries are never given up: a failing subscription is paused instead, and its
/// backlog waits for `resume`.
public struct SubscriptionDeliveryPolicy: Hashable, Sendable {
    /// The wait after the first failed attempt.
    public var baseDelay: TimeInterval
    /// The longest wait between attempts.
    public var maxDelay: TimeInterval
    /// Pause after this many failed attempts in a row (any lead), with no success in between.
    public var pauseAfterFailures: Int
    /// Pause once it has been failing (no success) for this long.
    public var pauseAfterFailingFor: TimeInterval

    /// Creates a policy.
    public init(baseDelay: TimeInterval = 1, maxDelay: TimeInterval = 600, pauseAfterFailures: Int = 20,
                pauseAfterFailingFor: TimeInterval = 86_400) {
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.pauseAfterFailures = pauseAfterFailures
        self.pauseAfterFailingFor = pauseAfterFailingFor
    }

    /// The wait after attempt number `attempt` (1-based) failed: `baseDelay · 2^(attempt-1)`, capped
    /// at `maxDelay`, with "equal jitter" — a random point in the upper half — so many failing
    /// deliveries spread out. `random` is in 0…1 (injected, so tests control it).
    public func retryDelay(afterAttempt attempt: Int, random: Double) -> TimeInterval {
        let exponent = Double(min(max(attempt - 1, 0), 60))
        let capped = min(baseDelay * pow(2, exponent), maxDelay)
        let unit = min(max(random, 0), 1)
        return max(capped / 2 + capped / 2 * unit, 0.001)
    }

    /// Why the subscription must be paused after one more failure, or nil to keep going.
    /// `consecutiveFailures` counts this failure; `failingSince` is the first failure of the streak.
    public func pauseReason(consecutiveFailures: Int, failingSince: Date, now: Date) -> String? {
        if consecutiveFailures >= pauseAfterFailures {
            return "failed \(consecutiveFailures) times in a row"
        }
        let seconds = now.timeIntervalSince(failingSince)
        if seconds >= pauseAfterFailingFor {
            return "failing for \(Int(seconds)) seconds"
        }
        return nil
    }
}

/// The headers of a subscription delivery. The signature follows Stripe's scheme:
/// `Leadflow-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
public enum SubscriptionHeaders {
    /// The delivery's id: the same on every attempt (de-duplicate on it).
    public static let deliveryId = "Leadflow-Delivery-Id"
    /// The same value, under the common name.
    public static let idempotencyKey = "Idempotency-Key"
    /// Unix seconds of this attempt (the `t` of the signature).
    public static let timestamp = "Leadflow-Timestamp"
    /// `t=…,v1=…`.
    public static let signature = "Leadflow-Signature"
    /// The event type.
    public static let eventType = "Leadflow-Event-Type"
    /// The event id.
    public static let eventId = "Leadflow-Event-Id"
    /// The subscription id.
    public static let subscriptionId = "Leadflow-Subscription-Id"
    /// The attempt number (1-based).
    public static let attempt = "Leadflow-Attempt"

    /// Every header of one attempt, signature included.
    public static func make(
        deliveryId: UUID, subscriptionId: UUID, eventId: UUID, eventType: String, attempt: Int, body: [UInt8], secret: String,
        timestamp: Int
    ) -> [(String, String)] {
        let id = deliveryId.uuidString.lowercased()
        return [
            ("Content-Type", "application/json"),
            ("User-Agent", "Leadflow-Notifier/1"),
            (self.deliveryId, id),
            (idempotencyKey, id),
            (self.timestamp, "\(timestamp)"),
            (signature, WebhookSigner().signature(body: body, secret: secret, timestamp: timestamp)),
            (self.eventType, eventType),
            (self.eventId, eventId.uuidString.lowercased()),
            (self.subscriptionId, subscriptionId.uuidString.lowercased()),
            (self.attempt, "\(attempt)"),
        ]
    }
}
