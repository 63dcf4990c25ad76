import Foundation
import LeadModel
import LeadServiceKit
import LeadStorage
import Logging
import PostgresNIO

/// A lead as the list shows it.
public struct LeadListItem: Encodable, Sendable, Hashable {
    public var leadId: LeadID
    public var name: String
    public var email: String?
    public var phone: String?
    public var facts: LeadFacts
    public var overdue: Bool

    enum CodingKeys: String, CodingKey {
        case leadId, name, email, phone, overdue
        case sourceId, sourceName, channel, ownerId, collaborators, locationId, teamId, stage, status, locationResponse
        case score, priority, createdAt, lastActivityAt, nextDueAt, hasVehicle, vehicleType, isTest, outcome
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(leadId, forKey: .leadId)
        try c.encode(name, forKey: .name)
        try c.encodeIfPresent(email, forKey: .email)
        try c.encodeIfPresent(phone, forKey: .phone)
        try c.encode(overdue, forKey: .overdue)
        try c.encode(facts.sourceId, forKey: .sourceId)
        try c.encodeIfPresent(facts.sourceName, forKey: .sourceName)
        try c.encodeIfPresent(facts.channel, forKey: .channel)
        try c.encodeIfPresent(facts.ownerId, forKey: .ownerId)
        try c.encode(facts.collaborators, forKey: .collaborators)
        try c.encodeIfPresent(facts.locationId, forKey: .locationId)
        try c.encodeIfPresent(facts.teamId, forKey: .teamId)
        try c.encode(facts.lifecycleStage, forKey: .stage)
        try c.encode(facts.pipelineStatus, forKey: .status)
        try c.encodeIfPresent(facts.locationResponse, forKey: .locationResponse)
        try c.encodeIfPresent(facts.score, forKey: .score)
        try c.encodeIfPresent(facts.priority, forKey: .priority)
        try c.encode(facts.createdAt, forKey: .createdAt)
        try c.encode(facts.lastActivityAt, forKey: .lastActivityAt)
        try c.encodeIfPresent(facts.nextDueAt, forKey: .nextDueAt)
        try c.encode(facts.hasVehicle, forKey: .hasVehicle)
        try c.encodeIfPresent(facts.vehicleType, forKey: .vehicleType)
        try c.encode(facts.isTest, forKey: .isTest)
        try c.encodeIfPresent(facts.outcome, forKey: .outcome)
    }
}

/// One page of the lead list.
public struct LeadPage: Encodable, Sendable {
    public var leads: [LeadListItem]
    /// Pass as `cursor` for the next page; absent on the last page.
    public var nextCursor: String?
}

/// One entry of a lead's timeline.
public struct TimelineEntry: Encodable, Sendable {
    public var eventId: UUID
    public var topic: String
    public var kind: String
    public var occurredAt: Date
    public var actor: Actor
    public var summary: String
    public var event: JSONValue

    enum CodingKeys: String, CodingKey { case eventId, topic, kind, occurredAt, actor, summary, event }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(eventId.uuidString.lowercased(), forKey: .eventId)
        try c.encode(topic, forKey: .topic)
        try c.encode(kind, forKey: .kind)
        try c.encode(occurredAt, forKey: .occurredAt)
        try c.encode(actor, forKey: .actor)
        try c.encode(summary, forKey: .summary)
        try c.encode(event, forKey: .event)
    }
}

/// A lead with everything analytics knows about it.
public struct LeadDetail: Encodable, Sendable {
    public var lead: Lead
    public var facts: LeadFacts
    public var teamId: String?
    public var overdue: Bool
    public var mergedInto: LeadID?
    public var appointments: [AppointmentFact]
    public var openTasks: [String: Date]
    public var timeline: [TimelineEntry]
}

/// Reads of the lead read model: list pages, single leads with their timeline, report inputs.
/// Every read takes the caller's ``LeadFilter``, so out-of-scope leads never leave the database.
public struct LeadReadModel: Sendable {
    let client: PostgresClient
    let schema: SQLIdentifier
    let logger: Logger

    /// Creates the read model over `schema`.
    public init(client: PostgresClient, schema: SQLIdentifier, logger: Logger) {
        self.client = client
        self.schema = schema
        self.logger = logger
    }

    private var s: String { schema.name }

    /// The conditions every visible lead meets: its base is known, it was not merged into
    /// another lead, and `filter` admits it.
    func visibility(_ filter: LeadFilter, _ sql: inout SQLBuilder) -> String {
        let base = "l.known AND NOT EXISTS (SELECT 1 FROM \(s).lead_merges m WHERE m.merged_lead_id = l.lead_id)"
        switch filter {
        case .all:
            return base
        case .scoped(let locations, let teams):
            let locs = sql.bind(Array(locations).sorted())
            let tms = sql.bind(Array(teams).sorted())
            return base + " AND (l.location_id = ANY(\(locs)::text[]) OR l.team_id = ANY(\(tms)::text[]))"
        case .personal(let memberId):
            let member = sql.bind(memberId)
            return base + " AND (l.owner_id = \(member) OR \(member) = ANY(l.collaborators))"
        case .nothing:
            return "FALSE"
        }
    }

    /// A page of leads matching `query` that `filter` admits, newest first.
    public func list(_ query: LeadQuery, filter: LeadFilter, memberId: String, now: Date, timeZone: TimeZone,
                     after cursor: LeadCursor?) async throws -> (items: [LeadListItem], hasMore: Bool) {
        var sql = SQLBuilder()
        sql.append("SELECT l.facts::text, l.full_name, l.primary_email, l.primary_phone FROM \(s).leads l WHERE ")
        var conditions = [visibility(filter, &sql)]
        if !query.includeTest { conditions.append("NOT l.is_test") }
        func any(_ column: String, _ values: [String]) {
            guard !values.isEmpty else { return }
            conditions.append("l.\(column) = ANY(\(sql.bind(values))::text[])")
        }
        any("pipeline_status", query.statuses)
        any("lifecycle_stage", query.stages.map(\.rawValue))
        any("priority", query.priorities.map(\.rawValue))
        any("source_id", query.sources)
        any("owner_id", query.owners)
        any("location_id", query.locations)
        any("team_id", query.teams)
        if let from = query.createdFrom { conditions.append("l.created_at >= \(sql.bind(from))") }
        if let to = query.createdTo { conditions.append("l.created_at < \(sql.bind(to))") }
        if let hasVehicle = query.hasVehicle { conditions.append("l.has_vehicle = \(sql.bind(hasVehicle))") }
        if let overdue = query.overdue {
            let clause = "(l.outcome IS NULL AND l.next_due_at IS NOT NULL AND l.next_due_at < \(sql.bind(now)))"
            conditions.append(overdue ? clause : "NOT \(clause)")
        }
        if let today = query.appointmentToday {
            let day = QueryValues.day(of: now, in: query.timeZone ?? timeZone)
            let clause = "EXISTS (SELECT 1 FROM \(s).lead_appointments a WHERE a.lead_id = l.lead_id AND a.at >= \(sql.bind(day.start)) AND a.at < \(sql.bind(day.end)))"
            conditions.append(today ? clause : "NOT \(clause)")
        }
        if let search = query.search {
            guard let tsquery = SearchText.query(search) else { return ([], false) }
            conditions.append("l.search @@ to_tsquery('simple', \(sql.bind(tsquery)))")
        }
        if query.mine {
            let me = sql.bind(memberId)
            conditions.append("(l.owner_id = \(me) OR \(me) = ANY(l.collaborators))")
        }
        if let cursor {
            conditions.append("(l.created_at, l.lead_id) < (\(sql.bind(cursor.createdAt)), \(sql.bind(cursor.leadId.uuid)))")
        }
        sql.append(conditions.joined(separator: " AND "))
        sql.append(" ORDER BY l.created_at DESC, l.lead_id DESC LIMIT \(query.limit + 1)")
        var items: [LeadListItem] = []
        let rows = try await client.query(sql.query, logger: logger)
        for try await (factsJSON, name, email, phone) in rows.decode((String, String?, String?, String?).self) {
            let facts = try LeadflowJSON.decode(LeadFacts.self, from: Array(factsJSON.utf8))
            items.append(LeadListItem(leadId: facts.leadId, name: name ?? "", email: email, phone: phone, facts: facts,
                                      overdue: facts.isOverdue(at: now)))
        }
        let hasMore = items.count > query.limit
        return (Array(items.prefix(query.limit)), hasMore)
    }

    /// The lead's projection, if its base is known (no access check: the caller checks).
    public func projection(_ leadId: LeadID) async throws -> (LeadProjection, mergedInto: LeadID?)? {
        let rows = try await client.query("""
            SELECT l.state::text, (SELECT m.survivor_id FROM \(unescaped: s).lead_merges m WHERE m.merged_lead_id = l.lead_id)
            FROM \(unescaped: s).leads l WHERE l.lead_id = \(leadId.uuid) AND l.known
            """, logger: logger)
        for try await (state, survivor) in rows.decode((String, UUID?).self) {
            return (try LeadflowJSON.decode(LeadProjection.self, from: Array(state.utf8)), survivor.map(LeadID.init))
        }
        return nil
    }

    /// Every event of the lead in the order they happened, with those of the leads merged into
    /// it; events an unmerge moved to another lead show on that lead instead.
    public func timeline(_ leadId: LeadID) async throws -> [TimelineEntry] {
        let rows = try await client.query("""
            WITH moved AS (
                SELECT (m->>'eventId')::uuid AS event_id, lower(m->>'leadId') AS lead_id
                FROM \(unescaped: s).lead_events u,
                     jsonb_array_elements(COALESCE(u.payload->'change'->'unmerge'->'movedEvents', '[]'::jsonb)) m
                WHERE u.topic = 'leads.lifecycle' AND u.kind = 'unmerged'
                  AND (u.lead_id = \(leadId.uuid) OR lower(m->>'leadId') = \(leadId.description))
            )
            SELECT event_id, topic, kind, occurred_at, actor_id, actor_role, summary, payload::text
            FROM \(unescaped: s).lead_events e
            WHERE ((e.lead_id = \(leadId.uuid)
                    OR e.lead_id IN (SELECT m.merged_lead_id FROM \(unescaped: s).lead_merges m WHERE m.survivor_id = \(leadId.uuid)))
                   AND NOT EXISTS (SELECT 1 FROM moved WHERE moved.event_id = e.event_id AND moved.lead_id <> \(leadId.description)))
               OR e.event_id IN (SELECT moved.event_id FROM moved WHERE moved.lead_id = \(leadId.description))
            ORDER BY occurred_at,
                     CASE topic WHEN 'leads.received' THEN 0 WHEN 'leads.lifecycle' THEN 1 WHEN 'leads.scored' THEN 2
                                WHEN 'leads.assigned' THEN 3 ELSE 4 END,
                     sequence
            """, logger: logger)
        var entries: [TimelineEntry] = []
        for try await (id, topic, kind, at, actorId, actorRole, summary, payload)
            in rows.decode((UUID, String, String, Date, String, String, String, String).self) {
            let event = (try? LeadflowJSON.decode(JSONValue.self, from: Array(payload.utf8))) ?? .null
            entries.append(TimelineEntry(
                eventId: id, topic: topic, kind: kind, occurredAt: at,
                actor: Actor(id: actorId, role: Actor.Role(rawValue: actorRole) ?? .system), summary: summary, event: event))
        }
        return entries
    }

    /// The facts of the leads `filter` admits, created in `period` (or ever, for `nil`), test
    /// leads and merged leads left out; with contact details when `withContacts`; only open
    /// leads when `openOnly`.
    public func reportLeads(filter: LeadFilter, period: ReportPeriod?, withContacts: Bool, openOnly: Bool = false) async throws
        -> (leads: [LeadFacts], contacts: [LeadID: LeadContactSummary]) {
        var sql = SQLBuilder()
        sql.append("SELECT l.facts::text, l.full_name, l.primary_email, l.primary_phone FROM \(s).leads l WHERE ")
        var conditions = [visibility(filter, &sql), "NOT l.is_test"]
        if openOnly { conditions.append("l.outcome IS NULL") }
        if let period {
            conditions.append("l.created_at >= \(sql.bind(period.from)) AND l.created_at < \(sql.bind(period.to))")
        }
        sql.append(conditions.joined(separator: " AND "))
        var leads: [LeadFacts] = []
        var contacts: [LeadID: LeadContactSummary] = [:]
        let rows = try await client.query(sql.query, logger: logger)
        for try await (factsJSON, name, email, phone) in rows.decode((String, String?, String?, String?).self) {
            let facts = try LeadflowJSON.decode(LeadFacts.self, from: Array(factsJSON.utf8))
            leads.append(facts)
            if withContacts { contacts[facts.leadId] = LeadContactSummary(name: name ?? "", email: email, phone: phone) }
        }
        return (leads, contacts)
    }
}

/// What the projection holds, for operators.
public struct ProjectionStatus: Encodable, Sendable {
    public var schema: String
    public var leads: Int
    public var pendingLeads: Int
    public var events: Int
    public var deadLetters: [DeadLetterCount]

    /// Dead letters seen on `leads.deadletter`, by stage and code.
    public struct DeadLetterCount: Encodable, Sendable {
        public var stage: String
        public var errorCode: String
        public var count: Int
    }
}

extension LeadReadModel {
    /// Counts of the projection's contents.
    public func status() async throws -> ProjectionStatus {
        var status = ProjectionStatus(schema: schema.name, leads: 0, pendingLeads: 0, events: 0, deadLetters: [])
        let rows = try await client.query("""
            SELECT count(*) FILTER (WHERE known), count(*) FILTER (WHERE NOT known),
                   (SELECT count(*) FROM \(unescaped: s).lead_events)
            FROM \(unescaped: s).leads
            """, logger: logger)
        for try await (known, pending, events) in rows.decode((Int, Int, Int).self) {
            status.leads = known
            status.pendingLeads = pending
            status.events = events
        }
        let letters = try await client.query("""
            SELECT stage, error_code, count(*) FROM \(unescaped: s).dead_letters GROUP BY stage, error_code ORDER BY stage, error_code
            """, logger: logger)
        for try await (stage, code, count) in letters.decode((String, String, Int).self) {
            status.deadLetters.append(.init(stage: stage, errorCode: code, count: count))
        }
        return status
    }
}
