import Hummingbird
import LeadServiceKit
import Metrics

/// Counts refused intake requests by channel and problem code
/// (`leadflow_ingest_rejected_total{channel,code}`), so a sender's broken feed shows on a dashboard.
struct RejectionMetricsMiddleware: RouterMiddleware {
    typealias Context = LeadflowRequestContext

    static func channel(of path: String) -> String? {
        switch path {
        case "/v1/leads": "json"
        case "/v1/leads/adf": "adf"
        case "/v1/leads/import": "csv"
        case "/v1/webhooks/meta": "meta"
        case "/v1/webhooks/google": "google"
        default: nil
        }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let problem as Problem {
            if problem.statusCode < 500, let channel = Self.channel(of: request.uri.path) {
                Counter(label: "leadflow_ingest_rejected_total", dimensions: [("channel", channel), ("code", problem.code)]).increment()
            }
            throw problem
        }
    }
}
