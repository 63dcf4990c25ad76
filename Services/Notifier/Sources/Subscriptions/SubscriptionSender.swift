import AsyncHTTPClient
import Foundation
import NIOCore

/// The result of one delivery attempt.
struct SubscriptionAttemptResult: Sendable {
    /// HTTP status, when the receiver answered.
    var status: Int?
    /// Why it failed (nil: delivered). Never contains the secret or the body.
    var error: String?
    /// How long the attempt took.
    var durationMs: Int
}

/// POSTs one signed delivery. Redirects are not followed; 2xx is success, anything else (other
/// statuses, refused connections, timeouts) a failure to retry.
struct SubscriptionSender: Sendable {
    let http: HTTPClient
    let timeout: Duration

    func send(_ delivery: ClaimedSubscriptionDelivery, timestamp: Int) async -> SubscriptionAttemptResult {
        var request = HTTPClientRequest(url: delivery.url)
        request.method = .POST
        for (name, value) in SubscriptionHeaders.make(
            deliveryId: delivery.id, subscriptionId: delivery.subscriptionId, eventId: delivery.eventId,
            eventType: delivery.eventType, attempt: delivery.attempt, body: delivery.body, secret: delivery.secret,
            timestamp: timestamp) {
            request.headers.add(name: name, value: value)
        }
        request.body = .bytes(ByteBuffer(bytes: delivery.body))
        let started = ContinuousClock.now
        func elapsed() -> Int {
            let duration = ContinuousClock.now - started
            return Int(duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000)
        }
        do {
            let response = try await http.execute(request, timeout: .seconds(timeout.components.seconds))
            _ = try? await response.body.collect(upTo: 64 << 10)
            let status = Int(response.status.code)
            if (200..<300).contains(status) { return SubscriptionAttemptResult(status: status, error: nil, durationMs: elapsed()) }
            return SubscriptionAttemptResult(status: status, error: "the receiver answered HTTP \(status)", durationMs: elapsed())
        } catch {
            return SubscriptionAttemptResult(
                status: nil, error: "the receiver is unreachable: \(String(describing: error).prefix(200))", durationMs: elapsed())
        }
    }
}
