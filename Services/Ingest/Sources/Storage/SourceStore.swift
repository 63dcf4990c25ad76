import Foundation
import LeadModel
import Logging
import PostgresNIO

/// A configured lead source: what API keys, imports and feeds submit for.
public struct SourceRecord: Sendable, Hashable, Codable {
    public var id: String
    public var name: String
    public var channel: IntakeChannel
    public var partner: String?
    /// Requests a minute this source may make (nil: the service default).
    public var rateLimitPerMinute: Int?
    public var createdAt: Date
    public var disabledAt: Date?
}

/// An API key's record (never its secret).
public struct APIKeyRecord: Sendable, Hashable, Codable {
    public var keyId: String
    public var sourceId: String
    public var label: String?
    public var createdAt: Date
    /// When a rotated-out key stops working.
    public var expiresAt: Date?
    public var revokedAt: Date?

    /// Whether the key works at `now`.
    public func isActive(at now: Date) -> Bool {
        revokedAt == nil && (expiresAt.map { $0 > now } ?? true)
    }
}

/// What the authenticator needs to accept a key.
struct APIKeyCredential: Sendable {
    var record: APIKeyRecord
    var secretHash: [UInt8]
    var sourceDisabled: Bool
    var rateLimitPerMinute: Int?
}

/// The `sources` and `api_keys` tables.
struct SourceStore: Sendable {
    let client: PostgresClient
    let logger: Logger

    func create(_ source: SourceRecord) async throws -> Bool {
        let rows = try await client.query(
            """
            INSERT INTO ingest.sources (id, name, channel, partner, rate_limit_per_minute, created_at)
            VALUES (\(source.id), \(source.name), \(source.channel.rawValue), \(source.partner), \(source.rateLimitPerMinute), \(source.createdAt))
            ON CONFLICT DO NOTHING RETURNING 1
            """, logger: logger)
        for try await _ in rows { return true }
        return false
    }

    func all() async throws -> [SourceRecord] {
        try await select("ORDER BY id")
    }

    func find(_ id: String) async throws -> SourceRecord? {
        try await select("WHERE id = $1", bind: id).first
    }

    private func select(_ clause: String, bind: String? = nil) async throws -> [SourceRecord] {
        var query = PostgresQuery(unsafeSQL: """
            SELECT id, name, channel, partner, rate_limit_per_minute, created_at, disabled_at FROM ingest.sources \(clause)
            """)
        if let bind { query.binds.append(bind) }
        let rows = try await client.query(query, logger: logger)
        var result: [SourceRecord] = []
        for try await (id, name, channel, partner, rate, created, disabled) in rows.decode((String, String, String, String?, Int?, Date, Date?).self) {
            result.append(SourceRecord(
                id: id, name: name, channel: IntakeChannel(rawValue: channel) ?? .json, partner: partner,
                rateLimitPerMinute: rate, createdAt: created, disabledAt: disabled))
        }
        return result
    }

    func disable(_ id: String, now: Date) async throws -> Bool {
        let rows = try await client.query(
            "UPDATE ingest.sources SET disabled_at = coalesce(disabled_at, \(now)) WHERE id = \(id) RETURNING 1", logger: logger)
        for try await _ in rows { return true }
        return false
    }

    // MARK: Keys

    func addKey(_ key: APIKey, sourceId: String, label: String?, expiresAt: Date?, now: Date) async throws -> APIKeyRecord {
        try await client.query(
            """
            INSERT INTO ingest.api_keys (key_id, source_id, secret_hash, label, created_at, expires_at)
            VALUES (\(key.keyId), \(sourceId), \(Data(key.hash)), \(label), \(now), \(expiresAt))
            """, logger: logger)
        return APIKeyRecord(keyId: key.keyId, sourceId: sourceId, label: label, createdAt: now, expiresAt: expiresAt)
    }

    /// Adds `key` and lets every other active key of the source expire after `grace`.
    func rotate(to key: APIKey, sourceId: String, label: String?, grace: TimeInterval, now: Date) async throws -> APIKeyRecord {
        let logger = self.logger
        return try await client.withTransaction(logger: logger) { connection in
            let expiry = now.addingTimeInterval(grace)
            try await connection.query(
                """
                UPDATE ingest.api_keys SET expires_at = \(expiry)
                WHERE source_id = \(sourceId) AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > \(expiry))
                """, logger: logger)
            try await connection.query(
                """
                INSERT INTO ingest.api_keys (key_id, source_id, secret_hash, label, created_at)
                VALUES (\(key.keyId), \(sourceId), \(Data(key.hash)), \(label), \(now))
                """, logger: logger)
            return APIKeyRecord(keyId: key.keyId, sourceId: sourceId, label: label, createdAt: now)
        }
    }

    func keys(of sourceId: String) async throws -> [APIKeyRecord] {
        let rows = try await client.query(
            """
            SELECT key_id, source_id, label, created_at, expires_at, revoked_at FROM ingest.api_keys
            WHERE source_id = \(sourceId) ORDER BY created_at, key_id
            """, logger: logger)
        var result: [APIKeyRecord] = []
        for try await (id, source, label, created, expires, revoked) in rows.decode((String, String, String?, Date, Date?, Date?).self) {
            result.append(APIKeyRecord(keyId: id, sourceId: source, label: label, createdAt: created, expiresAt: expires, revokedAt: revoked))
        }
        return result
    }

    func revoke(keyId: String, sourceId: String, now: Date) async throws -> Bool {
        let rows = try await client.query(
            """
            UPDATE ingest.api_keys SET revoked_at = coalesce(revoked_at, \(now))
            WHERE key_id = \(keyId) AND source_id = \(sourceId) RETURNING 1
            """, logger: logger)
        for try await _ in rows { return true }
        return false
    }

    func credential(keyId: String) async throws -> APIKeyCredential? {
        let rows = try await client.query(
            """
            SELECT k.key_id, k.source_id, k.label, k.created_at, k.expires_at, k.revoked_at, k.secret_hash,
                   s.disabled_at IS NOT NULL, s.rate_limit_per_minute
            FROM ingest.api_keys k JOIN ingest.sources s ON s.id = k.source_id WHERE k.key_id = \(keyId)
            """, logger: logger)
        for try await (id, source, label, created, expires, revoked, hash, disabled, rate)
            in rows.decode((String, String, String?, Date, Date?, Date?, Data, Bool, Int?).self) {
            return APIKeyCredential(
                record: APIKeyRecord(keyId: id, sourceId: source, label: label, createdAt: created, expiresAt: expires, revokedAt: revoked),
                secretHash: Array(hash), sourceDisabled: disabled, rateLimitPerMinute: rate)
        }
        return nil
    }
}
