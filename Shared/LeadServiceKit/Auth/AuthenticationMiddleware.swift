import Foundation
import Hummingbird

/// One way a request may prove who it is (a bearer token, an intake API key, …).
public protocol RequestAuthenticator: Sendable {
    /// The principal the request's credentials stand for; `nil` when the request carries no
    /// credentials of this kind. Throws when it carries bad ones.
    func authenticate(_ request: Request) async throws(AuthenticationFailure) -> Principal?
}

/// `Authorization: Bearer <JWT>` verified by a ``TokenAuthority``.
public struct BearerTokenAuthenticator: RequestAuthenticator {
    private let authority: TokenAuthority

    /// Creates the authenticator.
    public init(authority: TokenAuthority) {
        self.authority = authority
    }

    public func authenticate(_ request: Request) async throws(AuthenticationFailure) -> Principal? {
        guard let header = request.headers[.authorization] else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            // Another scheme (e.g. Basic): not ours to judge; the route decides what it needs.
            return nil
        }
        return try await authority.verify(String(parts[1]).trimmingCharacters(in: .whitespaces))
    }
}

/// Authenticates every request that carries credentials and puts the caller into the context.
///
/// * No credentials: the request goes on without a principal; routes that need one answer 401
///   (``LeadflowRequestContext/requirePrincipal()``), public routes (health, metrics) answer.
/// * Bad credentials (or an ``AuthenticationFailure`` thrown by a route, e.g. a bad webhook
///   signature): 401 with a problem body, counted per client.
/// * A client with too many failures in the window: 429 with `Retry-After`, before anything else.
public struct AuthenticationMiddleware: RouterMiddleware {
    public typealias Context = LeadflowRequestContext

    private let authenticators: [any RequestAuthenticator]
    private let limiter: AuthFailureLimiter

    /// Creates the middleware.
    public init(authenticators: [any RequestAuthenticator], limiter: AuthFailureLimiter) {
        self.authenticators = authenticators
        self.limiter = limiter
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let client = context.clientKey
        if let wait = limiter.retryAfter(client: client) {
            limiter.recordRefusal()
            let seconds = max(1, Int(wait.components.seconds) + 1)
            var response = try Problem(
                status: .tooManyRequests, code: "too_many_authentication_failures",
                detail: "too many failed authentications from this client; retry in \(seconds) s"
            ).response(from: request, context: context)
            response.headers[.retryAfter] = "\(seconds)"
            return response
        }
        var context = context
        do {
            for authenticator in authenticators {
                if let principal = try await authenticator.authenticate(request) {
                    context.principal = principal
                    context.logger[metadataKey: "principal"] = "\(principal)"
                    break
                }
            }
            return try await next(request, context)
        } catch let failure as AuthenticationFailure {
            if failure.reason != .missingCredentials {
                limiter.recordFailure(client: client, reason: failure.reason.rawValue)
            }
            return try failure.response(from: request, context: context)
        }
    }
}

extension AuthenticationFailure: HTTPResponseError {
    public var status: HTTPResponse.Status { .unauthorized }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = try problem.response(from: request, context: context)
        response.headers[.wwwAuthenticate] = #"Bearer realm="leadflow", error="\#(reason == .missingCredentials ? "invalid_request" : "invalid_token")""#
        return response
    }
}
