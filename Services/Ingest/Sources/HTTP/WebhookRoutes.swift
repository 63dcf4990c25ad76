import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import LeadModel
import LeadServiceKit

/// The ad networks' webhooks: Meta Lead Ads (`GET`/`POST /v1/webhooks/meta`) and Google Ads
/// lead forms (`POST /v1/webhooks/google`). They authenticate by signature and shared key,
/// not by bearer token.
struct WebhookRoutes: Sendable {
    let core: IngestCore
    let metaQueue: MetaFetchQueue

    func register(on router: Router<LeadflowRequestContext>) {
        router.get("/v1/webhooks/meta") { request, _ in try verifyMeta(request) }
        router.post("/v1/webhooks/meta") { request, _ in try await receiveMeta(request) }
        router.post("/v1/webhooks/google") { request, _ in try await receiveGoogle(request) }
    }

    static func notConfigured(_ channel: String) -> Problem {
        Problem(status: .serviceUnavailable, code: "channel_not_configured", detail: "the \(channel) webhook is not configured on this installation")
    }

    /// Meta's subscription handshake: echo `hub.challenge` when `hub.verify_token` matches.
    func verifyMeta(_ request: Request) throws -> Response {
        guard let expected = core.configuration.meta.verifyToken else { throw Self.notConfigured("Meta") }
        let query = request.uri.queryParameters
        guard let token = query["hub.verify_token"].map(String.init) else {
            throw AuthenticationFailure(.missingCredentials, "the handshake needs hub.verify_token")
        }
        guard constantTimeEquals(token, expected) else {
            throw AuthenticationFailure(.invalidToken, "hub.verify_token does not match")
        }
        guard query["hub.mode"].map(String.init) == "subscribe" else {
            throw Problem.invalid("hub.mode", rule: "enum", "hub.mode must be subscribe")
        }
        guard let challenge = query["hub.challenge"].map(String.init), !challenge.isEmpty, challenge.utf8.count <= 256,
              challenge.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." })
        else {
            throw Problem.invalid("hub.challenge", rule: "format", "hub.challenge is missing or not a token")
        }
        return Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: challenge)))
    }

    /// A leadgen notification: the signature over the raw body is checked before anything
    /// else; each leadgen id goes into the durable fetch queue, answered once for the batch.
    func receiveMeta(_ request: Request) async throws -> Response {
        guard let secret = core.configuration.meta.appSecret else { throw Self.notConfigured("Meta") }
        guard let header = request.headers[HTTPField.Name("X-Hub-Signature-256")!] else {
            throw AuthenticationFailure(.missingCredentials, "the notification has no X-Hub-Signature-256")
        }
        let bytes = Array(try await request.collectBody(limit: core.configuration.maxBodyBytes).readableBytesView)
        guard MetaSignature.isValid(header: header, body: bytes, secret: secret) else {
            throw AuthenticationFailure(.invalidSignature, "X-Hub-Signature-256 does not match the body")
        }
        let sourceId = core.configuration.meta.sourceId
        if let limited = try core.rateLimitResponse("source:\(sourceId)") { return limited }
        let notices: [MetaLeadgenNotice]
        do {
            notices = try MetaFormat.notices(try core.json.parse(bytes), limits: core.configuration.limits)
        } catch let error as JSONParseError {
            throw error.problem
        } catch let rejection as IntakeRejection {
            throw rejection.problem
        }
        let queued = try await metaQueue.enqueue(notices, sourceId: sourceId, now: core.clock())
        return try Response.json(MetaReceipt(received: notices.count, queued: queued), status: .ok)
    }

    struct MetaReceipt: Encodable {
        var received: Int
        var queued: Int
    }

    /// A Google Ads lead: `google_key` must match before the lead is read; answered with `{}`.
    func receiveGoogle(_ request: Request) async throws -> Response {
        guard let expected = core.configuration.google.key else { throw Self.notConfigured("Google") }
        let bytes = Array(try await request.collectBody(limit: core.configuration.maxBodyBytes).readableBytesView)
        let value: JSONValue
        do {
            value = try core.json.parse(bytes)
        } catch {
            // Without a readable body there is no google_key: the caller is not authenticated.
            throw AuthenticationFailure(.missingCredentials, "the delivery carries no readable google_key")
        }
        guard let presented = value.object?["google_key"]?.string else {
            throw AuthenticationFailure(.missingCredentials, "the delivery carries no google_key")
        }
        guard constantTimeEquals(presented, expected) else {
            throw AuthenticationFailure(.invalidAPIKey, "google_key does not match")
        }
        let sourceId = core.configuration.google.sourceId
        if let limited = try core.rateLimitResponse("source:\(sourceId)") { return limited }
        let now = core.clock()
        let prepared: PreparedLead
        do {
            let document = try GoogleFormat.read(value)
            let record = await core.sourceRecord(sourceId)
            prepared = try core.prepare(
                document.submission, source: LeadSource(id: sourceId, name: record?.name ?? "Google Ads", channel: .google, partner: "Google Ads"),
                contentType: "application/json", actor: Actor(id: sourceId, role: .integrationSource), now: now)
        } catch {
            throw error.problem
        }
        _ = try await core.store([prepared])
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: "{}")))
    }
}

/// Meta's `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body with the app secret>`.
enum MetaSignature {
    static func isValid(header: String, body: [UInt8], secret: String) -> Bool {
        let value = header.trimmingWhitespace
        guard value.lowercased().hasPrefix("sha256="), let mac = hexBytes(String(value.dropFirst(7))), mac.count == 32 else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: body, using: SymmetricKey(data: Data(secret.utf8)))
    }

    /// The header value for `body` (used by tests, leadctl loadgen and fake senders).
    static func header(body: [UInt8], secret: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Data(secret.utf8)))
        return "sha256=" + mac.map { String(format: "%02x", $0) }.joined()
    }

    static func hexBytes(_ text: String) -> [UInt8]? {
        guard text.count % 2 == 0, text.count <= 256 else { return nil }
        var bytes: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            guard let byte = UInt8(text[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        return bytes
    }
}

/// Compares secrets without leaking how much of them matched.
func constantTimeEquals(_ lhs: String, _ rhs: String) -> Bool {
    let a = Array(SHA256.hash(data: Data(lhs.utf8)))
    let b = Array(SHA256.hash(data: Data(rhs.utf8)))
    return APIKey.matches(a, stored: b)
}
