import Foundation
import LeadModel
import LeadStorage
import Logging
import PostgresNIO

/// A trained model as stored: the weights, the training report, and whether it is in use.
public struct StoredModel: Hashable, Sendable, Codable {
    /// The model (weights and intercept; its version).
    public var model: LearnedModel
    /// How it was trained and how it compares with the hand rules.
    public var report: TrainingReport
    /// When it was trained.
    public var trainedAt: Date
    /// Who trained it.
    public var trainedBy: String
    /// Whether it scores leads now.
    public var active: Bool
    /// When it was last activated.
    public var activatedAt: Date?
    /// Who activated it.
    public var activatedBy: String?
}

/// Learned models in `scoring.models`; at most one is active (a unique partial index says so).
struct ModelStore: Sendable {
    let schema: String
    let logger: Logger

    /// Stores a newly trained model (inactive) under the next version, which `make` receives.
    func insert(
        by author: String, at time: Date, on connection: PostgresConnection,
        make: (Int) throws -> (LearnedModel, TrainingReport)
    ) async throws -> StoredModel {
        try await connection.query("SELECT pg_advisory_xact_lock(hashtext(\("\(schema).models")))", logger: logger)
        var next = 1
        let rows = try await connection.query("SELECT coalesce(max(version), 0) + 1 FROM \(unescaped: schema).models", logger: logger)
        for try await value in rows.decode(Int.self) { next = value }
        let (model, report) = try make(next)
        let modelJSON = String(decoding: try LeadflowJSON.encode(model), as: UTF8.self)
        let reportJSON = String(decoding: try LeadflowJSON.encode(report), as: UTF8.self)
        try await connection.query(
            """
            INSERT INTO \(unescaped: schema).models (version, model, report, rules_version, trained_at, trained_by)
            VALUES (\(next), \(modelJSON)::jsonb, \(reportJSON)::jsonb, \(report.rulesVersion), \(time), \(author))
            """,
            logger: logger
        )
        return StoredModel(model: model, report: report, trainedAt: time, trainedBy: author, active: false)
    }

    /// The newest models first (at most `limit`).
    func list(limit: Int, client: PostgresClient) async throws -> [StoredModel] {
        let rows = try await client.query(
            """
            SELECT model::text, report::text, trained_at, trained_by, active, activated_at, activated_by
            FROM \(unescaped: schema).models ORDER BY version DESC LIMIT \(limit)
            """,
            logger: logger
        )
        var models: [StoredModel] = []
        for try await row in rows.decode((String, String, Date, String, Bool, Date?, String?).self) {
            models.append(StoredModel(
                model: try LeadflowJSON.decode(LearnedModel.self, from: Array(row.0.utf8)),
                report: try LeadflowJSON.decode(TrainingReport.self, from: Array(row.1.utf8)),
                trainedAt: row.2, trainedBy: row.3, active: row.4, activatedAt: row.5, activatedBy: row.6))
        }
        return models
    }

    /// One model's learned weights, on the caller's connection (for scoring inside its transaction).
    func model(_ version: Int, on connection: PostgresConnection) async throws -> LearnedModel? {
        let rows = try await connection.query(
            "SELECT model::text FROM \(unescaped: schema).models WHERE version = \(version)", logger: logger)
        for try await text in rows.decode(String.self) {
            return try LeadflowJSON.decode(LearnedModel.self, from: Array(text.utf8))
        }
        return nil
    }

    /// Makes `version` the active model (and no other); `false` when it does not exist.
    func activate(_ version: Int, by author: String, at time: Date, on connection: PostgresConnection) async throws -> Bool {
        try await connection.query("SELECT pg_advisory_xact_lock(hashtext(\("\(schema).models")))", logger: logger)
        let exists = try await connection.query(
            "SELECT 1 FROM \(unescaped: schema).models WHERE version = \(version)", logger: logger)
        var found = false
        for try await _ in exists { found = true }
        guard found else { return false }
        try await connection.query(
            "UPDATE \(unescaped: schema).models SET active = false WHERE active AND version <> \(version)", logger: logger)
        try await connection.query(
            """
            UPDATE \(unescaped: schema).models SET active = true, activated_at = \(time), activated_by = \(author)
            WHERE version = \(version) AND NOT active
            """,
            logger: logger
        )
        return true
    }

    /// Stops using any learned model (the hand rules score again); returns the version deactivated.
    func deactivate(on connection: PostgresConnection) async throws -> Int? {
        let rows = try await connection.query(
            "UPDATE \(unescaped: schema).models SET active = false WHERE active RETURNING version", logger: logger)
        for try await version in rows.decode(Int.self) { return version }
        return nil
    }

}
