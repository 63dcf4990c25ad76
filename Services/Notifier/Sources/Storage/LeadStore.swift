import Foundation
import LeadModel
import LeadStorage
import Logging
import PostgresNIO

/// The leads the notifier tracks (`<schema>.leads`).
struct LeadStore: Sendable {
    let schema: String

    static let columns = """
        lead_id, snapshot::text AS snapshot, owner_id, location_id, team_id, collaborators, location_response,
        location_response_at, pipeline_id, pipeline_status, follow_up_delay::text AS follow_up_delay,
        alerted_owner_id, alerted_location_id, erased
        """

    /// The lead, locked until the transaction ends; nil when not tracked yet.
    func lock(_ leadId: LeadID, on connection: PostgresConnection, logger: Logger) async throws -> TrackedLead? {
        let rows = try await connection.query(
            "SELECT \(unescaped: Self.columns) FROM \(unescaped: schema).leads WHERE lead_id = \(leadId.uuid) FOR UPDATE",
            logger: logger)
        for try await row in rows { return try Self.decode(row.makeRandomAccess(), prefix: "") }
        return nil
    }

    /// The lead, without locking.
    func find(_ leadId: LeadID, on connection: PostgresConnection, logger: Logger) async throws -> TrackedLead? {
        let rows = try await connection.query(
            "SELECT \(unescaped: Self.columns) FROM \(unescaped: schema).leads WHERE lead_id = \(leadId.uuid)", logger: logger)
        for try await row in rows { return try Self.decode(row.makeRandomAccess(), prefix: "") }
        return nil
    }

    /// Inserts or replaces the lead.
    func save(_ lead: TrackedLead, on connection: PostgresConnection, logger: Logger) async throws {
        let snapshot = try lead.snapshot.map { String(decoding: try LeadflowJSON.encode($0), as: UTF8.self) }
        let delay = try lead.followUpDelay.map { String(decoding: try LeadflowJSON.encode($0), as: UTF8.self) }
        try await connection.query(
            """
            INSERT INTO \(unescaped: schema).leads (
                lead_id, snapshot, owner_id, location_id, team_id, collaborators, location_response, location_response_at,
                pipeline_id, pipeline_status, follow_up_delay, alerted_owner_id, alerted_location_id, erased, updated_at)
            VALUES (
                \(lead.leadId.uuid), \(snapshot)::jsonb, \(lead.ownerId), \(lead.locationId), \(lead.teamId),
                \(lead.collaborators)::text[], \(lead.locationResponse?.rawValue), \(lead.locationResponseAt), \(lead.pipelineId),
                \(lead.pipelineStatus?.rawValue), \(delay)::jsonb, \(lead.alertedOwnerId), \(lead.alertedLocationId),
                \(lead.erased), now())
            ON CONFLICT (lead_id) DO UPDATE SET
                snapshot = EXCLUDED.snapshot, owner_id = EXCLUDED.owner_id, location_id = EXCLUDED.location_id,
                team_id = EXCLUDED.team_id, collaborators = EXCLUDED.collaborators,
                location_response = EXCLUDED.location_response, location_response_at = EXCLUDED.location_response_at,
                pipeline_id = EXCLUDED.pipeline_id, pipeline_status = EXCLUDED.pipeline_status,
                follow_up_delay = EXCLUDED.follow_up_delay, alerted_owner_id = EXCLUDED.alerted_owner_id,
                alerted_location_id = EXCLUDED.alerted_location_id, erased = EXCLUDED.erased, updated_at = now()
            """,
            logger: logger)
    }

    /// Decodes a lead from a row holding ``columns`` (each name prefixed with `prefix`).
    static func decode(_ row: PostgresRandomAccessRow, prefix: String) throws -> TrackedLead {
        var lead = TrackedLead(leadId: LeadID(try row[prefix + "lead_id"].decode(UUID.self)))
        if let json = try row[prefix + "snapshot"].decode(String?.self) {
            lead.snapshot = try LeadflowJSON.decode(Lead.self, from: Array(json.utf8))
        }
        lead.ownerId = try row[prefix + "owner_id"].decode(String?.self)
        lead.locationId = try row[prefix + "location_id"].decode(String?.self)
        lead.teamId = try row[prefix + "team_id"].decode(String?.self)
        lead.collaborators = try row[prefix + "collaborators"].decode([String].self)
        lead.locationResponse = try row[prefix + "location_response"].decode(String?.self).flatMap(LocationResponseStatus.init(rawValue:))
        lead.locationResponseAt = try row[prefix + "location_response_at"].decode(Date?.self)
        lead.pipelineId = try row[prefix + "pipeline_id"].decode(String.self)
        lead.pipelineStatus = try row[prefix + "pipeline_status"].decode(String?.self).map(PipelineStatus.init(rawValue:))
        if let json = try row[prefix + "follow_up_delay"].decode(String?.self) {
            lead.followUpDelay = try LeadflowJSON.decode(FollowUpDelay.self, from: Array(json.utf8))
        }
        lead.alertedOwnerId = try row[prefix + "alerted_owner_id"].decode(String?.self)
        lead.alertedLocationId = try row[prefix + "alerted_location_id"].decode(String?.self)
        lead.erased = try row[prefix + "erased"].decode(Bool.self)
        return lead
    }
}
