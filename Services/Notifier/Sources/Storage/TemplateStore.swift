import Foundation
import LeadModel
import Logging
import PostgresNIO

/// The editable templates (`<schema>.templates`).
struct TemplateStore: Sendable {
    let schema: String

    /// A stored template with its bookkeeping.
    struct Entry: Sendable {
        var key: TemplateKey
        var content: TemplateContent
        var version: Int
        var updatedAt: Date
        var updatedBy: String
    }

    func all(on connection: PostgresConnection, logger: Logger) async throws -> [Entry] {
        try await select("ORDER BY kind, channel", on: connection, logger: logger)
    }

    func find(_ key: TemplateKey, on connection: PostgresConnection, logger: Logger) async throws -> Entry? {
        try await select("WHERE kind = \(key.kind.rawValue) AND channel = \(key.channel.rawValue)", on: connection, logger: logger).first
    }

    /// Every template's content (stored, else the built-in default).
    func current(on connection: PostgresConnection, logger: Logger) async throws -> [TemplateKey: TemplateContent] {
        var contents: [TemplateKey: TemplateContent] = [:]
        for key in TemplateKey.all { contents[key] = DefaultTemplates.content(for: key) }
        for entry in try await all(on: connection, logger: logger) { contents[entry.key] = entry.content }
        return contents
    }

    /// Replaces a template; returns the stored entry.
    func put(_ key: TemplateKey, _ content: TemplateContent, by actor: String, on connection: PostgresConnection, logger: Logger) async throws -> Entry {
        try await connection.query(
            """
            INSERT INTO \(unescaped: schema).templates (kind, channel, subject, body_text, body_html, version, updated_at, updated_by)
            VALUES (\(key.kind.rawValue), \(key.channel.rawValue), \(content.subject), \(content.text), \(content.html), 1, now(), \(actor))
            ON CONFLICT (kind, channel) DO UPDATE SET
                subject = EXCLUDED.subject, body_text = EXCLUDED.body_text, body_html = EXCLUDED.body_html,
                version = \(unescaped: schema).templates.version + 1, updated_at = now(), updated_by = EXCLUDED.updated_by
            """,
            logger: logger)
        guard let entry = try await find(key, on: connection, logger: logger) else {
            throw StoreInconsistency(what: "template \(key) vanished after it was written")
        }
        return entry
    }

    private func select(_ clause: PostgresQuery, on connection: PostgresConnection, logger: Logger) async throws -> [Entry] {
        let query = PostgresQuery(
            unsafeSQL: "SELECT kind, channel, subject, body_text, body_html, version, updated_at, updated_by FROM \(schema).templates "
                + clause.sql,
            binds: clause.binds)
        var entries: [Entry] = []
        for try await row in try await connection.query(query, logger: logger) {
            let row = row.makeRandomAccess()
            guard let kind = NotificationKind(rawValue: try row["kind"].decode(String.self)),
                  let channel = NotificationChannel(rawValue: try row["channel"].decode(String.self)) else { continue }
            entries.append(Entry(
                key: TemplateKey(kind: kind, channel: channel),
                content: TemplateContent(
                    subject: try row["subject"].decode(String?.self), text: try row["body_text"].decode(String.self),
                    html: try row["body_html"].decode(String?.self)),
                version: try row["version"].decode(Int.self),
                updatedAt: try row["updated_at"].decode(Date.self),
                updatedBy: try row["updated_by"].decode(String.self)))
        }
        return entries
    }
}

/// The default tasks per lead category (`<schema>.default_tasks`).
struct DefaultTaskStore: Sendable {
    let schema: String

    func all(on connection: PostgresConnection, logger: Logger) async throws -> [LeadCategory: [DefaultTask]] {
        var tasks: [LeadCategory: [DefaultTask]] = [:]
        for category in LeadCategory.allCases { tasks[category] = [] }
        let rows = try await connection.query(
            "SELECT category, title, due_after_seconds FROM \(unescaped: schema).default_tasks ORDER BY category, position",
            logger: logger)
        for try await (category, title, seconds) in rows.decode((String, String, Int).self) {
            guard let category = LeadCategory(rawValue: category) else { continue }
            tasks[category, default: []].append(DefaultTask(title: title, dueAfterSeconds: seconds))
        }
        return tasks
    }

    func replace(_ category: LeadCategory, with tasks: [DefaultTask], on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query(
            "DELETE FROM \(unescaped: schema).default_tasks WHERE category = \(category.rawValue)", logger: logger)
        guard !tasks.isEmpty else { return }
        try await connection.query(
            """
            INSERT INTO \(unescaped: schema).default_tasks (category, position, title, due_after_seconds)
            SELECT \(category.rawValue), n - 1, t, s
            FROM unnest(\(tasks.map(\.title))::text[], \(tasks.map(\.dueAfterSeconds))::int[]) WITH ORDINALITY AS r(t, s, n)
            """,
            logger: logger)
    }
}

/// The database holds something the code did not expect.
struct StoreInconsistency: Error, CustomStringConvertible {
    let what: String
    var description: String { what }
}
