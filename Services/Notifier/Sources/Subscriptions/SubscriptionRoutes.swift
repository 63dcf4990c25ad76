import Foundation
import Hummingbird
import LeadModel
import LeadServiceKit

/// `/v1/subscriptions`: outbound webhook subscriptions of downstream systems (platform admin only:
/// a subscription sees every lead its filter matches, so it is platform configuration).
///
/// * `POST /v1/subscriptions` — create (201); `GET /v1/subscriptions[?limit=]` — list
/// * `GET / PUT / DELETE /v1/subscriptions/{id}` — read, replace (the secret is kept when omitted), delete (204)
/// * `POST /v1/subscriptions/{id}/pause`, `POST /v1/subscriptions/{id}/resume`
/// * `GET /v1/subscriptions/{id}/deliveries[?state=&limit=&before=]` — history, newest first
///
/// The secret is write-only: never returned, logged or put in events.
struct SubscriptionRoutes: Sendable {
    let core: SubscriptionCore

    struct View: Encodable {
        let id: String
        let name: String?
        let url: String
        let hasSecret: Bool
        let eventTypes: [String]
        let statusChanges: [StatusTransition]
        let sources: [String]
        let locations: [String]
        let state: Subscription.State
        let pausedReason: String?
        let pausedAt: Date?
        let consecutiveFailures: Int
        let failingSince: Date?
        let lastDeliveredAt: Date?
        let lastError: String?
        let backlog: Int?
        let createdAt: Date
        let updatedAt: Date
        let updatedBy: String

        init(_ subscription: Subscription, backlog: Int?) {
            id = subscription.id.uuidString.lowercased()
            name = subscription.name
            url = subscription.url
            hasSecret = true
            eventTypes = subscription.filter.eventTypes
            statusChanges = subscription.filter.statusChanges
            sources = subscription.filter.sources
            locations = subscription.filter.locations
            state = subscription.state
            pausedReason = subscription.pausedReason
            pausedAt = subscription.pausedAt
            consecutiveFailures = subscription.consecutiveFailures
            failingSince = subscription.failingSince
            lastDeliveredAt = subscription.lastDeliveredAt
            lastError = subscription.lastError
            self.backlog = backlog
            createdAt = subscription.createdAt
            updatedAt = subscription.updatedAt
            updatedBy = subscription.updatedBy
        }
    }

    struct DeliveryPage: Encodable {
        let deliveries: [SubscriptionDeliveryView]
        /// Pass as `before` for the next (older) page; absent on the last page.
        let nextBefore: Int64?
    }

    static let limits = JSONBodyLimits(maxBytes: 64 << 10, maxDepth: 5)

    func add(to router: Router<LeadflowRequestContext>) {
        let core = self.core
        let store = core.store
        let logger = core.logger
        router.post("/v1/subscriptions") { request, context -> Response in
            let principal = try Self.admin(context)
            let input = try await request.decodeJSON(SubscriptionInput.self, limits: Self.limits)
            try RouteSupport.check(SubscriptionValidation.problems(of: input, creating: true))
            let now = core.clock()
            let subscription = Subscription(
                id: UUID(), name: input.name, url: input.url ?? "", filter: input.filter, state: .active, pausedReason: nil,
                pausedAt: nil, consecutiveFailures: 0, failingSince: nil, lastDeliveredAt: nil, lastError: nil, createdAt: now,
                updatedAt: now, updatedBy: principal.description)
            let stored = try await core.postgres.transaction(logger: logger) { connection in
                try await store.create(subscription, secret: input.secret ?? "", on: connection, logger: logger)
                return try await store.find(subscription.id, on: connection, logger: logger)
            }
            logger.info("subscription created", metadata: ["subscription": "\(subscription.id)", "by": "\(principal)"])
            return try Response.json(View(stored ?? subscription, backlog: 0), status: .created)
        }
        router.get("/v1/subscriptions") { request, context -> Response in
            _ = try Self.admin(context)
            let limit = try RouteSupport.limit(request)
            let subscriptions = try await core.postgres.withConnection { try await store.list(limit: limit, on: $0, logger: logger) }
            return try Response.json(subscriptions.map { View($0, backlog: nil) })
        }
        router.get("/v1/subscriptions/:id") { _, context -> Response in
            _ = try Self.admin(context)
            let id = try Self.id(context)
            let (subscription, backlog) = try await core.postgres.withConnection { connection in
                (try await store.find(id, on: connection, logger: logger), try await store.backlog(id, on: connection, logger: logger))
            }
            guard let subscription else { throw Problem.notFound("no such subscription") }
            return try Response.json(View(subscription, backlog: backlog))
        }
        router.put("/v1/subscriptions/:id") { request, context -> Response in
            let principal = try Self.admin(context)
            let id = try Self.id(context)
            let input = try await request.decodeJSON(SubscriptionInput.self, limits: Self.limits)
            try RouteSupport.check(SubscriptionValidation.problems(of: input, creating: false))
            let now = core.clock()
            let stored = try await core.postgres.transaction(logger: logger) { connection in
                guard try await store.update(id, name: input.name, url: input.url ?? "", filter: input.filter, secret: input.secret,
                                             by: principal.description, now: now, on: connection, logger: logger)
                else { throw Problem.notFound("no such subscription") }
                return (try await store.find(id, on: connection, logger: logger), try await store.backlog(id, on: connection, logger: logger))
            }
            guard let subscription = stored.0 else { throw Problem.notFound("no such subscription") }
            logger.info("subscription changed", metadata: ["subscription": "\(id)", "by": "\(principal)",
                                                           "secretChanged": "\(input.secret != nil)"])
            return try Response.json(View(subscription, backlog: stored.1))
        }
        router.delete("/v1/subscriptions/:id") { _, context -> Response in
            let principal = try Self.admin(context)
            let id = try Self.id(context)
            let deleted = try await core.postgres.transaction(logger: logger) { try await store.delete(id, on: $0, logger: logger) }
            guard deleted else { throw Problem.notFound("no such subscription") }
            logger.info("subscription deleted", metadata: ["subscription": "\(id)", "by": "\(principal)"])
            return Response(status: .noContent)
        }
        for (action, paused) in [("pause", true), ("resume", false)] {
            router.post("/v1/subscriptions/:id/\(action)") { _, context -> Response in
                let principal = try Self.admin(context)
                let id = try Self.id(context)
                let now = core.clock()
                let result = try await core.postgres.transaction(logger: logger) { connection in
                    let subscription = try await store.setPaused(id, reason: paused ? "manual" : nil, now: now, by: principal.description,
                                                                 on: connection, logger: logger)
                    return (subscription, try await store.backlog(id, on: connection, logger: logger))
                }
                guard let subscription = result.0 else { throw Problem.notFound("no such subscription") }
                logger.info("subscription \(action)d", metadata: ["subscription": "\(id)", "by": "\(principal)", "backlog": "\(result.1)"])
                if !paused { core.signal.wake() }
                return try Response.json(View(subscription, backlog: result.1))
            }
        }
        router.get("/v1/subscriptions/:id/deliveries") { request, context -> Response in
            _ = try Self.admin(context)
            let id = try Self.id(context)
            let limit = try RouteSupport.limit(request)
            let query = request.uri.queryParameters
            var state: String?
            if let text = query.get("state") {
                guard ["pending", "sending", "delivered"].contains(text) else {
                    throw Problem(status: .badRequest, code: "invalid_query", detail: "state is one of pending, sending, delivered",
                                  field: "state", rule: "enum")
                }
                state = String(text)
            }
            var before: Int64?
            if let text = query.get("before") {
                guard let value = Int64(text), value > 0 else {
                    throw Problem(status: .badRequest, code: "invalid_query", detail: "before is a positive sequence number",
                                  field: "before", rule: "range")
                }
                before = value
            }
            let page = try await core.postgres.withConnection { connection -> [SubscriptionDeliveryView]? in
                guard try await store.find(id, on: connection, logger: logger) != nil else { return nil }
                return try await store.deliveries(of: id, state: state, before: before, limit: limit, on: connection, logger: logger)
            }
            guard let page else { throw Problem.notFound("no such subscription") }
            return try Response.json(DeliveryPage(deliveries: page, nextBefore: page.count == limit ? page.last?.sequence : nil))
        }
    }

    static func admin(_ context: LeadflowRequestContext) throws -> Principal {
        let principal = try context.requirePrincipal()
        try principal.require(.administer)
        return principal
    }

    static func id(_ context: LeadflowRequestContext) throws -> UUID {
        guard let text = context.parameters.get("id"), let id = UUID(uuidString: text) else { throw Problem.notFound("no such subscription") }
        return id
    }
}
