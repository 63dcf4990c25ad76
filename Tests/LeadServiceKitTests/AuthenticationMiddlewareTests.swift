import Foundation
import Hummingbird
import HummingbirdTesting
import LeadModel
import LeadServiceKit
import Logging
import Testing

@Suite("Authentication middleware: 401s, principals and brute-force limits")
struct AuthenticationMiddlewareTests {
    func makeApplication(limit: Int) async throws -> (some ApplicationProtocol, TokenAuthority) {
        let authority = try await TokenAuthority(configuration: AuthConfiguration(), logger: Logger(label: "test"))
        let router = Router(context: LeadflowRequestContext.self)
        router.middlewares.add(ProblemMiddleware())
        router.middlewares.add(AuthenticationMiddleware(
            authenticators: [BearerTokenAuthenticator(authority: authority)],
            limiter: AuthFailureLimiter(limit: limit, window: .seconds(60))))
        router.get("me") { _, context -> String in
            let principal = try context.requirePrincipal()
            return "\(principal.role.rawValue):\(principal.id)"
        }
        router.get("public") { _, _ in "ok" }
        return (Application(router: router), authority)
    }

    @Test("no token: 401 missing_credentials; a valid token reaches the route with its principal")
    func basics() async throws {
        let (app, authority) = try await makeApplication(limit: 100)
        let token = try await authority.issue(for: Principal(id: "akira", role: .salesperson))
        try await app.test(.router) { client in
            let anonymous = try await client.execute(uri: "/me", method: .get)
            #expect(anonymous.status == .unauthorized)
            #expect(anonymous.headers[.contentType] == "application/problem+json")
            #expect(String(buffer: anonymous.body).contains(#""code":"missing_credentials""#))
            #expect(anonymous.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)

            let ok = try await client.execute(uri: "/me", method: .get, headers: [.authorization: "Bearer \(token)"])
            #expect(ok.status == .ok)
            #expect(String(buffer: ok.body) == "salesperson:akira")

            let open = try await client.execute(uri: "/public", method: .get)
            #expect(open.status == .ok)
        }
    }

    @Test("a bad token is refused even on a public route, and never echoed")
    func badToken() async throws {
        let (app, _) = try await makeApplication(limit: 100)
        try await app.test(.router) { client in
            let secretLooking = "eyJhbGciOiJIUzI1NiIsImtpZCI6ImRldiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
            let response = try await client.execute(uri: "/public", method: .get, headers: [.authorization: "Bearer \(secretLooking)"])
            #expect(response.status == .unauthorized)
            #expect(String(buffer: response.body).contains(#""code":"invalid_token""#))
            #expect(!String(buffer: response.body).contains(secretLooking))
        }
    }

    @Test("too many failures from one client: 429 with Retry-After, even with a good token")
    func bruteForce() async throws {
        let (app, authority) = try await makeApplication(limit: 3)
        let token = try await authority.issue(for: Principal(id: "root", role: .platformAdmin))
        try await app.test(.router) { client in
            for _ in 0..<3 {
                let response = try await client.execute(uri: "/me", method: .get, headers: [.authorization: "Bearer nope"])
                #expect(response.status == .unauthorized)
            }
            let limited = try await client.execute(uri: "/me", method: .get, headers: [.authorization: "Bearer \(token)"])
            #expect(limited.status == .tooManyRequests)
            #expect(String(buffer: limited.body).contains("too_many_authentication_failures"))
            #expect(Int(limited.headers[.retryAfter] ?? "") ?? 0 > 0)
        }
    }

    @Test("the limiter forgets failures once the window has passed")
    func window() {
        let limiter = AuthFailureLimiter(limit: 2, window: .seconds(10))
        let start = ContinuousClock.now
        limiter.recordFailure(client: "1.2.3.4", reason: "invalid_token", now: start)
        limiter.recordFailure(client: "1.2.3.4", reason: "invalid_token", now: start)
        #expect(limiter.retryAfter(client: "1.2.3.4", now: start + .seconds(1)) != nil)
        #expect(limiter.retryAfter(client: "5.6.7.8", now: start + .seconds(1)) == nil)
        #expect(limiter.retryAfter(client: "1.2.3.4", now: start + .seconds(11)) == nil)
    }
}
