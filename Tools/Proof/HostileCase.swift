import Foundation
import LeadMessaging

/// One hostile input and what a correct service does with it.
struct HostileCase: Sendable {
    /// Where it goes in the summary table (e.g. `ingest JSON`, `topic leads.inbound`).
    var channel: String
    /// What it tries.
    var name: String
    var input: Input
    var expect: Expectation

    enum Input: Sendable {
        /// Raw bytes to a service's HTTP port, from a loopback source address.
        case http(service: String, bytes: [UInt8], source: String)
        /// A message published to a topic (name without prefix); the key identifies its dead letters.
        case topic(topic: String, key: String, value: [UInt8], headers: [KafkaHeader])
    }

    enum Expectation: Sendable {
        /// A 4xx `application/problem+json` answer with a `code` (and status in `statuses` when given).
        case problem(statuses: Set<Int> = [], code: String? = nil)
        /// Broken HTTP framing: any 4xx, or the connection closed without an answer.
        case refusedFraming
        /// An HTML page (the dashboard): any 4xx.
        case clientError
        /// An injection string in a place where any text is legitimate data (a free-form filter or
        /// id): a 2xx whose body shows it was taken literally (e.g. an empty result, the id echoed).
        case treatedAsData(bodyContains: String)
        /// A CSV upload: refused whole (4xx problem) or answered with the rows refused, each with a code.
        case csvRowsRefused
        /// A dead letter with a code and reason from each of these stages.
        case deadLetters(stages: Set<String>)
    }
}

/// What happened to one case.
struct HostileOutcome: Sendable {
    var testCase: HostileCase
    var passed: Bool
    /// The status and code, or the dead letters' stages and codes.
    var observed: String
}

/// Builds requests for the catalogue.
struct HTTPBuilder: Sendable {
    /// Source address of hostile traffic with valid credentials.
    static let hostileSource = "127.0.0.2"
    /// Source address of traffic with bad credentials (the auth-failure limiter counts per address).
    static let authSource = "127.0.0.3"

    var apiKey: String
    var adminToken: String

    func json(_ service: String, _ method: String, _ path: String, _ body: String, contentType: String? = "application/json",
              auth: Auth = .apiKey, extra: [(String, String)] = []) -> HostileCase.Input {
        bytes(service, method, path, Array(body.utf8), contentType: contentType, auth: auth, extra: extra)
    }

    func bytes(_ service: String, _ method: String, _ path: String, _ body: [UInt8], contentType: String? = "application/json",
               auth: Auth = .apiKey, extra: [(String, String)] = []) -> HostileCase.Input {
        var headers: [(String, String)] = []
        switch auth {
        case .apiKey: headers.append(("X-API-Key", apiKey))
        case .admin: headers.append(("Authorization", "Bearer \(adminToken)"))
        case .bearer(let token), .valid(let token): headers.append(("Authorization", "Bearer \(token)"))
        case .header(let name, let value): headers.append((name, value))
        case .none, .inBody: break
        }
        if let contentType { headers.append(("Content-Type", contentType)) }
        let source: String = switch auth {
        case .bearer, .header, .none: Self.authSource
        default: Self.hostileSource
        }
        return .http(service: service, bytes: RawHTTP.request(method, path, headers: headers + extra, body: body), source: source)
    }

    enum Auth: Sendable {
        case apiKey, admin, none
        /// No credential header because the channel carries its own in the body (a correct Google key).
        case inBody
        /// A bad bearer token (sent from the auth-failure address).
        case bearer(String)
        /// A valid bearer token of some role.
        case valid(String)
        case header(String, String)
    }
}
