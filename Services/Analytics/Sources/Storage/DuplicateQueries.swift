import Foundation
import LeadModel
import LeadServiceKit
import PostgresNIO

extension LeadReadModel {
    /// The most candidates one duplicate search ranks.
    static let duplicateCandidateLimit = 500

    /// Leads `filter` admits (merged and test leads left out) that share an e-mail, a phone or
    /// the postal code with `lead`, or that arrived within `window` of it with a vehicle — the
    /// candidates ``DuplicateRanker`` then ranks.
    public func duplicateCandidates(of lead: Lead, filter: LeadFilter, window: TimeInterval) async throws -> [Lead] {
        var sql = SQLBuilder()
        sql.append("SELECT l.state::text FROM \(schema.name).leads l WHERE ")
        var conditions = [visibility(filter, &sql), "NOT l.is_test", "l.lead_id <> \(sql.bind(lead.id.uuid))"]
        let emails = sql.bind(lead.contacts.emails.map { String($0.address.lowercased().prefix(320)) })
        let phones = sql.bind(lead.contacts.phones.map { String(($0.e164 ?? $0.raw).prefix(40)) })
        var matches = [
            """
            EXISTS (SELECT 1 FROM jsonb_array_elements(COALESCE(l.state->'lead'->'contacts'->'emails', '[]'::jsonb)) e
                    WHERE lower(e->>'address') = ANY(\(emails)::text[]))
            """,
            """
            EXISTS (SELECT 1 FROM jsonb_array_elements(COALESCE(l.state->'lead'->'contacts'->'phones', '[]'::jsonb)) p
                    WHERE COALESCE(p->>'e164', p->>'raw') = ANY(\(phones)::text[]))
            """,
        ]
        if let postal = DuplicateRanker.postalKey(lead) {
            matches.append(
                "regexp_replace(upper(l.state->'lead'->'contacts'->'address'->>'postalCode'), '[^A-Z0-9]', '', 'g') = \(sql.bind(String(postal.prefix(40))))")
        }
        if !lead.vehiclesOfInterest.isEmpty {
            let from = sql.bind(lead.createdAt.addingTimeInterval(-window)), to = sql.bind(lead.createdAt.addingTimeInterval(window))
            matches.append("(l.has_vehicle AND l.created_at BETWEEN \(from) AND \(to))")
        }
        conditions.append("(" + matches.joined(separator: " OR ") + ")")
        sql.append(conditions.joined(separator: " AND "))
        sql.append(" ORDER BY abs(extract(epoch FROM l.created_at - \(sql.bind(lead.createdAt)))), l.lead_id LIMIT \(Self.duplicateCandidateLimit)")
        var leads: [Lead] = []
        let rows = try await client.query(sql.query, logger: logger)
        for try await state in rows.decode(String.self) {
            if let projection = try? LeadflowJSON.decode(LeadProjection.self, from: Array(state.utf8)), let lead = projection.lead {
                leads.append(lead)
            }
        }
        return leads
    }
}
