import Foundation
import JWTKit
import LeadModel
import LeadServiceKit
import Logging
import Testing

@Suite("Bearer tokens: verification, reasons and key rotation")
struct TokenAuthorityTests {
    let logger = Logger(label: "test.tokens")
    let principal = Principal(id: "mia", role: .manager, scope: AccessScope(locationIds: ["loc-1"], teamIds: ["team-2"]))

    func reason(_ authority: TokenAuthority, _ token: String) async -> AuthenticationFailure.Reason? {
        do {
            _ = try await authority.verify(token)
            return nil
        } catch {
            return error.reason
        }
    }

    @Test("a token round-trips its principal and scope")
    func roundTrip() async throws {
        let authority = try await TokenAuthority(configuration: AuthConfiguration(), logger: logger)
        let token = try await authority.issue(for: principal)
        #expect(try await authority.verify(token) == principal)
        #expect(!token.contains("leadflow-dev-signing-key"))
    }

    @Test("expired, wrong audience, wrong issuer, foreign key, unknown kid and garbage are refused with their reason")
    func refusals() async throws {
        let authority = try await TokenAuthority(configuration: AuthConfiguration(), logger: logger)
        let expired = try await authority.issue(for: principal, lifetime: .seconds(60), now: Date().addingTimeInterval(-120))
        #expect(await reason(authority, expired) == .tokenExpired)

        let otherAudience = try await TokenAuthority(configuration: AuthConfiguration(audience: "someone-else"), logger: logger)
        #expect(await reason(authority, try await otherAudience.issue(for: principal)) == .wrongAudience)

        let otherIssuer = try await TokenAuthority(configuration: AuthConfiguration(issuer: "evil"), logger: logger)
        #expect(await reason(authority, try await otherIssuer.issue(for: principal)) == .wrongIssuer)

        // Same kid, another secret: the signature does not verify.
        let forger = try await TokenAuthority(
            configuration: AuthConfiguration(hmacSecrets: [("dev", "an-attackers-guess-of-the-secret-value-32b")]), logger: logger)
        #expect(await reason(authority, try await forger.issue(for: principal)) == .invalidToken)

        let stranger = try await TokenAuthority(
            configuration: AuthConfiguration(hmacSecrets: [("k-unknown", "another-secret-of-at-least-32-bytes-long")]), logger: logger)
        #expect(await reason(authority, try await stranger.issue(for: principal)) == .unknownKey)

        for garbage in ["", "abc", "a.b.c", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", String(repeating: "x", count: 10_000)] {
            #expect(await reason(authority, garbage) == .invalidToken, "\(garbage.prefix(20))")
        }
    }

    @Test("an unsigned ('none') token or a system-role token is refused")
    func noneAndSystem() async throws {
        let authority = try await TokenAuthority(configuration: AuthConfiguration(), logger: logger)
        let header = Data(#"{"alg":"none","kid":"dev","typ":"JWT"}"#.utf8).base64EncodedString()
        let claims = Data(#"{"sub":"x","role":"platform_admin","iss":"leadflow","aud":["leadflow"],"exp":4102444800,"iat":0}"#.utf8)
            .base64EncodedString()
        #expect(await reason(authority, "\(header).\(claims).") == .invalidToken)
        let system = try await authority.issue(for: Principal(id: "routing", role: .system))
        #expect(await reason(authority, system) == .invalidToken)
    }

    @Test("two HS256 secrets are valid during a rotation; dropping the old one revokes its tokens")
    func hmacRotation() async throws {
        let old = AuthConfiguration(hmacSecrets: [("k1", "first-secret-that-is-at-least-32-bytes")])
        let oldToken = try await TokenAuthority(configuration: old, logger: logger).issue(for: principal)
        let during = AuthConfiguration(hmacSecrets: [("k2", "second-secret-that-is-at-least-32-bytes"), ("k1", "first-secret-that-is-at-least-32-bytes")])
        let rotating = try await TokenAuthority(configuration: during, logger: logger)
        let newToken = try await rotating.issue(for: principal)
        #expect(try await rotating.verify(oldToken) == principal)
        #expect(try await rotating.verify(newToken) == principal)
        let after = try await TokenAuthority(
            configuration: AuthConfiguration(hmacSecrets: [("k2", "second-secret-that-is-at-least-32-bytes")]), logger: logger)
        #expect(await reason(after, oldToken) == .unknownKey)
        #expect(try await after.verify(newToken) == principal)
    }

    /// Writes a JWKS file holding the public halves of `keys`.
    func writeJWKS(_ keys: [(kid: String, key: ES256PrivateKey)], to path: String) throws {
        let entries = keys.map { kid, key in
            let parameters = key.parameters!
            return #"{"kty":"EC","crv":"P-256","alg":"ES256","use":"sig","kid":"\#(kid)","x":"\#(parameters.x)","y":"\#(parameters.y)"}"#
        }
        try Data(#"{"keys":[\#(entries.joined(separator: ","))]}"#.utf8).write(to: URL(fileURLWithPath: path))
    }

    func sign(_ key: ES256PrivateKey, kid: String) async throws -> String {
        let keys = JWTKeyCollection()
        await keys.add(ecdsa: key, kid: JWKIdentifier(string: kid))
        let claims = LeadflowClaims(principal: principal, issuer: "leadflow", audience: "leadflow", lifetime: .seconds(600))
        return try await keys.sign(claims, kid: JWKIdentifier(string: kid))
    }

    @Test("ES256 keys from a JWKS file rotate without a restart")
    func jwksRotation() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("jwks-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let first = ES256PrivateKey()
        let second = ES256PrivateKey()
        try writeJWKS([("es-1", first)], to: path)
        let authority = try await TokenAuthority(
            configuration: AuthConfiguration(hmacSecrets: [], jwksFile: path, jwksRecheckInterval: 0), logger: logger)
        let firstToken = try await sign(first, kid: "es-1")
        let secondToken = try await sign(second, kid: "es-2")
        #expect(try await authority.verify(firstToken) == principal)
        #expect(await reason(authority, secondToken) == .unknownKey)

        // Publish the new key next to the old one: both verify.
        try await Task.sleep(for: .milliseconds(1100))  // file modification times have 1 s resolution on some systems
        try writeJWKS([("es-1", first), ("es-2", second)], to: path)
        #expect(try await authority.verify(secondToken) == principal)
        #expect(try await authority.verify(firstToken) == principal)

        // Retire the old key: its tokens stop working.
        try await Task.sleep(for: .milliseconds(1100))
        try writeJWKS([("es-2", second)], to: path)
        #expect(await reason(authority, firstToken) == .unknownKey)
        #expect(try await authority.verify(secondToken) == principal)

        // A token signed with a key that claims kid es-2 but is not it fails the signature check.
        #expect(await reason(authority, try await sign(ES256PrivateKey(), kid: "es-2")) == .invalidToken)
    }

    @Test("environment configuration rejects short secrets and reads rotation lists")
    func environment() throws {
        let reader = EnvironmentReader(["LEADFLOW_JWT_HS256_KEYS": "new:0123456789abcdef0123456789abcdef,old:fedcba9876543210fedcba9876543210"])
        let configuration = try AuthConfiguration(environment: reader)
        #expect(configuration.hmacSecrets.map(\.kid) == ["new", "old"])
        #expect(configuration.signingKeyID == "new")
        #expect(!configuration.usesDevelopmentSecret == false)  // the action-link secret is still the default
        #expect(throws: ConfigurationError.self) {
            try AuthConfiguration(environment: EnvironmentReader(["LEADFLOW_JWT_HS256_KEYS": "k:short"]))
        }
        do {
            _ = try AuthConfiguration(environment: EnvironmentReader(["LEADFLOW_JWT_HS256_KEYS": "k:short-secret-value"]))
        } catch {
            #expect(!"\(error)".contains("short-secret"), "a secret leaked into an error message")
        }
    }
}
