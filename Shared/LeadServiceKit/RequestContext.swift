import Hummingbird
import Logging
import NIOCore

/// The request context every Leadflow HTTP route receives: Hummingbird's core context plus the
/// authenticated caller and the client's address (for rate limits).
public struct LeadflowRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The authenticated caller, set by ``AuthenticationMiddleware`` when the request carries
    /// valid credentials.
    public var principal: Principal?
    /// The connected client's address.
    public let remoteAddress: SocketAddress?

    /// Creates a context for an incoming request.
    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
    }

    /// Request bodies collected whole are capped (1 MiB); streaming endpoints count bytes themselves.
    public var maxUploadSize: Int { 1 << 20 }

    /// The caller, or a 401 problem when the request carries no valid credentials.
    public func requirePrincipal() throws -> Principal {
        guard let principal else {
            throw AuthenticationFailure(.missingCredentials, "this endpoint needs a bearer token")
        }
        return principal
    }

    /// A stable name of the client for rate limits (its IP address).
    public var clientKey: String { remoteAddress?.ipAddress ?? "unknown" }
}
