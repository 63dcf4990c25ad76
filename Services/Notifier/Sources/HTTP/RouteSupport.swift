import Foundation
import Hummingbird
import LeadModel
import LeadServiceKit

extension ValidationFailure {
    /// The 422 problem of this failure.
    var problem: Problem {
        Problem(status: .unprocessableContent, code: "invalid_field", detail: message, field: field, rule: rule)
    }
}

enum RouteSupport {
    /// The path parameter `name` as a lead id; 404 when it is not one (as for an unknown lead).
    static func leadId(_ context: LeadflowRequestContext, _ name: String = "leadId") throws -> LeadID {
        guard let text = context.parameters.get(name), let id = LeadID(text) else { throw Problem.notFound("no such lead") }
        return id
    }

    /// A path parameter parsed as `T`; 404 when it does not parse.
    static func parameter<T: RawRepresentable>(_ context: LeadflowRequestContext, _ name: String, as type: T.Type, what: String) throws -> T
    where T.RawValue == String {
        guard let text = context.parameters.get(name), let value = T(rawValue: text) else { throw Problem.notFound("no such \(what)") }
        return value
    }

    /// The `limit` query parameter (1…1000, default 100).
    static func limit(_ request: Request) throws -> Int {
        guard let text = request.uri.queryParameters.get("limit") else { return 100 }
        guard let limit = Int(text), (1...1000).contains(limit) else {
            throw Problem(status: .badRequest, code: "invalid_query", detail: "limit must be an integer from 1 to 1000",
                          field: "limit", rule: "range")
        }
        return limit
    }

    /// Throws the first failure as a 422 problem.
    static func check(_ failures: [ValidationFailure]) throws {
        if let first = failures.first { throw first.problem }
    }
}
