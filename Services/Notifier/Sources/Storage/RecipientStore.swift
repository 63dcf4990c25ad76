import Foundation
import LeadModel
import LeadServiceKit
import Logging
import PostgresNIO

/// The recipients directory (`<schema>.recipients`).
struct RecipientStore: Sendable {
    let schema: String

    static let columns = """
        id, kind, name, email, phone, webhook_url, channels, time_zone, quiet_start, quiet_end, include_collaborators,
        location_id, team_id, purposes, active, (webhook_secret IS NOT NULL) AS has_secret, updated_at, updated_by
        """

    /// A profile and its bookkeeping, as the admin API shows it.
    struct Entry: Sendable {
        var profile: RecipientProfile
        var hasWebhookSecret: Bool
        var updatedAt: Date
        var updatedBy: String
    }

    func find(_ id: String, on connection: PostgresConnection, logger: Logger) async throws -> Entry? {
        try await select("WHERE id = \(id)", on: connection, logger: logger).first
    }

    /// Everything composing needs from the directory in one query: the members asked for, the
    /// active contacts of `locations`, and (when `includeSubscribers`) the active webhook
    /// subscribers of the lead's location `subscriberLocation` or of every location.
    func directory(
        members: [String], locations: [String], includeSubscribers: Bool, subscriberLocation: String?,
        on connection: PostgresConnection, logger: Logger
    ) async throws -> [RecipientProfile] {
        try await select(
            """
            WHERE id = ANY(\(members)::text[])
               OR (kind = 'location_contact' AND active AND location_id = ANY(\(locations)::text[]))
               OR (\(includeSubscribers) AND kind = 'webhook' AND active AND (location_id IS NULL OR location_id = \(subscriberLocation)))
            ORDER BY id
            """,
            on: connection, logger: logger
        ).map(\.profile)
    }

    /// The time zones of locations (their first active contact's) and members.
    func timeZones(locations: Set<String>, members: Set<String>, on connection: PostgresConnection, logger: Logger) async throws -> TimeZones {
        var zones = TimeZones()
        guard !locations.isEmpty || !members.isEmpty else { return zones }
        let rows = try await connection.query(
            """
            SELECT DISTINCT ON (key) key, time_zone FROM (
                SELECT 'l:' || location_id AS key, time_zone, id FROM \(unescaped: schema).recipients
                    WHERE kind = 'location_contact' AND active AND location_id = ANY(\(Array(locations))::text[])
                UNION ALL
                SELECT 'm:' || id AS key, time_zone, id FROM \(unescaped: schema).recipients WHERE id = ANY(\(Array(members))::text[])
            ) candidates ORDER BY key, id
            """,
            logger: logger)
        for try await (key, zone) in rows.decode((String, String).self) {
            guard let timeZone = TimeZone(identifier: zone) else { continue }
            if key.hasPrefix("l:") { zones.locations[String(key.dropFirst(2))] = timeZone }
            if key.hasPrefix("m:") { zones.members[String(key.dropFirst(2))] = timeZone }
        }
        return zones
    }

    /// The recipients a filter admits, in id order (at most `limit`).
    func list(scope: RecipientScope, limit: Int, on connection: PostgresConnection, logger: Logger) async throws -> [Entry] {
        switch scope {
        case .all:
            return try await select("ORDER BY id LIMIT \(limit)", on: connection, logger: logger)
        case .scoped(let locations, let teams):
            return try await select(
                "WHERE location_id = ANY(\(Array(locations))::text[]) OR team_id = ANY(\(Array(teams))::text[]) ORDER BY id LIMIT \(limit)",
                on: connection, logger: logger)
        case .only(let id):
            return try await select("WHERE id = \(id)", on: connection, logger: logger)
        case .nothing:
            return []
        }
    }

    /// Creates or replaces a profile. `secret`: nil keeps the stored webhook secret, "" removes it.
    func upsert(_ profile: RecipientProfile, secret: String?, by actor: String, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query(
            """
            INSERT INTO \(unescaped: schema).recipients (
                id, kind, name, email, phone, webhook_url, webhook_secret, channels, time_zone, quiet_start, quiet_end,
                include_collaborators, location_id, team_id, purposes, active, updated_at, updated_by)
            VALUES (
                \(profile.id), \(profile.kind.rawValue), \(profile.name), \(profile.email), \(profile.phone), \(profile.webhookUrl),
                NULLIF(\(secret), ''), \(profile.channels.map(\.rawValue))::text[], \(profile.timeZone),
                \(profile.quietHours?.startMinute), \(profile.quietHours?.endMinute), \(profile.includeCollaborators),
                \(profile.locationId), \(profile.teamId), \(profile.purposes.map(\.rawValue))::text[], \(profile.active), now(), \(actor))
            ON CONFLICT (id) DO UPDATE SET
                kind = EXCLUDED.kind, name = EXCLUDED.name, email = EXCLUDED.email, phone = EXCLUDED.phone,
                webhook_url = EXCLUDED.webhook_url,
                webhook_secret = CASE WHEN \(secret)::text IS NULL THEN \(unescaped: schema).recipients.webhook_secret
                                      ELSE EXCLUDED.webhook_secret END,
                channels = EXCLUDED.channels, time_zone = EXCLUDED.time_zone, quiet_start = EXCLUDED.quiet_start,
                quiet_end = EXCLUDED.quiet_end, include_collaborators = EXCLUDED.include_collaborators,
                location_id = EXCLUDED.location_id, team_id = EXCLUDED.team_id, purposes = EXCLUDED.purposes,
                active = EXCLUDED.active, updated_at = now(), updated_by = EXCLUDED.updated_by
            """,
            logger: logger)
    }

    /// Deletes a profile; returns whether it existed.
    func delete(_ id: String, on connection: PostgresConnection, logger: Logger) async throws -> Bool {
        let rows = try await connection.query(
            "DELETE FROM \(unescaped: schema).recipients WHERE id = \(id) RETURNING 1", logger: logger)
        for try await _ in rows { return true }
        return false
    }

    private func select(_ clause: PostgresQuery, on connection: PostgresConnection, logger: Logger) async throws -> [Entry] {
        let query = PostgresQuery(unsafeSQL: "SELECT \(Self.columns) FROM \(schema).recipients " + clause.sql, binds: clause.binds)
        var entries: [Entry] = []
        for try await row in try await connection.query(query, logger: logger) {
            entries.append(try Self.decode(row.makeRandomAccess()))
        }
        return entries
    }

    static func decode(_ row: PostgresRandomAccessRow) throws -> Entry {
        var quiet: QuietHours?
        if let start = try row["quiet_start"].decode(Int?.self), let end = try row["quiet_end"].decode(Int?.self) {
            quiet = QuietHours(startMinute: start, endMinute: end)
        }
        let profile = RecipientProfile(
            id: try row["id"].decode(String.self),
            kind: RecipientKind(rawValue: try row["kind"].decode(String.self)) ?? .member,
            name: try row["name"].decode(String?.self),
            email: try row["email"].decode(String?.self),
            phone: try row["phone"].decode(String?.self),
            webhookUrl: try row["webhook_url"].decode(String?.self),
            channels: try row["channels"].decode([String].self).compactMap(NotificationChannel.init(rawValue:)),
            timeZone: try row["time_zone"].decode(String.self),
            quietHours: quiet,
            includeCollaborators: try row["include_collaborators"].decode(Bool.self),
            locationId: try row["location_id"].decode(String?.self),
            teamId: try row["team_id"].decode(String?.self),
            purposes: try row["purposes"].decode([String].self).compactMap(NotificationPurpose.init(rawValue:)),
            active: try row["active"].decode(Bool.self))
        return Entry(
            profile: profile, hasWebhookSecret: try row["has_secret"].decode(Bool.self),
            updatedAt: try row["updated_at"].decode(Date.self), updatedBy: try row["updated_by"].decode(String.self))
    }
}

/// Which recipients a caller may see and manage.
enum RecipientScope: Sendable, Hashable {
    /// Every recipient (platform admin).
    case all
    /// Recipients of these locations or teams (manager).
    case scoped(locations: Set<String>, teams: Set<String>)
    /// Only this one (a salesperson's own entry).
    case only(String)
    /// None.
    case nothing

    /// The scope of `principal`.
    init(_ principal: Principal) {
        switch principal.role {
        case .platformAdmin: self = .all
        case .manager: self = .scoped(locations: principal.scope.locationIds, teams: principal.scope.teamIds)
        case .salesperson: self = .only(principal.id)
        default: self = .nothing
        }
    }

    /// Whether a recipient with this location and team is inside the scope.
    func admits(id: String, locationId: String?, teamId: String?) -> Bool {
        switch self {
        case .all: true
        case .scoped(let locations, let teams):
            locationId.map(locations.contains) == true || teamId.map(teams.contains) == true
        case .only(let own): id == own
        case .nothing: false
        }
    }
}
