import Foundation
import LeadModel
import LeadStorage
import Logging
import PostgresNIO

/// Routing's per-lead records, team rotations, member load and responder statistics, and the
/// assignment history. Every method runs on the caller's connection, inside its transaction.
public struct LeadRepository: Sendable {
    let schema: SQLIdentifier
    let logger: Logger

    /// Creates a repository for `schema`.
    public init(schema: SQLIdentifier, logger: Logger) {
        self.schema = schema
        self.logger = logger
    }

    private var s: String { schema.name }

    private static let columns = """
        lead_id, lead::text, owner_id, team_id, location_id, queue, is_open, is_erased, collaborators,
        excluded_locations, excluded_members, assigned_at, response_due_at, response_party,
        last_assignment_event_id, reroutes
        """

    // MARK: Lead records

    /// The lead's record, row-locked until the transaction ends (nil when routing never saw it).
    public func lock(_ leadId: LeadID, on connection: PostgresConnection) async throws -> RoutedLead? {
        let rows = try await connection.query(
            "SELECT \(unescaped: Self.columns) FROM \(unescaped: s).leads WHERE lead_id = \(leadId.uuid) FOR UPDATE",
            logger: logger)
        return try await Self.decode(rows).first
    }

    /// The lead's record without locking it.
    public func find(_ leadId: LeadID, on connection: PostgresConnection) async throws -> RoutedLead? {
        let rows = try await connection.query(
            "SELECT \(unescaped: Self.columns) FROM \(unescaped: s).leads WHERE lead_id = \(leadId.uuid)", logger: logger)
        return try await Self.decode(rows).first
    }

    /// The lead's record, row-locked until the transaction ends — created (and so locked) when
    /// routing never saw the lead — and the configuration version, read in the same round trip.
    public func lockOrCreate(_ leadId: LeadID, on connection: PostgresConnection) async throws -> (lead: RoutedLead, configVersion: Int64) {
        let created = try await connection.query(
            """
            INSERT INTO \(unescaped: s).leads (lead_id) VALUES (\(leadId.uuid)) ON CONFLICT DO NOTHING
            RETURNING (SELECT config_version FROM \(unescaped: s).settings WHERE id = 1)
            """,
            logger: logger)
        for try await version in created.decode(Int64.self) { return (RoutedLead(leadId: leadId), version) }
        let rows = try await connection.query(
            """
            SELECT \(unescaped: Self.columns), (SELECT config_version FROM \(unescaped: s).settings WHERE id = 1)
            FROM \(unescaped: s).leads WHERE lead_id = \(leadId.uuid) FOR UPDATE
            """,
            logger: logger)
        for try await row in rows.decode((
            UUID, String?, String?, String?, String?, String?, Bool, Bool, [String], [String], [String],
            Date?, Date?, String?, UUID?, Int, Int64
        ).self) {
            return (try Self.routedLead(row.0, row.1, row.2, row.3, row.4, row.5, row.6, row.7, row.8, row.9, row.10,
                                        row.11, row.12, row.13, row.14, row.15), row.16)
        }
        throw StorageInvariantError(message: "lead \(leadId) vanished while locking it")
    }

    /// Writes `routed` over its record.
    public func save(_ routed: RoutedLead, on connection: PostgresConnection) async throws {
        let lead = try routed.lead.map { String(decoding: try LeadflowJSON.encode($0), as: UTF8.self) }
        let p = routed.placement
        try await connection.query(
            """
            UPDATE \(unescaped: s).leads SET
                lead = \(lead)::jsonb, owner_id = \(p.ownerId), team_id = \(p.teamId), location_id = \(p.locationId),
                queue = \(p.queue), is_open = \(routed.isOpen), is_erased = \(routed.isErased),
                collaborators = \(routed.collaborators)::text[], excluded_locations = \(routed.excludedLocations)::text[],
                excluded_members = \(routed.excludedMembers)::text[], assigned_at = \(routed.assignedAt),
                response_due_at = \(routed.responseDueAt), response_party = \(routed.responseParty?.rawValue),
                last_assignment_event_id = \(routed.lastAssignmentEventId), reroutes = \(routed.reroutes), updated_at = now()
            WHERE lead_id = \(routed.leadId.uuid)
            """,
            logger: logger)
    }

    /// Closes the records of `leadIds` (merged into another lead); a lead routing has not seen
    /// yet gets a closed record, so its first `leads.scored` does not route it.
    public func close(_ leadIds: [LeadID], on connection: PostgresConnection) async throws {
        guard !leadIds.isEmpty else { return }
        try await connection.query(
            """
            INSERT INTO \(unescaped: s).leads (lead_id, is_open)
            SELECT id, false FROM unnest(\(leadIds.map(\.uuid).sorted { $0.uuidString < $1.uuidString })::uuid[]) AS m(id)
            ON CONFLICT (lead_id) DO UPDATE SET is_open = false, response_due_at = NULL, response_party = NULL, updated_at = now()
            """,
            logger: logger)
    }

    /// The oldest lead whose response target passed at `now`, row-locked; leads other
    /// transactions hold (the consumer, another instance's scheduler) are skipped, not waited for.
    public func claimOverdue(now: Date, on connection: PostgresConnection) async throws -> RoutedLead? {
        let rows = try await connection.query(
            """
            SELECT \(unescaped: Self.columns) FROM \(unescaped: s).leads
            WHERE response_due_at <= \(now) ORDER BY response_due_at, lead_id LIMIT 1 FOR UPDATE SKIP LOCKED
            """,
            logger: logger)
        return try await Self.decode(rows).first
    }

    // MARK: Rotation, load, statistics

    /// Locks the rotation rows of `teamIds` (in id order, so concurrent transactions never
    /// deadlock on them) and returns each team's last assignee. Creates missing rows.
    public func lockRotations(_ teamIds: Set<String>, on connection: PostgresConnection) async throws -> [String: String] {
        guard !teamIds.isEmpty else { return [:] }
        let ids = teamIds.sorted()
        var result: [String: String] = [:]
        var found: Set<String> = []
        for attempt in 0..<2 {
            result = [:]
            found = []
            let rows = try await connection.query(
                """
                SELECT team_id, last_member_id FROM \(unescaped: s).team_rotation
                WHERE team_id = ANY(\(ids)::text[]) ORDER BY team_id FOR UPDATE
                """,
                logger: logger)
            for try await (team, last) in rows.decode((String, String?).self) {
                found.insert(team)
                if let last { result[team] = last }
            }
            guard found.count < ids.count, attempt == 0 else { break }
            try await connection.query(
                """
                INSERT INTO \(unescaped: s).team_rotation (team_id)
                SELECT unnest(\(ids.filter { !found.contains($0) })::text[]) ON CONFLICT DO NOTHING
                """,
                logger: logger)
        }
        return result
    }

    /// Open leads per member of `memberIds`.
    public func openLeads(of memberIds: [String], on connection: PostgresConnection) async throws -> [String: Int] {
        guard !memberIds.isEmpty else { return [:] }
        let rows = try await connection.query(
            """
            SELECT owner_id, count(*)::bigint FROM \(unescaped: s).leads
            WHERE is_open AND owner_id = ANY(\(memberIds)::text[]) GROUP BY owner_id
            """,
            logger: logger)
        var result: [String: Int] = [:]
        for try await (owner, count) in rows.decode((String, Int64).self) { result[owner] = Int(count) }
        return result
    }

    /// Response statistics of `memberIds`.
    public func responders(_ memberIds: [String], on connection: PostgresConnection) async throws -> [String: ResponderStats] {
        guard !memberIds.isEmpty else { return [:] }
        let rows = try await connection.query(
            """
            SELECT member_id, acknowledged, response_seconds_total FROM \(unescaped: s).member_stats
            WHERE member_id = ANY(\(memberIds)::text[])
            """,
            logger: logger)
        var result: [String: ResponderStats] = [:]
        for try await (member, count, total) in rows.decode((String, Int64, Double).self) {
            result[member] = ResponderStats(acknowledged: Int(count), totalResponseSeconds: total)
        }
        return result
    }

    /// Records that `memberId` acknowledged a lead after `seconds`.
    public func recordResponse(memberId: String, seconds: Double, on connection: PostgresConnection) async throws {
        try await connection.query(
            """
            INSERT INTO \(unescaped: s).member_stats (member_id, acknowledged, response_seconds_total)
            VALUES (\(memberId), 1, \(seconds))
            ON CONFLICT (member_id) DO UPDATE SET acknowledged = member_stats.acknowledged + 1,
                response_seconds_total = member_stats.response_seconds_total + EXCLUDED.response_seconds_total
            """,
            logger: logger)
    }

    // MARK: History

    /// Writes `routed`, records `event` in the history (unique per lead and cause: the same input
    /// can never assign twice) and, when given, moves a team's rotation to the winner — one
    /// statement, so a decision costs one round trip to store.
    public func saveAssignment(
        _ routed: RoutedLead, event: LeadAssigned, note: String?, routedBy instance: String, rotation: RotationAdvance?,
        on connection: PostgresConnection
    ) async throws {
        let lead = try routed.lead.map { String(decoding: try LeadflowJSON.encode($0), as: UTF8.self) }
        let candidates = String(decoding: try LeadflowJSON.encode(event.candidates), as: UTF8.self)
        let p = routed.placement
        try await connection.query(
            """
            WITH rotation AS (
                UPDATE \(unescaped: s).team_rotation SET last_member_id = \(rotation?.memberId), turns = turns + 1, updated_at = now()
                WHERE team_id = \(rotation?.teamId)::text
            ), history AS (
                INSERT INTO \(unescaped: s).assignments (
                    lead_id, event_id, causation_event_id, owner_id, team_id, location_id, queue, previous_owner_id,
                    previous_location_id, strategy, is_fallback, reason, note, candidates, actor_id, actor_role,
                    response_due_at, occurred_at, routed_by)
                VALUES (
                    \(event.leadId.uuid), \(event.eventId), \(event.causationEventId), \(event.ownerId), \(event.teamId),
                    \(event.locationId), \(p.queue), \(event.previousOwnerId), \(event.previousLocationId),
                    \(event.strategy.rawValue), \(event.isFallback), \(event.reason), \(note), \(candidates)::jsonb,
                    \(event.actor.id), \(event.actor.role.rawValue), \(event.responseDueAt), \(event.occurredAt), \(instance))
            )
            UPDATE \(unescaped: s).leads SET
                lead = \(lead)::jsonb, owner_id = \(p.ownerId), team_id = \(p.teamId), location_id = \(p.locationId),
                queue = \(p.queue), is_open = \(routed.isOpen), is_erased = \(routed.isErased),
                collaborators = \(routed.collaborators)::text[], excluded_locations = \(routed.excludedLocations)::text[],
                excluded_members = \(routed.excludedMembers)::text[], assigned_at = \(routed.assignedAt),
                response_due_at = \(routed.responseDueAt), response_party = \(routed.responseParty?.rawValue),
                last_assignment_event_id = \(routed.lastAssignmentEventId), reroutes = \(routed.reroutes), updated_at = now()
            WHERE lead_id = \(routed.leadId.uuid)
            """,
            logger: logger)
    }

    /// Removes the free-text notes of a lead's history (erasure).
    public func eraseNotes(of leadId: LeadID, on connection: PostgresConnection) async throws {
        try await connection.query(
            "UPDATE \(unescaped: s).assignments SET note = NULL WHERE lead_id = \(leadId.uuid) AND note IS NOT NULL",
            logger: logger)
    }

    // MARK: Decoding

    static func decode(_ rows: PostgresRowSequence) async throws -> [RoutedLead] {
        var result: [RoutedLead] = []
        for try await row in rows.decode((
            UUID, String?, String?, String?, String?, String?, Bool, Bool, [String], [String], [String],
            Date?, Date?, String?, UUID?, Int
        ).self) {
            result.append(try routedLead(row.0, row.1, row.2, row.3, row.4, row.5, row.6, row.7, row.8, row.9, row.10,
                                         row.11, row.12, row.13, row.14, row.15))
        }
        return result
    }

    // swiftlint:disable:next function_parameter_count
    static func routedLead(
        _ id: UUID, _ lead: String?, _ owner: String?, _ team: String?, _ location: String?, _ queue: String?,
        _ isOpen: Bool, _ isErased: Bool, _ collaborators: [String], _ excludedLocations: [String],
        _ excludedMembers: [String], _ assignedAt: Date?, _ dueAt: Date?, _ party: String?, _ lastEvent: UUID?, _ reroutes: Int
    ) throws -> RoutedLead {
        var routed = RoutedLead(leadId: LeadID(id))
        routed.lead = try lead.map { try LeadflowJSON.decode(Lead.self, from: Array($0.utf8)) }
        routed.placement = Placement(ownerId: owner, teamId: team, locationId: location, queue: queue)
        routed.isOpen = isOpen
        routed.isErased = isErased
        routed.collaborators = collaborators
        routed.excludedLocations = excludedLocations
        routed.excludedMembers = excludedMembers
        routed.assignedAt = assignedAt
        routed.responseDueAt = dueAt
        routed.responseParty = party.flatMap(ResponseParty.init(rawValue:))
        routed.lastAssignmentEventId = lastEvent
        routed.reroutes = reroutes
        return routed
    }
}

/// A storage invariant did not hold (the consumer retries).
struct StorageInvariantError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
