import Foundation
import LeadModel
import LeadStorage
import Logging
import PostgresNIO

/// Which configuration records a caller may list.
public enum ConfigScope: Sendable, Hashable {
    /// Everything (platform admin).
    case all
    /// Records of these locations and teams (a manager).
    case scoped(locationIds: Set<String>, teamIds: Set<String>)
}

/// A stored configuration record and its version (the `ETag`).
public struct Versioned<Value: Sendable>: Sendable {
    /// The record.
    public var value: Value
    /// Incremented by every change.
    public var version: Int
}

/// The outcome of a write.
public enum WriteOutcome: Sendable {
    /// A new record.
    case created(version: Int)
    /// An existing record changed.
    case updated(version: Int)
    /// `If-Match` named another version.
    case versionMismatch(current: Int?)
}

/// Reads and writes the routing configuration. Every write bumps `settings.config_version` in the
/// same transaction, so every instance reloads its cached ``RoutingDirectory``.
public struct ConfigRepository: Sendable {
    let schema: SQLIdentifier
    let logger: Logger

    /// Creates a repository for `schema`.
    public init(schema: SQLIdentifier, logger: Logger) {
        self.schema = schema
        self.logger = logger
    }

    private var s: String { schema.name }

    // MARK: Directory

    /// The configuration version (changes with every configuration write).
    public func configVersion(on connection: PostgresConnection) async throws -> Int64 {
        let rows = try await connection.query("SELECT config_version FROM \(unescaped: s).settings WHERE id = 1", logger: logger)
        for try await version in rows.decode(Int64.self) { return version }
        return 0
    }

    /// The whole configuration and its version.
    public func loadDirectory(on connection: PostgresConnection) async throws -> (version: Int64, directory: RoutingDirectory) {
        var version: Int64 = 0
        var settings = RoutingSettings()
        for try await (v, body) in try await connection.query(
            "SELECT config_version, body::text FROM \(unescaped: s).settings WHERE id = 1", logger: logger
        ).decode((Int64, String).self) {
            version = v
            settings = try LeadflowJSON.decode(RoutingSettings.self, from: Array(body.utf8))
        }
        let locations: [Location] = try await bodies("locations", on: connection)
        let teams: [Team] = try await bodies("teams", on: connection)
        let members: [Member] = try await bodies("members", on: connection)
        return (version, RoutingDirectory(settings: settings, locations: locations, teams: teams, members: members))
    }

    private func bodies<Value: Decodable>(_ table: String, on connection: PostgresConnection) async throws -> [Value] {
        var result: [Value] = []
        let rows = try await connection.query("SELECT body::text FROM \(unescaped: s).\(unescaped: table) ORDER BY id", logger: logger)
        for try await body in rows.decode(String.self) {
            result.append(try LeadflowJSON.decode(Value.self, from: Array(body.utf8)))
        }
        return result
    }

    // MARK: Settings

    /// The platform settings.
    public func settings(on connection: PostgresConnection) async throws -> RoutingSettings {
        let rows = try await connection.query("SELECT body::text FROM \(unescaped: s).settings WHERE id = 1", logger: logger)
        for try await body in rows.decode(String.self) {
            return try LeadflowJSON.decode(RoutingSettings.self, from: Array(body.utf8))
        }
        return RoutingSettings()
    }

    /// Replaces the platform settings.
    public func saveSettings(_ settings: RoutingSettings, on connection: PostgresConnection) async throws {
        let body = try Self.json(settings)
        try await connection.query(
            """
            UPDATE \(unescaped: s).settings SET body = \(body)::jsonb, config_version = config_version + 1,
                updated_at = now() WHERE id = 1
            """,
            logger: logger)
    }

    // MARK: Records

    /// One record of `kind`.
    public func get<Value: Decodable & Sendable>(_ kind: ConfigKind, id: String, as type: Value.Type, on connection: PostgresConnection) async throws -> Versioned<Value>? {
        let rows = try await connection.query(
            "SELECT body::text, version FROM \(unescaped: s).\(unescaped: kind.table) WHERE id = \(id)", logger: logger)
        for try await (body, version) in rows.decode((String, Int).self) {
            return Versioned(value: try LeadflowJSON.decode(Value.self, from: Array(body.utf8)), version: version)
        }
        return nil
    }

    /// A page of records of `kind` visible in `scope`, in id order after `after`.
    public func list<Value: Decodable & Sendable>(
        _ kind: ConfigKind, as type: Value.Type, scope: ConfigScope, after: String?, limit: Int, on connection: PostgresConnection
    ) async throws -> [Versioned<Value>] {
        let locations: [String]?, teams: [String]?
        switch scope {
        case .all: (locations, teams) = (nil, nil)
        case .scoped(let l, let t): (locations, teams) = (Array(l), Array(t))
        }
        let after = after ?? ""
        let query: PostgresQuery
        switch kind {
        case .location:
            query = """
                SELECT body::text, version FROM \(unescaped: s).locations
                WHERE id > \(after) AND (\(locations)::text[] IS NULL OR id = ANY(\(locations)::text[]))
                ORDER BY id LIMIT \(limit)
                """
        case .team:
            query = """
                SELECT body::text, version FROM \(unescaped: s).teams
                WHERE id > \(after) AND (\(locations)::text[] IS NULL
                    OR id = ANY(\(teams)::text[]) OR location_id = ANY(\(locations)::text[]))
                ORDER BY id LIMIT \(limit)
                """
        case .member:
            query = """
                SELECT m.body::text, m.version FROM \(unescaped: s).members m JOIN \(unescaped: s).teams t ON t.id = m.team_id
                WHERE m.id > \(after) AND (\(locations)::text[] IS NULL
                    OR m.team_id = ANY(\(teams)::text[]) OR t.location_id = ANY(\(locations)::text[]))
                ORDER BY m.id LIMIT \(limit)
                """
        }
        var result: [Versioned<Value>] = []
        for try await (body, version) in try await connection.query(query, logger: logger).decode((String, Int).self) {
            result.append(Versioned(value: try LeadflowJSON.decode(Value.self, from: Array(body.utf8)), version: version))
        }
        return result
    }

    /// Creates or replaces a location.
    public func put(_ location: Location, ifMatch: Int?, on connection: PostgresConnection) async throws -> WriteOutcome {
        try await upsert(.location, id: location.id, body: try Self.json(location), reference: nil, ifMatch: ifMatch, on: connection)
    }

    /// Creates or replaces a team (and gives it a rotation).
    public func put(_ team: Team, ifMatch: Int?, on connection: PostgresConnection) async throws -> WriteOutcome {
        let outcome = try await upsert(.team, id: team.id, body: try Self.json(team), reference: team.locationId, ifMatch: ifMatch, on: connection)
        try await connection.query(
            "INSERT INTO \(unescaped: s).team_rotation (team_id) VALUES (\(team.id)) ON CONFLICT DO NOTHING", logger: logger)
        return outcome
    }

    /// Creates or replaces a member.
    public func put(_ member: Member, ifMatch: Int?, on connection: PostgresConnection) async throws -> WriteOutcome {
        try await upsert(.member, id: member.id, body: try Self.json(member), reference: member.teamId, ifMatch: ifMatch, on: connection)
    }

    private func upsert(
        _ kind: ConfigKind, id: String, body: String, reference: String?, ifMatch: Int?, on connection: PostgresConnection
    ) async throws -> WriteOutcome {
        let table = kind.table
        // Locations have no parent: their "reference" column is rewritten with their own id.
        let column = kind.referenceColumn ?? "id"
        let referenceValue = kind.referenceColumn == nil ? id : reference
        let outcome: WriteOutcome
        if let ifMatch {
            let rows = try await connection.query(
                """
                UPDATE \(unescaped: s).\(unescaped: table)
                SET body = \(body)::jsonb, \(unescaped: column) = \(referenceValue), version = version + 1, updated_at = now()
                WHERE id = \(id) AND version = \(ifMatch)
                RETURNING version
                """,
                logger: logger)
            var updated: Int?
            for try await version in rows.decode(Int.self) { updated = version }
            guard let updated else {
                return .versionMismatch(current: try await version(of: kind, id: id, on: connection))
            }
            outcome = .updated(version: updated)
        } else {
            let query: PostgresQuery
            if let parent = kind.referenceColumn {
                query = """
                    INSERT INTO \(unescaped: s).\(unescaped: table) AS existing (id, body, \(unescaped: parent))
                    VALUES (\(id), \(body)::jsonb, \(reference))
                    ON CONFLICT (id) DO UPDATE SET body = EXCLUDED.body, \(unescaped: parent) = EXCLUDED.\(unescaped: parent),
                        version = existing.version + 1, updated_at = now()
                    RETURNING version, (xmax = 0)
                    """
            } else {
                query = """
                    INSERT INTO \(unescaped: s).\(unescaped: table) AS existing (id, body)
                    VALUES (\(id), \(body)::jsonb)
                    ON CONFLICT (id) DO UPDATE SET body = EXCLUDED.body, version = existing.version + 1, updated_at = now()
                    RETURNING version, (xmax = 0)
                    """
            }
            var result: WriteOutcome = .updated(version: 0)
            for try await (version, inserted) in try await connection.query(query, logger: logger).decode((Int, Bool).self) {
                result = inserted ? .created(version: version) : .updated(version: version)
            }
            outcome = result
        }
        try await bumpVersion(on: connection)
        return outcome
    }

    private func version(of kind: ConfigKind, id: String, on connection: PostgresConnection) async throws -> Int? {
        let rows = try await connection.query("SELECT version FROM \(unescaped: s).\(unescaped: kind.table) WHERE id = \(id)", logger: logger)
        for try await version in rows.decode(Int.self) { return version }
        return nil
    }

    /// Deletes a record; false when there was none. Throws a foreign-key violation when still referenced.
    public func delete(_ kind: ConfigKind, id: String, on connection: PostgresConnection) async throws -> Bool {
        let rows = try await connection.query(
            "DELETE FROM \(unescaped: s).\(unescaped: kind.table) WHERE id = \(id) RETURNING 1", logger: logger)
        var deleted = false
        for try await _ in rows { deleted = true }
        if deleted {
            if kind == .team {
                try await connection.query("DELETE FROM \(unescaped: s).team_rotation WHERE team_id = \(id)", logger: logger)
            }
            try await bumpVersion(on: connection)
        }
        return deleted
    }

    /// Whether a record exists.
    public func exists(_ kind: ConfigKind, id: String, on connection: PostgresConnection) async throws -> Bool {
        try await version(of: kind, id: id, on: connection) != nil
    }

    /// Sets a member's online flag; returns the new version, nil when there is no such member.
    public func setOnline(memberId: String, online: Bool, on connection: PostgresConnection) async throws -> Int? {
        let rows = try await connection.query(
            """
            UPDATE \(unescaped: s).members SET body = jsonb_set(body, '{online}', to_jsonb(\(online))),
                version = version + 1, updated_at = now()
            WHERE id = \(memberId) RETURNING version
            """,
            logger: logger)
        var version: Int?
        for try await value in rows.decode(Int.self) { version = value }
        if version != nil { try await bumpVersion(on: connection) }
        return version
    }

    // MARK: Postal points

    /// Adds or replaces postal-code coordinates; returns how many.
    public func putPostalPoints(_ points: [PostalPoint], on connection: PostgresConnection) async throws -> Int {
        guard !points.isEmpty else { return 0 }
        let countries = points.map { $0.country.uppercased() }
        let codes = points.map { LeadFacts.normalizedPostalCode($0.postalCode) }
        let latitudes = points.map(\.latitude)
        let longitudes = points.map(\.longitude)
        try await connection.query(
            """
            INSERT INTO \(unescaped: s).postal_points (country, postal_code, latitude, longitude)
            SELECT * FROM unnest(\(countries)::text[], \(codes)::text[], \(latitudes)::float8[], \(longitudes)::float8[])
            ON CONFLICT (country, postal_code) DO UPDATE SET latitude = EXCLUDED.latitude, longitude = EXCLUDED.longitude
            """,
            logger: logger)
        return points.count
    }

    /// The coordinates of a postal code: the exact code in the country, else any country's.
    public func postalPoint(code: String, country: String?, on connection: PostgresConnection) async throws -> GeoPoint? {
        let rows = try await connection.query(
            """
            SELECT latitude, longitude FROM \(unescaped: s).postal_points
            WHERE postal_code = \(code) ORDER BY (country = \(country ?? "")) DESC, country LIMIT 1
            """,
            logger: logger)
        for try await (latitude, longitude) in rows.decode((Double, Double).self) {
            return GeoPoint(latitude: latitude, longitude: longitude)
        }
        return nil
    }

    private func bumpVersion(on connection: PostgresConnection) async throws {
        try await connection.query(
            "UPDATE \(unescaped: s).settings SET config_version = config_version + 1 WHERE id = 1", logger: logger)
    }

    static func json(_ value: some Encodable) throws -> String {
        String(decoding: try LeadflowJSON.encode(value), as: UTF8.self)
    }
}

/// The kinds of configuration records.
public enum ConfigKind: String, Sendable, Hashable {
    case location, team, member

    var table: String {
        switch self {
        case .location: "locations"
        case .team: "teams"
        case .member: "members"
        }
    }

    /// The column holding the record's parent (locations have none).
    var referenceColumn: String? {
        switch self {
        case .location: nil
        case .team: "location_id"
        case .member: "team_id"
        }
    }
}

/// The coordinates of a postal code, for distance-based territory.
public struct PostalPoint: Hashable, Sendable, Codable {
    /// ISO country code.
    public var country: String
    /// The postal code.
    public var postalCode: String
    /// Latitude.
    public var latitude: Double
    /// Longitude.
    public var longitude: Double
}
