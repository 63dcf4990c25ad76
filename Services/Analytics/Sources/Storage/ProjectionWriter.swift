import Foundation
import LeadModel
import LeadStorage
import Logging
import PostgresNIO

/// Applies one event to the projection tables of `schema`, on a connection inside the
/// caller's transaction (the one that also records the event id, see `ProjectionStore`).
///
/// A lead's row is locked first, so instances of one consumer group working different topics
/// of the same lead never interleave their updates.
struct ProjectionWriter {
    let schema: SQLIdentifier
    let connection: PostgresConnection
    let logger: Logger

    private var s: String { schema.name }

    func apply(_ event: AnyLeadflowEvent) async throws {
        switch event {
        case .deadLetter(let letter):
            try await connection.query("""
                INSERT INTO \(unescaped: s).dead_letters (event_id, lead_id, stage, error_code, original_topic, failed_at)
                VALUES (\(letter.eventId), \(letter.leadId?.uuid), \(letter.stage.rawValue), \(PostgresText.clean(letter.errorCode)),
                        \(PostgresText.clean(letter.originalTopic)), \(letter.failedAt))
                ON CONFLICT DO NOTHING
                """, logger: logger)
        case .metrics:
            return
        case .received, .lifecycle, .scored, .assigned, .notification:
            guard let leadId = event.leadId else { return }
            try await applyLeadEvent(event, leadId: leadId)
        }
    }

    private func applyLeadEvent(_ event: AnyLeadflowEvent, leadId: LeadID) async throws {
        let before = try await lockLead(leadId)
        var projection = before
        let erasing: Bool = if case .lifecycle(let e) = event, case .erased = e.change { true } else { false }
        let stored = before.erased || erasing ? EventScrubber.scrub(event) : event
        guard let sequence = try await insertEvent(stored, leadId: leadId) else { return }
        let projected = ProjectedEvent(stored, sequence: sequence)
        if projection.canApplyIncrementally(projected) {
            projection.apply(projected)
        } else {
            projection = LeadProjection.fold(leadId: leadId, events: try await loadEvents(leadId).map(\.event))
        }
        if projection.erased && !before.erased {
            try await scrubStoredEvents(leadId)
        }
        try await writeLead(projection)
        if projection.appointments != before.appointments { try await writeAppointments(projection) }
        if projection.mergedLeadIds != before.mergedLeadIds { try await writeMerges(projection) }
    }

    /// Creates the lead's row if needed, locks it, and returns its projection.
    private func lockLead(_ leadId: LeadID) async throws -> LeadProjection {
        try await connection.query(
            "INSERT INTO \(unescaped: s).leads (lead_id) VALUES (\(leadId.uuid)) ON CONFLICT DO NOTHING", logger: logger)
        let rows = try await connection.query(
            "SELECT state::text, known FROM \(unescaped: s).leads WHERE lead_id = \(leadId.uuid) FOR UPDATE", logger: logger)
        for try await (state, known) in rows.decode((String, Bool).self) {
            if known || state != "{}", let projection = try? LeadflowJSON.decode(LeadProjection.self, from: Array(state.utf8)) {
                return projection
            }
        }
        return LeadProjection(leadId: leadId)
    }

    /// Stores the event in the timeline; returns its sequence, or `nil` if it was stored before.
    private func insertEvent(_ event: AnyLeadflowEvent, leadId: LeadID) async throws -> Int64? {
        let description = TimelineDescription(event)
        let (topic, type) = Self.topicAndType(event)
        let payload = PostgresText.cleanJSON(String(decoding: try Self.encode(event), as: UTF8.self))
        let rows = try await connection.query("""
            INSERT INTO \(unescaped: s).lead_events
                (event_id, lead_id, topic, event_type, kind, occurred_at, actor_id, actor_role, summary, payload)
            VALUES (\(event.eventId), \(leadId.uuid), \(topic), \(type), \(description.kind), \(event.occurredAt),
                    \(PostgresText.clean(description.actor.id)), \(description.actor.role.rawValue),
                    \(PostgresText.clean(description.summary)), \(payload)::jsonb)
            ON CONFLICT (event_id) DO NOTHING
            RETURNING sequence
            """, logger: logger)
        for try await sequence in rows.decode(Int64.self) { return sequence }
        return nil
    }

    /// Every stored event of the lead.
    func loadEvents(_ leadId: LeadID) async throws -> [(sequence: Int64, event: ProjectedEvent)] {
        let rows = try await connection.query("""
            SELECT sequence, event_type, payload::text FROM \(unescaped: s).lead_events
            WHERE lead_id = \(leadId.uuid) ORDER BY sequence
            """, logger: logger)
        var events: [(Int64, ProjectedEvent)] = []
        for try await (sequence, type, payload) in rows.decode((Int64, String, String).self) {
            guard let event = try AnyLeadflowEvent.decode(eventType: type, body: Array(payload.utf8)) else { continue }
            events.append((sequence, ProjectedEvent(event, sequence: sequence)))
        }
        return events
    }

    /// Rewrites the lead's stored events without personal data (GDPR erasure).
    private func scrubStoredEvents(_ leadId: LeadID) async throws {
        for (sequence, projected) in try await loadEvents(leadId) {
            let scrubbed = EventScrubber.scrub(projected.event)
            guard scrubbed != projected.event else { continue }
            let payload = PostgresText.cleanJSON(String(decoding: try Self.encode(scrubbed), as: UTF8.self))
            let summary = PostgresText.clean(TimelineDescription(scrubbed).summary)
            try await connection.query("""
                UPDATE \(unescaped: s).lead_events SET payload = \(payload)::jsonb, summary = \(summary)
                WHERE sequence = \(sequence)
                """, logger: logger)
        }
    }

    private func writeLead(_ projection: LeadProjection) async throws {
        let state = PostgresText.cleanJSON(String(decoding: try LeadflowJSON.encode(projection), as: UTF8.self))
        guard let facts = projection.facts, let lead = projection.lead else {
            try await connection.query("""
                UPDATE \(unescaped: s).leads SET state = \(state)::jsonb, event_count = \(projection.eventCount), updated_at = now()
                WHERE lead_id = \(projection.leadId.uuid)
                """, logger: logger)
            return
        }
        let factsJSON = PostgresText.cleanJSON(String(decoding: try LeadflowJSON.encode(facts), as: UTF8.self))
        let lexemes = SearchText.lexemes(for: lead).map(PostgresText.clean)
        let name = PostgresText.clean(lead.fullName.full)
        let email = lead.contacts.primaryEmail.map { PostgresText.clean($0.address) }
        let phone = lead.contacts.primaryPhone.map { PostgresText.clean($0.e164 ?? $0.raw) }
        let clean: (String?) -> String? = { $0.map(PostgresText.clean) }
        try await connection.query("""
            UPDATE \(unescaped: s).leads SET
                known = true, state = \(state)::jsonb, facts = \(factsJSON)::jsonb,
                created_at = \(facts.createdAt), last_activity_at = \(facts.lastActivityAt),
                source_id = \(PostgresText.clean(facts.sourceId)), channel = \(facts.channel?.rawValue),
                location_id = \(clean(facts.locationId)), team_id = \(clean(facts.teamId)), owner_id = \(clean(facts.ownerId)),
                collaborators = \(facts.collaborators.map(PostgresText.clean)),
                lifecycle_stage = \(facts.lifecycleStage.rawValue), pipeline_status = \(PostgresText.clean(facts.pipelineStatus.rawValue)),
                priority = \(facts.priority?.rawValue), score = \(facts.score),
                is_test = \(facts.isTest), has_vehicle = \(facts.hasVehicle), vehicle_type = \(clean(facts.vehicleType)),
                next_due_at = \(facts.nextDueAt), outcome = \(facts.outcome?.rawValue), closed_at = \(facts.closedAt),
                first_response_at = \(facts.firstResponseAt),
                full_name = \(name), primary_email = \(email), primary_phone = \(phone),
                search = array_to_tsvector(\(lexemes)::text[]),
                event_count = \(projection.eventCount), updated_at = now()
            WHERE lead_id = \(projection.leadId.uuid)
            """, logger: logger)
    }

    private func writeAppointments(_ projection: LeadProjection) async throws {
        try await connection.query(
            "DELETE FROM \(unescaped: s).lead_appointments WHERE lead_id = \(projection.leadId.uuid)", logger: logger)
        for appointment in projection.appointments.values {
            try await connection.query("""
                INSERT INTO \(unescaped: s).lead_appointments (lead_id, appointment_id, at, kind, kept)
                VALUES (\(projection.leadId.uuid), \(PostgresText.clean(appointment.id)), \(appointment.at),
                        \(appointment.kind.rawValue), \(appointment.kept))
                """, logger: logger)
        }
    }

    private func writeMerges(_ projection: LeadProjection) async throws {
        try await connection.query(
            "DELETE FROM \(unescaped: s).lead_merges WHERE survivor_id = \(projection.leadId.uuid)", logger: logger)
        guard !projection.mergedLeadIds.isEmpty else { return }
        try await connection.query("""
            INSERT INTO \(unescaped: s).lead_merges (merged_lead_id, survivor_id)
            SELECT id, \(projection.leadId.uuid) FROM unnest(\(projection.mergedLeadIds.map(\.uuid))::uuid[]) AS m(id)
            WHERE id <> \(projection.leadId.uuid)
            ON CONFLICT (merged_lead_id) DO UPDATE SET survivor_id = EXCLUDED.survivor_id
            """, logger: logger)
    }

    static func encode(_ event: AnyLeadflowEvent) throws -> [UInt8] {
        switch event {
        case .received(let e): try LeadflowJSON.encode(e)
        case .lifecycle(let e): try LeadflowJSON.encode(e)
        case .scored(let e): try LeadflowJSON.encode(e)
        case .assigned(let e): try LeadflowJSON.encode(e)
        case .notification(let e): try LeadflowJSON.encode(e)
        case .metrics(let e): try LeadflowJSON.encode(e)
        case .deadLetter(let e): try LeadflowJSON.encode(e)
        }
    }

    static func topicAndType(_ event: AnyLeadflowEvent) -> (String, String) {
        switch event {
        case .received: (LeadReceived.topic.rawValue, LeadReceived.eventType)
        case .lifecycle: (LeadLifecycleEvent.topic.rawValue, LeadLifecycleEvent.eventType)
        case .scored: (LeadScored.topic.rawValue, LeadScored.eventType)
        case .assigned: (LeadAssigned.topic.rawValue, LeadAssigned.eventType)
        case .notification: (NotificationOutcome.topic.rawValue, NotificationOutcome.eventType)
        case .metrics: (MetricsSnapshot.topic.rawValue, MetricsSnapshot.eventType)
        case .deadLetter: (DeadLetter.topic.rawValue, DeadLetter.eventType)
        }
    }
}
