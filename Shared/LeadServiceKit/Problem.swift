import Foundation
import Hummingbird
import LeadStorage

/// An RFC 9457 problem: the JSON body of every error response Leadflow's HTTP APIs give.
/// `code` is a stable machine-readable reason clients may switch on; `detail` is for people.
public struct Problem: Error, Codable, Sendable, HTTPResponseError {
    /// A URI naming the problem type (`https://leadflow.dev/problems/<code>`).
    public var type: String
    /// A short summary of the problem type.
    public var title: String
    /// The HTTP status code.
    public var statusCode: Int
    /// An explanation of this occurrence.
    public var detail: String
    /// Stable reason code.
    public var code: String
    /// The offending field, when one is to blame (JSON pointer or field name).
    public var field: String?
    /// The rule the field broke.
    public var rule: String?
    /// Sent as `Retry-After` (seconds) when the client should simply try again later.
    public var retryAfterSeconds: Int?

    enum CodingKeys: String, CodingKey {
        case type, title, detail, code, field, rule
        case statusCode = "status"
    }

    /// Creates a problem.
    public init(status: HTTPResponse.Status, code: String, detail: String, field: String? = nil, rule: String? = nil) {
        self.type = "https://leadflow.dev/problems/\(code)"
        self.title = status.reasonPhrase
        self.statusCode = status.code
        self.detail = detail
        self.code = code
        self.field = field
        self.rule = rule
    }

    public var status: HTTPResponse.Status { HTTPResponse.Status(code: statusCode) }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = try encoder.encode(self)
        var headers: HTTPFields = [.contentType: "application/problem+json"]
        if let retryAfterSeconds { headers[.retryAfter] = String(retryAfterSeconds) }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// 503 while PostgreSQL is unreachable or restarting: the request changed nothing that a
    /// retry would repeat (or is idempotent), so the client should send it again shortly.
    public static func databaseUnavailable(_ detail: String = "the database is unavailable; try again shortly") -> Problem {
        var problem = Problem(status: .serviceUnavailable, code: "database_unavailable", detail: detail)
        problem.retryAfterSeconds = 1
        return problem
    }

    /// 404 for an unknown route or resource.
    public static func notFound(_ detail: String = "no such resource") -> Problem {
        Problem(status: .notFound, code: "not_found", detail: detail)
    }
}

/// Turns any error a handler throws into a problem JSON, so no response is ever a bare 500 page.
public struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Creates the middleware.
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let problem as Problem {
            return try problem.response(from: request, context: context)
        } catch let error as any HTTPResponseError {
            let problem = Problem(
                status: error.status,
                code: error.status == .notFound ? "not_found" : "http_\(error.status.code)",
                detail: error.status == .notFound ? "no such resource: \(request.uri.path)" : "\(error.status.reasonPhrase)"
            )
            return try problem.response(from: request, context: context)
        } catch where isTransientDatabaseFailure(error) {
            context.logger.warning("database unavailable; answered 503", metadata: ["error": "\(String(reflecting: error))"])
            return try Problem.databaseUnavailable().response(from: request, context: context)
        } catch {
            context.logger.error("unhandled error", metadata: ["error": "\(String(reflecting: error))"])
            return try Problem(status: .internalServerError, code: "internal_error", detail: "internal error")
                .response(from: request, context: context)
        }
    }
}
