import Hummingbird
import Logging
import NIOCore

/// The request context every Leadflow HTTP route receives.
public struct LeadflowRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage

    /// Creates a context for an incoming request.
    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
    }

    /// Request bodies collected whole are capped (1 MiB); streaming endpoints count bytes themselves.
    public var maxUploadSize: Int { 1 << 20 }
}
