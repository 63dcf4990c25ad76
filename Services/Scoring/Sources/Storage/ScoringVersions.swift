import Foundation
import LeadModel
import Logging
import PostgresNIO
import Synchronization

/// Resolves the rules and model versions a transaction saw into the ``ActiveScoring`` to use,
/// reading each version from the database once: versions never change after they are written, so
/// caching them by number is always correct, and every instance picks up a new version on the
/// first event after it is saved.
final class ScoringVersions: Sendable {
    private let rules: RulesStore
    private let models: ModelStore
    private let cachedRules = Mutex<[Int: ScoringRules]>([:])
    private let cachedModels = Mutex<[Int: LearnedModel]>([:])

    init(rules: RulesStore, models: ModelStore) {
        self.rules = rules
        self.models = models
    }

    /// The scoring for rules `rulesVersion` and, if any, learned model `modelVersion`.
    func active(rulesVersion: Int, modelVersion: Int?, on connection: PostgresConnection) async throws -> ActiveScoring {
        var ruleSet = cachedRules.withLock { $0[rulesVersion] }
        if ruleSet == nil {
            guard let stored = try await rules.version(rulesVersion, on: connection) else {
                throw ScoringStorageError("rules version \(rulesVersion) does not exist")
            }
            ruleSet = stored.rules
            cachedRules.withLock { $0[rulesVersion] = stored.rules }
        }
        var model: LearnedModel?
        if let modelVersion {
            model = cachedModels.withLock { $0[modelVersion] }
            if model == nil {
                guard let stored = try await models.model(modelVersion, on: connection) else {
                    throw ScoringStorageError("model version \(modelVersion) does not exist")
                }
                model = stored
                cachedModels.withLock { $0[modelVersion] = stored }
            }
        }
        return ActiveScoring(rules: ruleSet!, rulesVersion: rulesVersion, model: model)
    }

    /// The versions in force now, read on `connection`.
    func current(on connection: PostgresConnection, logger: Logger, schema: String) async throws -> ActiveScoring {
        let rows = try await connection.query(
            """
            SELECT (SELECT max(version) FROM \(unescaped: schema).rule_sets),
                   (SELECT version FROM \(unescaped: schema).models WHERE active)
            """,
            logger: logger
        )
        for try await (rulesVersion, modelVersion) in rows.decode((Int?, Int?).self) {
            guard let rulesVersion else { break }
            return try await active(rulesVersion: rulesVersion, modelVersion: modelVersion, on: connection)
        }
        throw ScoringStorageError("no rules version exists; the service seeds version 1 at start")
    }
}
