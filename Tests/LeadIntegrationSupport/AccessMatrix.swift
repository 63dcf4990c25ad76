import Foundation
import LeadModel
import LeadServiceKit
import Logging

/// One caller of an access-control matrix: a name for the report and its `Authorization` header.
public struct MatrixCaller: Sendable, CustomStringConvertible {
    /// What the caller is (`anonymous`, `expired`, `manager(in scope)`…).
    public let name: String
    /// The headers it sends (empty for anonymous).
    public let headers: [String: String]

    /// Creates a caller.
    public init(name: String, headers: [String: String]) {
        self.name = name
        self.headers = headers
    }

    public var description: String { name }
}

/// The callers every endpoint of every service must turn away with 401: no token, an expired
/// token, a token for another audience, another issuer, and one signed with a key the service
/// does not know (same `kid`, another secret).
public enum AccessMatrix {
    /// The four rejected-token callers plus the anonymous one, all with an otherwise all-powerful
    /// platform-admin principal (so only the credential is wrong).
    public static func unauthenticatedCallers() async throws -> [MatrixCaller] {
        let admin = Principal(id: "matrix-admin", role: .platformAdmin)
        let logger = Logger(label: "test.matrix")
        let expired = try await TokenAuthority(configuration: TestAuth.configuration, logger: logger)
            .issue(for: admin, lifetime: .seconds(60), now: Date().addingTimeInterval(-3600))
        let wrongAudience = try await TokenAuthority(configuration: AuthConfiguration(audience: "another-api"), logger: logger)
            .issue(for: admin)
        let wrongIssuer = try await TokenAuthority(configuration: AuthConfiguration(issuer: "someone-else"), logger: logger)
            .issue(for: admin)
        let foreignKey = try await TokenAuthority(
            configuration: AuthConfiguration(hmacSecrets: [("dev", "a-key-the-services-have-never-seen-000")]), logger: logger
        ).issue(for: admin)
        return [
            MatrixCaller(name: "anonymous", headers: [:]),
            MatrixCaller(name: "expired token", headers: ["authorization": TestAuth.bearer(expired)]),
            MatrixCaller(name: "wrong audience", headers: ["authorization": TestAuth.bearer(wrongAudience)]),
            MatrixCaller(name: "wrong issuer", headers: ["authorization": TestAuth.bearer(wrongIssuer)]),
            MatrixCaller(name: "token signed with another key", headers: ["authorization": TestAuth.bearer(foreignKey)]),
            MatrixCaller(name: "not a JWT", headers: ["authorization": "Bearer not-a-token"]),
        ]
    }

    /// A caller holding a valid token for `principal`.
    public static func caller(_ name: String, _ principal: Principal) async throws -> MatrixCaller {
        MatrixCaller(name: name, headers: ["authorization": TestAuth.bearer(try await TestAuth.token(principal))])
    }
}
