import Foundation
import PostgresNIO

/// Builds a statement whose shape depends on the request (optional filters) while every value
/// still travels as a bind parameter, never as SQL text.
struct SQLBuilder {
    private(set) var sql = ""
    private var binds = PostgresBindings()
    private var count = 0

    /// Appends trusted SQL text.
    mutating func append(_ text: String) {
        sql += text
    }

    /// Adds a bind parameter and returns its placeholder (`$3`).
    mutating func bind<Value: PostgresDynamicTypeEncodable>(_ value: Value) -> String {
        binds.append(value)
        count += 1
        return "$\(count)"
    }

    /// Adds a bind parameter that may throw while encoding.
    mutating func bindThrowing<Value: PostgresThrowingDynamicTypeEncodable>(_ value: Value) throws -> String {
        try binds.append(value)
        count += 1
        return "$\(count)"
    }

    /// The statement.
    var query: PostgresQuery { PostgresQuery(unsafeSQL: sql, binds: binds) }
}

/// Text as PostgreSQL stores it: NUL characters, which `text` and `jsonb` refuse, replaced.
enum PostgresText {
    /// `text` without NUL characters.
    static func clean(_ text: String) -> String {
        text.contains("\u{0}") ? text.replacingOccurrences(of: "\u{0}", with: "\u{FFFD}") : text
    }

    /// JSON text without `\u0000` escapes (`jsonb` refuses them).
    static func cleanJSON(_ json: String) -> String {
        json.contains("\\u0000") ? json.replacingOccurrences(of: "\\u0000", with: "\\ufffd") : json
    }
}
