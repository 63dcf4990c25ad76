import Foundation
import LeadModel
import LeadStorage
import Logging
import PostgresNIO

/// The per-lead rows of the `scoring` schema: each lead's record, its published score changes and
/// its outcome. Writes run on the caller's connection, inside its transaction.
struct LeadStore: Sendable {
    let schema: String
    let logger: Logger

    /// Locks the lead's row (creating an empty one the first time) until the transaction ends, and
    /// returns its record with the current rules version and the active model's version.
    ///
    /// The row lock orders everything that touches one lead — its events from three topics, on
    /// whichever instances consume them, and rescore jobs — so none of them overwrites another.
    func lock(_ leadId: LeadID, on connection: PostgresConnection) async throws -> (LeadRecord, rulesVersion: Int, modelVersion: Int?) {
        let empty = try Self.encode(LeadRecord())
        let rows = try await connection.query(
            """
            INSERT INTO \(unescaped: schema).leads (lead_id, record) VALUES (\(leadId.uuid), \(empty))
            ON CONFLICT (lead_id) DO UPDATE SET updated_at = now()
            RETURNING record,
                (SELECT max(version) FROM \(unescaped: schema).rule_sets),
                (SELECT version FROM \(unescaped: schema).models WHERE active)
            """,
            logger: logger
        )
        for try await (text, rulesVersion, modelVersion) in rows.decode((String, Int?, Int?).self) {
            guard let rulesVersion else { throw ScoringStorageError("no rules version exists; the service seeds version 1 at start") }
            return (try Self.decode(text), rulesVersion, modelVersion)
        }
        throw ScoringStorageError("locking lead \(leadId) returned no row")
    }

    /// Stores `record` and the columns derived from it and, when a score was published, remembers
    /// that change too (one statement either way).
    func save(_ leadId: LeadID, _ record: LeadRecord, published: LeadScored?, on connection: PostgresConnection) async throws {
        let json = try Self.encode(record)
        guard let event = published else {
            try await connection.query(
                """
                UPDATE \(unescaped: schema).leads SET
                    record = \(json), known = \(record.lead != nil), closed = \(record.isClosed),
                    score = \(record.current?.score), priority = \(record.current?.priority.rawValue),
                    scored_at = \(record.scoredAt), merged_into = \(record.mergedInto?.uuid), updated_at = now()
                WHERE lead_id = \(leadId.uuid)
                """,
                logger: logger
            )
            return
        }
        try await connection.query(
            """
            WITH saved AS (
                UPDATE \(unescaped: schema).leads SET
                    record = \(json), known = \(record.lead != nil), closed = \(record.isClosed),
                    score = \(record.current?.score), priority = \(record.current?.priority.rawValue),
                    scored_at = \(record.scoredAt), merged_into = \(record.mergedInto?.uuid), updated_at = now()
                WHERE lead_id = \(leadId.uuid)
                RETURNING lead_id
            )
            INSERT INTO \(unescaped: schema).score_changes
                (lead_id, event_id, score, priority, previous_score, previous_priority, rules_version, model_kind,
                 model_version, causation_event_id, scored_at)
            SELECT lead_id, \(event.eventId), \(event.score), \(event.priority.rawValue), \(event.previousScore),
                   \(event.previousPriority?.rawValue), \(event.rulesVersion), \(event.modelKind.rawValue),
                   \(record.current?.modelVersion), \(event.causationEventId), \(event.occurredAt)
            FROM saved
            """,
            logger: logger
        )
    }

    /// Remembers how the lead closed, with its facts, for training (the latest close wins).
    func recordOutcome(_ leadId: LeadID, _ closed: ClosedLead, on connection: PostgresConnection) async throws {
        let facts = String(decoding: try LeadflowJSON.encode(closed.facts), as: UTF8.self)
        try await connection.query(
            """
            INSERT INTO \(unescaped: schema).outcomes (lead_id, won, is_test, facts, closed_at)
            VALUES (\(leadId.uuid), \(closed.outcome == .won), \(closed.facts.isTest), \(facts), \(closed.closedAt))
            ON CONFLICT (lead_id) DO UPDATE SET won = EXCLUDED.won, is_test = EXCLUDED.is_test, facts = EXCLUDED.facts,
                closed_at = EXCLUDED.closed_at, recorded_at = now()
            """,
            logger: logger
        )
    }

    /// The lead's record, if scoring has seen the lead.
    func record(_ leadId: LeadID, client: PostgresClient) async throws -> LeadRecord? {
        let rows = try await client.query(
            "SELECT record FROM \(unescaped: schema).leads WHERE lead_id = \(leadId.uuid)", logger: logger)
        for try await text in rows.decode(String.self) { return try Self.decode(text) }
        return nil
    }

    /// The lead's latest published score changes, newest first, with those of the leads merged
    /// into it (their score history stays with the survivor).
    func changes(_ leadId: LeadID, limit: Int, client: PostgresClient) async throws -> [ScoreChange] {
        let rows = try await client.query(
            """
            SELECT event_id, score, priority, previous_score, previous_priority, rules_version, model_kind,
                   model_version, causation_event_id, scored_at
            FROM \(unescaped: schema).score_changes
            WHERE lead_id = \(leadId.uuid)
               OR lead_id IN (SELECT lead_id FROM \(unescaped: schema).leads WHERE merged_into = \(leadId.uuid))
            ORDER BY id DESC LIMIT \(limit)
            """,
            logger: logger
        )
        var changes: [ScoreChange] = []
        for try await row in rows.decode((UUID, Int, String, Int?, String?, Int, String, Int?, UUID, Date).self) {
            changes.append(ScoreChange(
                eventId: row.0, score: row.1, priority: Priority(rawValue: row.2) ?? .cold, previousScore: row.3,
                previousPriority: row.4.flatMap(Priority.init(rawValue:)), rulesVersion: row.5,
                modelKind: ScoringModelKind(rawValue: row.6) ?? .rules, modelVersion: row.7,
                causationEventId: row.8, scoredAt: row.9))
        }
        return changes
    }

    /// Closed leads as training examples (test leads left out), at most `limit`, by lead id.
    func trainingExamples(limit: Int, client: PostgresClient) async throws -> [TrainingExample] {
        let rows = try await client.query(
            """
            SELECT lead_id, won, facts FROM \(unescaped: schema).outcomes WHERE NOT is_test
            ORDER BY lead_id LIMIT \(limit)
            """,
            logger: logger
        )
        var examples: [TrainingExample] = []
        for try await (id, won, facts) in rows.decode((UUID, Bool, String).self) {
            examples.append(TrainingExample(
                leadId: LeadID(id), facts: try LeadflowJSON.decode(LeadFacts.self, from: Array(facts.utf8)), won: won))
        }
        return examples
    }

    /// How many closed leads are kept, and how many of them were won.
    func outcomeCounts(client: PostgresClient) async throws -> (total: Int, won: Int) {
        let rows = try await client.query(
            "SELECT count(*)::bigint, count(*) FILTER (WHERE won)::bigint FROM \(unescaped: schema).outcomes WHERE NOT is_test", logger: logger)
        for try await (total, won) in rows.decode((Int, Int).self) { return (total, won) }
        return (0, 0)
    }

    static func encode(_ record: LeadRecord) throws -> String {
        String(decoding: try LeadflowJSON.encode(record), as: UTF8.self)
    }

    static func decode(_ text: String) throws -> LeadRecord {
        try LeadflowJSON.decode(LeadRecord.self, from: Array(text.utf8))
    }
}

/// Scoring's stored state is not what it should be (a bug or a hand-edited database).
struct ScoringStorageError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
