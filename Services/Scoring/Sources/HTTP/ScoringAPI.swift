import Foundation
import Hummingbird
import LeadModel
import LeadServiceKit
import LeadStorage
import Logging
import PostgresNIO

/// Everything the HTTP routes work with.
struct ScoringAPI: Sendable {
    let client: PostgresClient
    let applier: EventApplier
    let leads: LeadStore
    let rules: RulesStore
    let models: ModelStore
    let jobs: RescoreJobStore
    let versions: ScoringVersions
    let worker: RescoreWorker
    let settings: ScoringSettings
    let clock: @Sendable () -> Date
    let logger: Logger

    /// Adds every scoring route.
    ///
    /// | route | who |
    /// |---|---|
    /// | `GET /v1/scores/{leadId}` | anyone who may read the lead (404 otherwise) |
    /// | `GET/PUT /v1/scoring/rules`, `GET /v1/scoring/rules/versions[/{version}]` | platform admin |
    /// | `GET /v1/scoring/model`, `POST /v1/scoring/model/train|activate|deactivate` | platform admin |
    /// | `POST /v1/scoring/rescore`, `GET /v1/scoring/rescore/{jobId}` | platform admin |
    func addRoutes(to router: Router<LeadflowRequestContext>) {
        router.get("/v1/scores/:leadId") { _, context in try await explainScore(context) }
        router.get("/v1/scoring/rules") { _, context in try await currentRules(context) }
        router.put("/v1/scoring/rules") { request, context in try await replaceRules(request, context) }
        router.get("/v1/scoring/rules/versions") { _, context in try await ruleVersions(context) }
        router.get("/v1/scoring/rules/versions/:version") { _, context in try await ruleVersion(context) }
        router.get("/v1/scoring/model") { _, context in try await modelOverview(context) }
        router.post("/v1/scoring/model/train") { request, context in try await train(request, context) }
        router.post("/v1/scoring/model/activate") { request, context in try await activate(request, context) }
        router.post("/v1/scoring/model/deactivate") { _, context in try await deactivate(context) }
        router.post("/v1/scoring/rescore") { _, context in try await startRescore(context) }
        router.get("/v1/scoring/rescore/:jobId") { _, context in try await rescoreJob(context) }
    }

    /// The caller, who must be a platform admin.
    func requireAdmin(_ context: LeadflowRequestContext) throws -> Principal {
        let principal = try context.requirePrincipal()
        try principal.require(.administer)
        return principal
    }
}

/// A JSON body of a POST that may also be empty (then `fallback` applies).
extension Request {
    func decodeOptionalJSON<T: Decodable>(_ type: T.Type, fallback: T, limits: JSONBodyLimits = JSONBodyLimits(maxBytes: 64 << 10)) async throws -> T {
        let buffer = try await collectBody(limit: limits.maxBytes)
        let bytes = Array(buffer.readableBytesView)
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return fallback }
        return try JSONBody.decode(type, from: bytes, limits: limits)
    }
}

extension RuleViolation {
    /// The 422 problem of this violation (`field` and `rule` set); `more` other violations are counted in the detail.
    func problem(code: String = "invalid_rules", more: Int = 0) -> Problem {
        Problem(status: .unprocessableContent, code: code,
                detail: message + (more > 0 ? " (and \(more) more problem\(more == 1 ? "" : "s"))" : ""),
                field: field, rule: rule)
    }
}
