import Foundation
import LeadModel
import LeadStorage
import Logging
import PostgresNIO

/// Applies events to the projection tables of `schema`, on a connection inside the caller's
/// transaction (the one that also records the event ids, see `ProjectionStore`).
///
/// Events are applied per lead: the lead's row is locked first (so instances of one consumer
/// group working different topics of the same lead never interleave), all of the lead's events
/// of the batch are stored in one statement, the projection is updated (incrementally, or
/// folded again when an event arrived out of order) and written once.
struct ProjectionWriter {
    let schema: SQLIdentifier
    let connection: PostgresConnection
    let logger: Logger

    private var s: String { schema.name }

    /// Applies `events` (already recorded as first deliveries), grouped by lead in ascending
    /// lead id, each lead's events in the given order.
    func apply(_ events: [AnyLeadflowEvent]) async throws {
        var byLead: [LeadID: [AnyLeadflowEvent]] = [:]
        for event in events {
            switch event {
            case .deadLetter(let letter):
                try await insertDeadLetter(letter)
            case .metrics:
                continue
            case .received, .lifecycle, .scored, .assigned, .notification:
                guard let leadId = event.leadId else { continue }
                byLead[leadId, default: []].append(event)
            }
        }
        for leadId in byLead.keys.sorted() {
            try await applyLeadEvents(byLead[leadId]!, leadId: leadId)
        }
    }

    private func insertDeadLetter(_ letter: DeadLetter) async throws {
        try await connection.query("""
            INSERT INTO \(unescaped: s).dead_letters (event_id, lead_id, stage, error_code, original_topic, failed_at)
            VALUES (\(letter.eventId), \(letter.leadId?.uuid), \(letter.stage.rawValue), \(PostgresText.clean(letter.errorCode)),
                    \(PostgresText.clean(letter.originalTopic)), \(letter.failedAt))
            ON CONFLICT DO NOTHING
            """, logger: logger)
    }

    private func applyLeadEvents(_ events: [AnyLeadflowEvent], leadId: LeadID) async throws {
        let before = try await lockLead(leadId)
        var projection = before
        let stored = before.erased ? events.map(EventScrubber.scrub) : events
        let sequences = try await insertEvents(stored, leadId: leadId)
        guard !sequences.isEmpty else { return }
        var refold = false
        for event in stored {
            guard let sequence = sequences[event.eventId] else { continue }
            let projected = ProjectedEvent(event, sequence: sequence)
            if !refold, projection.canApplyIncrementally(projected) {
                projection.apply(projected)
            } else {
                refold = true
            }
        }
        if refold {
            projection = LeadProjection.fold(leadId: leadId, events: try await loadEvents(leadId).map(\.event))
        }
        if projection.erased && !before.erased {
            try await scrubStoredEvents(leadId)
        }
        try await writeLead(projection)
        if projection.appointments != before.appointments { try await writeAppointments(projection) }
        if projection.mergedLeadIds != before.mergedLeadIds { try await writeMerges(projection) }
    }

    /// Locks the lead's row (creating it if needed) and returns its projection.
    private func lockLead(_ leadId: LeadID) async throws -> LeadProjection {
        if let projection = try await selectForUpdate(leadId) { return projection }
        try await connection.query(
            "INSERT INTO \(unescaped: s).leads (lead_id) VALUES (\(leadId.uuid)) ON CONFLICT DO NOTHING", logger: logger)
        return try await selectForUpdate(leadId) ?? LeadProjection(leadId: leadId)
    }

    private func selectForUpdate(_ leadId: LeadID) async throws -> LeadProjection? {
        let rows = try await connection.query(
            "SELECT state::text, known FROM \(unescaped: s).leads WHERE lead_id = \(leadId.uuid) FOR UPDATE", logger: logger)
        for try await (state, known) in rows.decode((String, Bool).self) {
            if known || state != "{}", let projection = try? LeadflowJSON.decode(LeadProjection.self, from: Array(state.utf8)) {
                return projection
            }
            return LeadProjection(leadId: leadId)
        }
        return nil
    }

    /// Stores the events in the timeline in one statement; returns the sequence of each one
    /// stored now (an event stored before is left out).
    private func insertEvents(_ events: [AnyLeadflowEvent], leadId: LeadID) async throws -> [UUID: Int64] {
        var ids: [UUID] = [], topics: [String] = [], types: [String] = [], kinds: [String] = [], times: [Date] = []
        var actorIds: [String] = [], actorRoles: [String] = [], summaries: [String] = [], payloads: [String] = []
        for event in events {
            let description = TimelineDescription(event)
            let (topic, type) = Self.topicAndType(event)
            ids.append(event.eventId)
            topics.append(topic)
            types.append(type)
            kinds.append(description.kind)
            times.append(event.occurredAt)
            actorIds.append(PostgresText.clean(description.actor.id))
            actorRoles.append(description.actor.role.rawValue)
            summaries.append(PostgresText.clean(description.summary))
            payloads.append(PostgresText.cleanJSON(String(decoding: try Self.encode(event), as: UTF8.self)))
        }
        let rows = try await connection.query("""
            INSERT INTO \(unescaped: s).lead_events
                (event_id, lead_id, topic, event_type, kind, occurred_at, actor_id, actor_role, summary, payload)
            SELECT e.id, \(leadId.uuid), e.topic, e.type, e.kind, e.at, e.actor_id, e.actor_role, e.summary, e.payload::jsonb
            FROM unnest(\(ids)::uuid[], \(topics)::text[], \(types)::text[], \(kinds)::text[], \(times)::timestamptz[],
                        \(actorIds)::text[], \(actorRoles)::text[], \(summaries)::text[], \(payloads)::text[])
                 WITH ORDINALITY AS e(id, topic, type, kind, at, actor_id, actor_role, summary, payload, n)
            ORDER BY e.n
            ON CONFLICT (event_id) DO NOTHING
            RETURNING event_id, sequence
            """, logger: logger)
        var sequences: [UUID: Int64] = [:]
        for try await (id, sequence) in rows.decode((UUID, Int64).self) { sequences[id] = sequence }
        return sequences
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
