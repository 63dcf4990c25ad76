import Foundation
import Logging
import NIOCore
import PostgresNIO

/// An event waiting in the outbox: what the relay will hand to Kafka.
public struct OutboxRecord: Sendable, Hashable {
    /// Row id; 0 until stored. Ascending ids are the publication order.
    public var id: Int64
    /// Destination topic.
    public var topic: String
    /// Message key (the lead id, so a lead's events stay ordered).
    public var key: String?
    /// Message body.
    public var payload: [UInt8]
    /// Message headers (CloudEvents attributes and trace context), in order.
    public var headers: [(key: String, value: String)]

    /// Creates a record to enqueue.
    public init(id: Int64 = 0, topic: String, key: String?, payload: [UInt8], headers: [(key: String, value: String)]) {
        self.id = id
        self.topic = topic
        self.key = key
        self.payload = payload
        self.headers = headers
    }

    public static func == (lhs: OutboxRecord, rhs: OutboxRecord) -> Bool {
        lhs.id == rhs.id && lhs.topic == rhs.topic && lhs.key == rhs.key && lhs.payload == rhs.payload
            && lhs.headers.map(\.key) == rhs.headers.map(\.key) && lhs.headers.map(\.value) == rhs.headers.map(\.value)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(id)
        hasher.combine(topic)
        hasher.combine(key)
        hasher.combine(payload)
    }
}

/// The transactional outbox of one service schema.
public struct Outbox: Sendable {
    /// The schema holding the `outbox` table.
    public let schema: SQLIdentifier

    /// Creates the outbox of `schema`.
    public init(schema: SQLIdentifier) {
        self.schema = schema
    }

    /// Adds records on `connection`, inside the caller's transaction (one statement for the whole batch).
    public func enqueue(_ records: [OutboxRecord], on connection: PostgresConnection, logger: Logger) async throws {
        guard !records.isEmpty else { return }
        // One statement for the whole batch: five array binds, whatever the number of rows.
        let topics = records.map(\.topic)
        let keys = records.map { $0.key ?? "" }
        let payloads = records.map { ByteBuffer(bytes: $0.payload) }
        let headers = try records.map { try Self.encodeHeaders($0.headers) }
        try await connection.query(
            """
            INSERT INTO \(unescaped: schema.name).outbox (topic, message_key, payload, headers)
            SELECT t, NULLIF(k, ''), p, h::jsonb
            FROM unnest(\(topics)::text[], \(keys)::text[], \(payloads)::bytea[], \(headers)::text[])
                 WITH ORDINALITY AS r(t, k, p, h, n)
            ORDER BY n
            """,
            logger: logger
        )
    }

    /// Headers are kept as a JSON array of `[key, value]` pairs, preserving order and duplicates.
    static func encodeHeaders(_ headers: [(key: String, value: String)]) throws -> String {
        let pairs = headers.map { [$0.key, $0.value] }
        return String(decoding: try JSONEncoder().encode(pairs), as: UTF8.self)
    }

    static func decodeHeaders(_ json: String) throws -> [(key: String, value: String)] {
        let pairs = try JSONDecoder().decode([[String]].self, from: Data(json.utf8))
        return pairs.compactMap { $0.count == 2 ? (key: $0[0], value: $0[1]) : nil }
    }

    /// Number of records not yet published (the outbox backlog metric).
    public func backlog(client: PostgresClient, logger: Logger) async throws -> Int {
        let rows = try await client.query(
            "SELECT count(*)::bigint FROM \(unescaped: schema.name).outbox WHERE published_at IS NULL",
            logger: logger
        )
        for try await count in rows.decode(Int64.self) { return Int(count) }
        return 0
    }
}
