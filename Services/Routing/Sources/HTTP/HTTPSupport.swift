import Foundation
import Hummingbird
import LeadServiceKit

/// Small readers of request parts shared by the routing endpoints.
enum HTTPSupport {
    /// The `limit` query parameter (1…`maximum`, default `fallback`); 400 when malformed.
    static func limit(_ request: Request, default fallback: Int = 100, maximum: Int = 500) throws -> Int {
        guard let raw = request.uri.queryParameters["limit"] else { return fallback }
        guard let value = Int(raw), (1...maximum).contains(value) else {
            throw Problem(status: .badRequest, code: "invalid_query", detail: "limit must be an integer from 1 to \(maximum)",
                          field: "limit", rule: "range")
        }
        return value
    }

    /// The `after` cursor (the last id of the previous page).
    static func after(_ request: Request) throws -> String? {
        guard let raw = request.uri.queryParameters["after"] else { return nil }
        guard raw.count <= 200 else {
            throw Problem(status: .badRequest, code: "invalid_query", detail: "after is too long", field: "after", rule: "too_long")
        }
        return String(raw)
    }

    /// The version an `If-Match` header names (`"3"`, `W/"3"` or `3`); nil when absent.
    static func ifMatch(_ request: Request) throws -> Int? {
        guard let raw = header("if-match", in: request) else { return nil }
        let trimmed = raw.trimmingCharacters(in: .whitespaces)
            .replacingOccurrences(of: "W/", with: "").trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        guard let version = Int(trimmed), version > 0 else {
            throw Problem(status: .badRequest, code: "invalid_header", detail: "If-Match must name a version such as \"3\"",
                          field: "If-Match", rule: "format")
        }
        return version
    }

    /// A request header's value by (case-insensitive) name.
    static func header(_ name: String, in request: Request) -> String? {
        request.headers.first { $0.name.canonicalName == name }?.value
    }

    /// A path parameter, at most 200 characters.
    static func pathId(_ context: LeadflowRequestContext, _ name: String = "id") throws -> String {
        let value = try context.parameters.require(name)
        guard value.count <= 200 else { throw Problem.notFound("no such resource") }
        return value
    }

    /// The `ETag` of a version.
    static func etag(_ version: Int) -> String { "\"\(version)\"" }

    /// A 422 problem for a configuration issue.
    static func problem(_ issue: ConfigIssue) -> Problem {
        Problem(status: .unprocessableContent, code: "invalid_field", detail: issue.message, field: issue.field, rule: issue.rule)
    }

    /// Throws the first issue as a 422 problem.
    static func requireValid(_ issues: [ConfigIssue]) throws {
        if let first = issues.first { throw problem(first) }
    }
}

/// A page of records and the cursor of the next page.
struct Page<Item: Encodable & Sendable>: Encodable, Sendable {
    let items: [Item]
    let nextAfter: String?
}
