import Foundation
import LeadModel
import LeadServiceKit
import Logging

/// Tokens for tests: the embedded default's HS256 key, so services started with the default
/// configuration accept them.
public enum TestAuth {
    /// The configuration services run with in tests (the embedded default).
    public static let configuration = AuthConfiguration()

    /// A token authority over ``configuration``.
    public static func authority() async throws -> TokenAuthority {
        try await TokenAuthority(configuration: configuration, logger: Logger(label: "test.auth"))
    }

    /// A bearer token for `principal`.
    public static func token(_ principal: Principal, lifetime: Duration = .seconds(3600)) async throws -> String {
        try await authority().issue(for: principal, lifetime: lifetime)
    }

    /// A bearer token for a principal of `role` called `id`.
    public static func token(
        _ role: Actor.Role, id: String = "tester", locations: Set<String> = [], teams: Set<String> = [],
        sources: Set<String> = []
    ) async throws -> String {
        try await token(Principal(id: id, role: role, scope: AccessScope(locationIds: locations, teamIds: teams, sourceIds: sources)))
    }

    /// An `Authorization` header value.
    public static func bearer(_ token: String) -> String { "Bearer \(token)" }
}
