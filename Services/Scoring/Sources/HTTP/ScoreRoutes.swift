import Foundation
import Hummingbird
import LeadModel
import LeadServiceKit

extension ScoringAPI {
    /// Published score changes listed in an explanation.
    static let explanationHistory = 20

    /// `GET /v1/scores/{leadId}`: the lead's score explained. 404 for a lead the caller may not read
    /// (or that does not exist, or was never scored), 403 for roles that never read single leads.
    func explainScore(_ context: LeadflowRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        var leadId = context.parameters.get("leadId").flatMap(LeadID.init)
        var record = try await leadId.asyncMap { try await leads.record($0, client: client) } ?? nil
        // A merged lead's score is retired: its id answers with the survivor's score.
        if let survivor = record?.mergedInto {
            leadId = survivor
            record = try await leads.record(survivor, client: client)
        }
        try principal.requireLead(record?.accessFacts ?? LeadAccessFacts())
        guard let leadId, let record, let card = record.current else { throw Problem.notFound("no such lead") }
        let thresholds = try await client.withConnection { connection in
            try await rules.version(card.rulesVersion, on: connection)?.rules.thresholds
        } ?? PriorityThresholds()
        let changes = try await leads.changes(leadId, limit: Self.explanationHistory, client: client)
        return try .json(ScoreExplanation(
            leadId: leadId, card: card, thresholds: thresholds, scoredAt: record.scoredAt,
            causationEventId: record.causationEventId, changes: changes))
    }
}

extension LeadRecord {
    /// The facts that decide who may read this lead's score.
    var accessFacts: LeadAccessFacts {
        LeadAccessFacts(
            locationId: lead?.locationId ?? assignment?.locationId, teamId: assignment?.teamId,
            ownerId: lead?.ownerId ?? assignment?.ownerId, collaborators: lead?.collaborators ?? [],
            sourceId: lead?.source.id)
    }
}

extension Optional {
    /// `map` with an async transform.
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
