import AsyncHTTPClient
import Foundation
import LeadModel
import NIOCore

/// Classifies HTTP answers: 2xx delivered; 408, 425, 429 and 5xx worth retrying; other 4xx final.
enum HTTPOutcome {
    static func check(status: UInt, service: String) throws {
        switch status {
        case 200..<300: return
        case 408, 425, 429, 500...599:
            throw DeliveryFailure("\(service) answered HTTP \(status)", permanent: false)
        default:
            throw DeliveryFailure("\(service) answered HTTP \(status)", permanent: true)
        }
    }

    static func failure(_ error: any Error, service: String) -> DeliveryFailure {
        if let failure = error as? DeliveryFailure { return failure }
        return DeliveryFailure("\(service) unreachable: \(String(describing: error).prefix(200))", permanent: false)
    }
}

/// Posts signed JSON to webhook endpoints: `Idempotency-Key` (the notification key), timestamp,
/// HMAC-SHA256 signature. No redirects are followed.
public struct WebhookSender: ChannelSender {
    private let http: HTTPClient
    private let signer = WebhookSigner()
    private let timeout: Duration
    private let clock: NotifierClock

    /// Creates the sender.
    public init(http: HTTPClient, timeout: Duration, clock: @escaping NotifierClock) {
        self.http = http
        self.timeout = timeout
        self.clock = clock
    }

    public func send(_ delivery: OutgoingDelivery) async throws {
        guard let body = delivery.payload else { throw DeliveryFailure("webhook delivery without a payload", permanent: true) }
        guard let secret = delivery.webhookSecret, !secret.isEmpty else {
            throw DeliveryFailure("the webhook recipient has no signing secret", permanent: true)
        }
        let timestamp = Int(clock().timeIntervalSince1970)
        var request = HTTPClientRequest(url: delivery.address)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "Leadflow-Notifier/1")
        request.headers.add(name: "Idempotency-Key", value: delivery.key.value)
        request.headers.add(name: "X-Leadflow-Delivery", value: delivery.id.uuidString.lowercased())
        request.headers.add(name: "X-Leadflow-Purpose", value: delivery.kind.purpose.rawValue)
        request.headers.add(name: "X-Leadflow-Attempt", value: "\(delivery.attempt)")
        request.headers.add(name: WebhookSigner.timestampHeader, value: "\(timestamp)")
        request.headers.add(name: WebhookSigner.signatureHeader, value: signer.signature(body: body, secret: secret, timestamp: timestamp))
        request.body = .bytes(ByteBuffer(bytes: body))
        do {
            let response = try await http.execute(request, timeout: .seconds(timeout.components.seconds))
            _ = try? await response.body.collect(upTo: 64 << 10)
            try HTTPOutcome.check(status: response.status.code, service: "webhook")
        } catch {
            throw HTTPOutcome.failure(error, service: "webhook")
        }
    }
}

/// Sends SMS through an HTTP provider API: `POST <url>` with `{"to", "from", "body"}`, bearer or
/// basic credentials, and the notification key as `Idempotency-Key`.
public struct SMSSender: ChannelSender {
    /// The provider's settings.
    public struct Configuration: Sendable {
        /// The provider's send endpoint.
        public var url: String
        /// Bearer token (takes precedence over basic credentials).
        public var token: String?
        /// Basic-auth user.
        public var username: String?
        /// Basic-auth password.
        public var password: String?
        /// Sender id or number.
        public var from: String?
        /// Request timeout.
        public var timeout: Duration

        /// Creates a configuration.
        public init(url: String, token: String? = nil, username: String? = nil, password: String? = nil, from: String? = nil,
                    timeout: Duration = .seconds(10)) {
            self.url = url
            self.token = token
            self.username = username
            self.password = password
            self.from = from
            self.timeout = timeout
        }
    }

    private struct Message: Encodable {
        let to: String
        let from: String?
        let body: String
        let reference: String
    }

    private let http: HTTPClient
    private let configuration: Configuration

    /// Creates the sender.
    public init(http: HTTPClient, configuration: Configuration) {
        self.http = http
        self.configuration = configuration
    }

    public func send(_ delivery: OutgoingDelivery) async throws {
        var request = HTTPClientRequest(url: configuration.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Idempotency-Key", value: delivery.key.value)
        if let token = configuration.token {
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
        } else if let username = configuration.username {
            let credentials = Data("\(username):\(configuration.password ?? "")".utf8).base64EncodedString()
            request.headers.add(name: "Authorization", value: "Basic \(credentials)")
        }
        let body = try JSONEncoder().encode(Message(
            to: delivery.address, from: configuration.from, body: delivery.text, reference: delivery.key.value))
        request.body = .bytes(ByteBuffer(bytes: body))
        do {
            let response = try await http.execute(request, timeout: .seconds(configuration.timeout.components.seconds))
            _ = try? await response.body.collect(upTo: 64 << 10)
            try HTTPOutcome.check(status: response.status.code, service: "sms provider")
        } catch {
            throw HTTPOutcome.failure(error, service: "sms provider")
        }
    }
}
