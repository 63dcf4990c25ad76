import Foundation
import LeadModel

/// One cell of a report.
public enum ReportValue: Hashable, Sendable {
    case text(String)
    case integer(Int)
    case number(Double)
    /// An exact amount, written as a decimal string in JSON and CSV.
    case decimal(Decimal)
    case date(Date)
    case bool(Bool)
    case null

    /// `number` for a value, `null` for `nil`.
    static func number(_ value: Double?) -> ReportValue { value.map(ReportValue.number) ?? .null }
    /// `text` for a value, `null` for `nil`.
    static func text(_ value: String?) -> ReportValue { value.map(ReportValue.text) ?? .null }
    /// `date` for a value, `null` for `nil`.
    static func date(_ value: Date?) -> ReportValue { value.map(ReportValue.date) ?? .null }
    /// `integer` for a value, `null` for `nil`.
    static func integer(_ value: Int?) -> ReportValue { value.map(ReportValue.integer) ?? .null }
}

extension ReportValue: Encodable {
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .text(let value): try container.encode(value)
        case .integer(let value): try container.encode(value)
        case .number(let value): try container.encode(value.isFinite ? value : 0)
        case .decimal(let value): try container.encode(value.description)
        case .date(let value): try container.encode(LeadflowJSON.formatDate(value))
        case .bool(let value): try container.encode(value)
        case .null: try container.encodeNil()
        }
    }
}

/// A named table of a report: columns and rows of cells.
public struct ReportTable: Hashable, Sendable {
    /// The table's name (`groups`, `summary`, `stages`…).
    public var name: String
    /// Column names (camelCase, also the JSON keys).
    public var columns: [String]
    /// Rows, each with one cell per column.
    public var rows: [[ReportValue]]

    /// Creates a table.
    public init(name: String, columns: [String], rows: [[ReportValue]] = []) {
        self.name = name
        self.columns = columns
        self.rows = rows
    }

    /// The cell of `column` in `row`.
    public func value(_ column: String, row: Int) -> ReportValue? {
        guard let index = columns.firstIndex(of: column), rows.indices.contains(row) else { return nil }
        return rows[row][index]
    }
}

/// A computed report: what was asked and its tables.
public struct ReportDocument: Sendable {
    /// The report's name (`conversion`, `funnel`…).
    public var report: String
    /// Start of the period (inclusive), by lead creation time.
    public var from: Date
    /// End of the period (exclusive).
    public var to: Date
    /// The grouping, if the report is grouped.
    public var groupBy: String?
    /// When it was computed.
    public var generatedAt: Date
    /// Its tables; the first is the primary one (the CSV default).
    public var tables: [ReportTable]

    /// Creates a document.
    public init(report: String, from: Date, to: Date, groupBy: String?, generatedAt: Date, tables: [ReportTable]) {
        self.report = report
        self.from = from
        self.to = to
        self.groupBy = groupBy
        self.generatedAt = generatedAt
        self.tables = tables
    }

    /// The table called `name`.
    public func table(_ name: String) -> ReportTable? { tables.first { $0.name == name } }
}

extension ReportDocument: Encodable {
    private enum CodingKeys: String, CodingKey {
        case report, from, to, groupBy, generatedAt, tables
    }

    private struct Row: Encodable {
        let columns: [String]
        let values: [ReportValue]

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: AnyKey.self)
            for (column, value) in zip(columns, values) {
                try container.encode(value, forKey: AnyKey(column))
            }
        }
    }

    private struct Tables: Encodable {
        let tables: [ReportTable]

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: AnyKey.self)
            for table in tables {
                try container.encode(table.rows.map { Row(columns: table.columns, values: $0) }, forKey: AnyKey(table.name))
            }
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(report, forKey: .report)
        try container.encode(LeadflowJSON.formatDate(from), forKey: .from)
        try container.encode(LeadflowJSON.formatDate(to), forKey: .to)
        try container.encodeIfPresent(groupBy, forKey: .groupBy)
        try container.encode(LeadflowJSON.formatDate(generatedAt), forKey: .generatedAt)
        try container.encode(Tables(tables: tables), forKey: .tables)
    }
}

/// A coding key made from any string.
struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ string: String) { stringValue = string }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
