import Foundation
import LeadModel
import LeadServiceKit
import LeadStorage
import Logging
import PostgresNIO

/// One row of a lead's assignment history.
public struct AssignmentRecord: Codable, Sendable, Hashable {
    public var eventId: UUID
    public var causationEventId: UUID
    public var occurredAt: Date
    public var ownerId: String?
    public var teamId: String?
    public var locationId: String?
    public var queue: String?
    public var previousOwnerId: String?
    public var previousLocationId: String?
    public var strategy: String
    public var isFallback: Bool
    public var reason: String
    public var note: String?
    public var candidates: [AssignmentCandidate]
    public var actor: Actor
    public var responseDueAt: Date?
}

/// A lead waiting in a fallback queue (no personal data).
public struct QueuedLead: Codable, Sendable, Hashable {
    public var leadId: LeadID
    public var queue: String
    public var locationId: String?
    public var teamId: String?
    public var queuedAt: Date?
    public var score: Int?
    public var priority: Priority?
    public var vehicleType: String?
}

extension LeadRepository {
    /// A lead's assignments, oldest first.
    public func history(of leadId: LeadID, on connection: PostgresConnection) async throws -> [AssignmentRecord] {
        let rows = try await connection.query(
            """
            SELECT event_id, causation_event_id, occurred_at, owner_id, team_id, location_id, queue, previous_owner_id,
                   previous_location_id, strategy, is_fallback, reason, note, candidates::text, actor_id, actor_role, response_due_at
            FROM \(unescaped: schema.name).assignments WHERE lead_id = \(leadId.uuid) ORDER BY id
            """,
            logger: logger)
        var result: [AssignmentRecord] = []
        for try await row in rows.decode((
            UUID, UUID, Date, String?, String?, String?, String?, String?, String?, String, Bool, String, String?, String,
            String, String, Date?
        ).self) {
            result.append(AssignmentRecord(
                eventId: row.0, causationEventId: row.1, occurredAt: row.2, ownerId: row.3, teamId: row.4,
                locationId: row.5, queue: row.6, previousOwnerId: row.7, previousLocationId: row.8, strategy: row.9,
                isFallback: row.10, reason: row.11, note: row.12,
                candidates: try LeadflowJSON.decode([AssignmentCandidate].self, from: Array(row.13.utf8)),
                actor: Actor(id: row.14, role: Actor.Role(rawValue: row.15) ?? .system), responseDueAt: row.16))
        }
        return result
    }

    /// The assignment an input caused, if any (for idempotent HTTP replays).
    public func assignment(causedBy causationEventId: UUID, leadId: LeadID, on connection: PostgresConnection) async throws -> AssignmentRecord? {
        try await history(of: leadId, on: connection).last { $0.causationEventId == causationEventId }
    }

    /// Open leads waiting in fallback queues that `filter` admits, oldest first, after the cursor.
    public func queued(
        filter: LeadFilter, queue: String?, after: LeadID?, limit: Int, on connection: PostgresConnection
    ) async throws -> [QueuedLead] {
        var all = false
        var locations: [String] = []
        var teams: [String] = []
        var member: String?
        switch filter {
        case .all: all = true
        case .scoped(let l, let t): (locations, teams) = (Array(l), Array(t))
        case .personal(let id): member = id
        case .nothing: return []
        }
        let rows = try await connection.query(
            """
            SELECT lead_id, queue, location_id, team_id, assigned_at, lead::text FROM \(unescaped: schema.name).leads
            WHERE queue IS NOT NULL AND is_open
              AND (\(queue)::text IS NULL OR queue = \(queue))
              AND (\(after?.uuid)::uuid IS NULL OR lead_id > \(after?.uuid))
              AND (\(all) OR location_id = ANY(\(locations)::text[]) OR team_id = ANY(\(teams)::text[])
                   OR owner_id = \(member) OR \(member) = ANY(collaborators))
            ORDER BY lead_id LIMIT \(limit)
            """,
            logger: logger)
        var result: [QueuedLead] = []
        for try await (id, queueName, location, team, at, body) in rows.decode((UUID, String, String?, String?, Date?, String?).self) {
            let lead = try body.map { try LeadflowJSON.decode(Lead.self, from: Array($0.utf8)) }
            result.append(QueuedLead(
                leadId: LeadID(id), queue: queueName, locationId: location, teamId: team, queuedAt: at,
                score: lead?.score, priority: lead?.priority, vehicleType: lead.flatMap { LeadFacts($0).vehicleType }))
        }
        return result
    }
}
