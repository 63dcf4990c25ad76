import Foundation
import Hummingbird
import LeadModel
import LeadServiceKit

/// The claims of a dashboard session cookie: who, with which scope, until when.
public struct DashboardSession: Codable, Hashable, Sendable {
    public var sub: String
    public var role: Actor.Role
    public var locations: [String]
    public var teams: [String]
    public var sources: [String]
    public var exp: Date

    /// The session of `principal` until `expiry`.
    public init(principal: Principal, expiry: Date) {
        sub = principal.id
        role = principal.role
        locations = principal.scope.locationIds.sorted()
        teams = principal.scope.teamIds.sorted()
        sources = principal.scope.sourceIds.sorted()
        exp = expiry
    }

    /// The principal it stands for.
    public var principal: Principal {
        Principal(id: sub, role: role, scope: AccessScope(
            locationIds: Set(locations), teamIds: Set(teams), sourceIds: Set(sources)))
    }
}

/// Browser sessions for the dashboard, so tokens never travel in URLs.
///
/// A caller holding a bearer token calls `POST /v1/dashboard/session`; the answer sets an
/// `HttpOnly`, `SameSite=Strict` cookie (path `/dashboard`) holding an HMAC-signed session that
/// lasts `LEADFLOW_ANALYTICS_SESSION_MINUTES` and never beyond the token's own expiry. The cookie
/// is accepted only on `GET`/`HEAD` of `/dashboard/…` (read-only pages), so it cannot be used
/// against the API or for anything that changes state.
public struct DashboardSessions: Sendable {
    /// The cookie's name.
    public static let cookieName = "leadflow_dashboard"
    /// The path the cookie is sent to.
    public static let cookiePath = "/dashboard"

    let signer: Signer
    let lifetime: Duration
    let secureCookies: Bool
    let clock: @Sendable () -> Date

    /// Creates the session authority.
    public init(secret: String, lifetime: Duration, secureCookies: Bool, clock: @escaping @Sendable () -> Date) {
        signer = Signer(secret: secret, purpose: "dashboard-session")
        self.lifetime = lifetime
        self.secureCookies = secureCookies
        self.clock = clock
    }

    /// A new session for `principal`, ending at the lifetime or `tokenExpiry`, whichever is first.
    public func start(for principal: Principal, tokenExpiry: Date?) -> DashboardSession {
        let end = clock().addingTimeInterval(Double(lifetime.components.seconds))
        return DashboardSession(principal: principal, expiry: min(end, tokenExpiry ?? end))
    }

    /// The `Set-Cookie` value carrying `session`.
    public func setCookie(_ session: DashboardSession) throws -> String {
        let value = try signer.sign(session)
        let maxAge = max(0, Int(session.exp.timeIntervalSince(clock())))
        return "\(Self.cookieName)=\(value); Path=\(Self.cookiePath); Max-Age=\(maxAge); HttpOnly; SameSite=Strict"
            + (secureCookies ? "; Secure" : "")
    }

    /// The `Set-Cookie` value that ends the session in the browser.
    public var clearCookie: String {
        "\(Self.cookieName)=; Path=\(Self.cookiePath); Max-Age=0; HttpOnly; SameSite=Strict" + (secureCookies ? "; Secure" : "")
    }

    /// The principal of a valid, unexpired session cookie among `cookieHeaders`.
    public func principal(cookieHeaders: [String]) -> Principal? {
        for header in cookieHeaders {
            for pair in header.split(separator: ";") {
                let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard parts.count == 2, parts[0] == Self.cookieName,
                      let session = signer.verify(parts[1], as: DashboardSession.self),
                      session.exp > clock()
                else { continue }
                return session.principal
            }
        }
        return nil
    }

    /// The `exp` of a JWT (read without verifying: call only after the token was verified).
    public static func expiry(ofBearer header: String?) -> Date? {
        guard let header, header.lowercased().hasPrefix("bearer ") else { return nil }
        let parts = header.dropFirst(7).split(separator: ".")
        guard parts.count == 3, let data = Signer.data(base64URL: String(parts[1])),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let exp = object["exp"] as? Double
        else { return nil }
        return Date(timeIntervalSince1970: exp)
    }
}

/// Authenticates dashboard page views by their session cookie (read-only pages only).
public struct DashboardSessionAuthenticator: RequestAuthenticator {
    let sessions: DashboardSessions

    /// Creates the authenticator.
    public init(sessions: DashboardSessions) {
        self.sessions = sessions
    }

    public func authenticate(_ request: Request) async throws(AuthenticationFailure) -> Principal? {
        guard request.method == .get || request.method == .head,
              request.uri.path == DashboardSessions.cookiePath || request.uri.path.hasPrefix(DashboardSessions.cookiePath + "/")
        else { return nil }
        // An expired or forged cookie is no credential at all: the page asks to sign in again.
        return sessions.principal(cookieHeaders: request.headers[values: .cookie])
    }
}
