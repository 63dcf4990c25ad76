import Foundation
import Hummingbird
import LeadIntegrationSupport
import LeadModel
import LeadTestSupport
import Logging
import ServiceLifecycle
import Synchronization

@testable import LeadNotifier

/// A downstream system receiving subscription deliveries: verifies each signature as a real
/// receiver would (HMAC over "<t>.<body>", constant-time, 5-minute tolerance against `now`),
/// records what arrived, answers 200 (or 503 while `failing`). It can be stopped — connections
/// are then refused — and started again on the same port.
final class SubscriptionReceiver: Sendable {
    struct Arrival: Sendable {
        let deliveryId: String
        let idempotencyKey: String
        let signatureValid: Bool
        let headers: [String: String]
        let body: [UInt8]

        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:] }
        var type: String? { json["type"] as? String }
        var eventId: String? { (json["eventId"] as? String)?.lowercased() }
        var leadId: String? { (json["leadId"] as? String)?.lowercased() }
        var changes: [[String: String]] { (json["changes"] as? [[String: Any]] ?? []).map { $0.compactMapValues { $0 as? String } } }
    }

    let port: Int
    let secret: String
    private let now: @Sendable () -> Date
    private let arrivals = SharedList<Arrival>()
    private let failing = Mutex(false)
    private let running = Mutex<(ServiceGroup, Task<Void, any Error>)?>(nil)

    var url: String { "http://127.0.0.1:\(port)/hooks/leadflow" }
    var received: [Arrival] { arrivals.all }

    private init(port: Int, secret: String, now: @escaping @Sendable () -> Date) {
        self.port = port
        self.secret = secret
        self.now = now
    }

    /// Starts a receiver on a free port.
    static func start(secret: String, now: @escaping @Sendable () -> Date = { Date() }) async throws -> SubscriptionReceiver {
        let receiver = SubscriptionReceiver(port: try ServiceProcess.freePort(), secret: secret, now: now)
        try await receiver.up()
        return receiver
    }

    /// Answer 503 to every delivery (true) or 200 (false).
    func setFailing(_ value: Bool) { failing.withLock { $0 = value } }

    /// Starts listening (again) on the receiver's port.
    func up() async throws {
        let router = Router()
        router.post("/hooks/leadflow") { request, _ -> Response in
            let body = Array(try await request.body.collect(upTo: 1 << 20).readableBytesView)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName.lowercased()] = field.value }
            let valid = WebhookSigner().verify(
                header: headers["leadflow-signature"] ?? "", body: body, secret: self.secret, now: Int(self.now().timeIntervalSince1970))
            if self.failing.withLock({ $0 }) { return Response(status: .serviceUnavailable) }
            self.arrivals.append(Arrival(
                deliveryId: headers["leadflow-delivery-id"] ?? "", idempotencyKey: headers["idempotency-key"] ?? "",
                signatureValid: valid, headers: headers, body: body))
            return Response(status: valid ? .ok : .unauthorized)
        }
        router.get("/ready") { _, _ in Response(status: .ok) }
        var logger = Logger(label: "test.subscription-receiver")
        logger.logLevel = .warning
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)), logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let task = Task { try await group.run() }
        running.withLock { $0 = (group, task) }
        let ready = await eventually(timeout: .seconds(20), every: .milliseconds(50)) {
            (try? await TestHTTP.request("GET", "http://127.0.0.1:\(self.port)/ready").status) == 200
        }
        if !ready { throw ReceiverFailure(message: "the receiver did not come up on port \(port)") }
    }

    /// Stops listening: deliveries now find the connection refused.
    func down() async {
        guard let (group, task) = running.withLock({ value -> (ServiceGroup, Task<Void, any Error>)? in
            defer { value = nil }
            return value
        }) else { return }
        await group.triggerGracefulShutdown()
        _ = try? await task.value
    }

    /// Whether a connection to the port is refused right now.
    func isRefusingConnections() async -> Bool {
        do {
            _ = try await TestHTTP.request("GET", "http://127.0.0.1:\(port)/ready")
            return false
        } catch {
            return true
        }
    }

    /// Arrivals with each delivery counted once (the first copy), in arrival order.
    var unique: [Arrival] {
        var seen: Set<String> = []
        return received.filter { seen.insert($0.deliveryId).inserted }
    }

    struct ReceiverFailure: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }
}
