import Foundation
import Hummingbird
import LeadModel
import LeadServiceKit
import PostgresNIO

/// Which model scores leads now.
struct ActiveModel: Codable, Hashable {
    /// `rules` or `learned`.
    var kind: ScoringModelKind
    /// The learned model's version, when learned.
    var version: Int?
}

/// `GET /v1/scoring/model`.
struct ModelOverview: Codable {
    /// Which model scores leads now.
    var active: ActiveModel
    /// Closed leads kept for training.
    var outcomes: OutcomeCounts
    /// Trained models, newest first, with their held-out accuracy next to the hand rules'.
    var models: [StoredModel]
}

/// Closed leads kept for training.
struct OutcomeCounts: Codable {
    var total: Int
    var won: Int
    var lost: Int
}

/// The body of `POST /v1/scoring/model/activate`.
struct ActivateModel: Decodable {
    var version: Int
}

extension ScoringAPI {
    /// Most closed leads read for one training run.
    static let trainingLimit = 500_000

    /// `GET /v1/scoring/model`.
    func modelOverview(_ context: LeadflowRequestContext) async throws -> Response {
        _ = try requireAdmin(context)
        let stored = try await models.list(limit: 50, client: client)
        let counts = try await leads.outcomeCounts(client: client)
        let active = stored.first(where: \.active).map { ActiveModel(kind: .learned, version: $0.model.version) }
            ?? ActiveModel(kind: .rules)
        return try .json(ModelOverview(
            active: active, outcomes: OutcomeCounts(total: counts.total, won: counts.won, lost: counts.total - counts.won),
            models: stored))
    }

    /// `POST /v1/scoring/model/train`: fits a model to the closed-won/closed-lost history and stores
    /// it, inactive, with its held-out metrics next to the hand rules'. Body (optional):
    /// `{"holdoutPercent": 20, "l2": 1, "minimumOutcomes": 30}`. 422 `not_enough_outcomes`.
    func train(_ request: Request, _ context: LeadflowRequestContext) async throws -> Response {
        let principal = try requireAdmin(context)
        let options = try await request.decodeOptionalJSON(TrainingOptions.self, fallback: TrainingOptions())
        if let violation = options.violation { throw violation.problem(code: "invalid_field") }
        let examples = try await leads.trainingExamples(limit: Self.trainingLimit, client: client)
        let (versions, models, logger, schema, now) = (self.versions, self.models, self.logger, self.settings.schema, clock())
        do {
            let stored = try await applier.perform { connection in
                let scoring = try await versions.current(on: connection, logger: logger, schema: schema)
                let stored = try await models.insert(by: principal.description, at: now, on: connection) { version in
                    try ModelTrainer.train(examples, scoring: scoring, options: options, version: version)
                }
                return (stored, [])
            }
            logger.info("scoring model trained", metadata: [
                "version": "\(stored.model.version)", "examples": "\(examples.count)",
                "learnedAccuracy": "\(stored.report.learned.accuracy)", "rulesAccuracy": "\(stored.report.rules.accuracy)",
            ])
            return try .json(stored, status: .created)
        } catch let error as TrainingError {
            throw Problem(status: .unprocessableContent, code: error.code, detail: error.message)
        }
    }

    /// `POST /v1/scoring/model/activate` with `{"version": N}`: the learned model N scores every lead
    /// scored from now on (`modelKind: learned`). 422 `unknown_model` for a version never trained.
    func activate(_ request: Request, _ context: LeadflowRequestContext) async throws -> Response {
        let principal = try requireAdmin(context)
        let body = try await request.decodeJSON(ActivateModel.self, limits: JSONBodyLimits(maxBytes: 4096))
        let (models, now) = (self.models, clock())
        let found = try await applier.perform { connection in
            (try await models.activate(body.version, by: principal.description, at: now, on: connection), [])
        }
        guard found else {
            throw Problem(status: .unprocessableContent, code: "unknown_model",
                          detail: "no learned model has version \(body.version)", field: "/version", rule: "exists")
        }
        logger.info("scoring model activated", metadata: ["version": "\(body.version)", "by": "\(principal)"])
        return try .json(["active": ActiveModel(kind: .learned, version: body.version)])
    }

    /// `POST /v1/scoring/model/deactivate`: the hand rules score again.
    func deactivate(_ context: LeadflowRequestContext) async throws -> Response {
        let principal = try requireAdmin(context)
        let models = self.models
        let previous = try await applier.perform { connection in (try await models.deactivate(on: connection), []) }
        logger.info("scoring model deactivated", metadata: ["version": "\(previous.map(String.init) ?? "none")", "by": "\(principal)"])
        return try .json(["active": ActiveModel(kind: .rules)])
    }
}
