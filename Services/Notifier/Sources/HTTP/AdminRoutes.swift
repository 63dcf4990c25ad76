import Foundation
import Hummingbird
import LeadModel
import LeadServiceKit

/// Operator endpoints (platform admin):
///
/// * `GET /v1/deliveries[?state=failed&limit=]` — recent deliveries (addresses masked, no content).
/// * `POST /v1/deliveries/{id}/retry` — put a failed delivery back in line with fresh attempts.
/// * `GET /v1/default-tasks` — the default tasks per lead category.
/// * `PUT /v1/default-tasks/{category}` — replace a category's list (`[{"title", "dueAfterSeconds"}]`).
struct AdminRoutes: Sendable {
    let core: NotifierCore

    func add(to router: Router<LeadflowRequestContext>) {
        let core = self.core
        router.get("/v1/deliveries") { request, context -> Response in
            try context.requirePrincipal().require(.administer)
            var state: DeliveryState?
            if let text = request.uri.queryParameters.get("state") {
                guard let parsed = DeliveryState(rawValue: text) else {
                    throw Problem(status: .badRequest, code: "invalid_query",
                                  detail: "state is one of \(DeliveryState.allCases.map(\.rawValue).joined(separator: ", "))",
                                  field: "state", rule: "enum")
                }
                state = parsed
            }
            let limit = try RouteSupport.limit(request)
            let records = try await core.withConnection {
                try await core.deliveries.list(state: state, limit: limit, on: $0, logger: core.logger)
            }
            return try Response.json(records.map(LeadRoutes.DeliveryView.init))
        }
        router.post("/v1/deliveries/:id/retry") { _, context -> Response in
            let principal = try context.requirePrincipal()
            try principal.require(.administer)
            guard let text = context.parameters.get("id"), let id = UUID(uuidString: text) else {
                throw Problem.notFound("no such delivery")
            }
            let now = core.clock()
            guard let record = try await core.postgres.transaction(logger: core.logger, { connection in
                try await core.deliveries.retry(id, now: now, on: connection, logger: core.logger)
            }) else {
                throw Problem(status: .notFound, code: "not_found", detail: "no failed delivery with this id")
            }
            core.logger.info("delivery retried by operator", metadata: ["notificationKey": "\(record.key.value)", "by": "\(principal)"])
            core.dispatcherSignal.wake()
            return try Response.json(LeadRoutes.DeliveryView(record))
        }
        router.get("/v1/default-tasks") { _, context -> Response in
            try context.requirePrincipal().require(.administer)
            let tasks = try await core.withConnection { try await core.defaultTasks.all(on: $0, logger: core.logger) }
            return try Response.json(Dictionary(uniqueKeysWithValues: tasks.map { ($0.key.rawValue, $0.value) }))
        }
        router.put("/v1/default-tasks/:category") { request, context -> Response in
            let principal = try context.requirePrincipal()
            try principal.require(.administer)
            let category = try RouteSupport.parameter(context, "category", as: LeadCategory.self, what: "lead category")
            let tasks = try await request.decodeJSON([DefaultTask].self, limits: JSONBodyLimits(maxBytes: 64 << 10, maxDepth: 4))
            try RouteSupport.check(DefaultTask.problems(of: tasks))
            try await core.postgres.transaction(logger: core.logger) { connection in
                try await core.defaultTasks.replace(category, with: tasks, on: connection, logger: core.logger)
            }
            core.defaultTaskCache.invalidate()
            core.logger.info("default tasks changed", metadata: ["category": "\(category.rawValue)", "by": "\(principal)"])
            return try Response.json(tasks)
        }
    }
}
