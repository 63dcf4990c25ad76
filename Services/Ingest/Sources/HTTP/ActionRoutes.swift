import Foundation
import Hummingbird
import LeadModel
import LeadServiceKit
import PostgresNIO

/// One-click action links: `GET /v1/actions/{token}` (and `POST`, for pages that confirm first).
///
/// The token is verified with `ActionLinkSigner` (HMAC, expiry), its nonce is recorded in the
/// same transaction as the change, so a link works once; a refused change (an illegal
/// transition, a missing survey answer) does not use it up. The change's actor is the link's
/// actor (the location contact or the customer).
struct ActionRoutes: Sendable {
    let core: IngestCore
    let lifecycle: LifecycleRoutes

    func register(on router: Router<LeadflowRequestContext>) {
        router.get("/v1/actions/:token") { request, context in try await follow(request, context) }
        router.post("/v1/actions/:token") { request, context in try await follow(request, context) }
    }

    func follow(_ request: Request, _ context: LeadflowRequestContext) async throws -> Response {
        let token = try context.parameters.require("token")
        let claims = try core.context.actionLinks.verify(token, now: core.clock())
        let query = request.uri.queryParameters
        let command = try Self.command(for: claims, query: { query[Substring($0)].map(String.init) }, builder: core.builder)
        let nonce = claims.nonce
        let leadId = claims.leadId
        let logger = core.logger
        let now = core.clock()
        return try await lifecycle.execute(
            command, leadId: claims.leadId, actor: claims.actor, principal: nil,
            before: { connection in
                let rows = try await connection.query(
                    """
                    INSERT INTO ingest.action_nonces (nonce, lead_id, action, used_at)
                    VALUES (\(nonce), \(leadId.uuid), \(claims.action.rawValue), \(now)) ON CONFLICT DO NOTHING RETURNING 1
                    """, logger: logger)
                var fresh = false
                for try await _ in rows { fresh = true }
                guard fresh else {
                    throw Problem(status: .conflict, code: "link_already_used", detail: "this action link was already used")
                }
            },
            authorize: { stored in
                // A location's link stops working once the lead went to another location.
                if claims.action != .reviewLocation, let location = claims.locationId, stored.lead.locationId != location {
                    throw Problem(status: .conflict, code: "link_not_current", detail: "the lead is no longer with this location")
                }
            })
    }

    /// The command a link's action stands for; survey answers come from the query.
    static func command(
        for claims: ActionLinkClaims, query: (String) -> String?, builder: LeadBuilder
    ) throws -> LifecycleCommand {
        func text(_ name: String) throws -> String? {
            do {
                return try builder.text(query(name).map { FieldText($0, at: name) })
            } catch {
                throw error.problem
            }
        }
        switch claims.action {
        case .acknowledge: return .respond(to: .acknowledged, note: nil, followUpDelay: nil, lostReason: nil)
        case .accept: return .respond(to: .accepted, note: nil, followUpDelay: nil, lostReason: nil)
        case .reject: return .respond(to: .rejected, note: try text("note"), followUpDelay: nil, lostReason: nil)
        case .won: return .respond(to: .won, note: nil, followUpDelay: nil, lostReason: nil)
        case .complete: return .respond(to: .complete, note: nil, followUpDelay: nil, lostReason: nil)
        case .lost:
            guard let raw = query("reason"), let reason = LostReason(rawValue: raw.lowercased()) else {
                throw Problem.invalid("reason", rule: "required", "a lost lead needs ?reason= (\(LostReason.allCases.map(\.rawValue).joined(separator: ", ")))", code: "lost_reason_required")
            }
            return .respond(to: .lost, note: try text("note"), followUpDelay: nil, lostReason: reason)
        case .reportRevenue:
            guard let amount = query("amount") else {
                throw Problem.invalid("amount", rule: "required", "the revenue survey needs ?amount=")
            }
            let money: Money?
            do {
                money = try builder.money(MoneyDraft(amount: FieldText(amount, at: "amount"), currency: query("currency").map { FieldText($0, at: "currency") }))
            } catch {
                throw error.problem
            }
            return .answerSurvey(SurveyAnswer(kind: .locationRevenue, revenue: money, comment: try text("comment")))
        case .reviewLocation:
            guard let raw = query("rating"), let rating = Int(raw), (1...5).contains(rating) else {
                throw Problem.invalid("rating", rule: "range", "the review needs ?rating= from 1 to 5")
            }
            return .answerSurvey(SurveyAnswer(kind: .customerReview, rating: rating, comment: try text("comment")))
        }
    }
}
