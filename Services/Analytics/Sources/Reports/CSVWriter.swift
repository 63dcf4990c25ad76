import Foundation
import LeadModel

/// Writes report tables as CSV (RFC 4180) that spreadsheets open safely.
///
/// Formula injection: a text cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return
/// would be evaluated by Excel, LibreOffice or Google Sheets; such cells get a leading `'`,
/// which makes them plain text. Number cells are written by analytics itself as plain
/// numbers (digits, one `.`, maybe a leading `-`), which spreadsheets read as numbers.
/// Cells holding a comma, quote, CR or LF are quoted, with quotes doubled.
public enum CSVWriter {
    /// The CSV text of `table`: a header row, then one line per row, CRLF line ends.
    public static func write(_ table: ReportTable) -> String {
        var lines = [table.columns.map { cell(.text($0)) }.joined(separator: ",")]
        for row in table.rows {
            lines.append(row.map(cell).joined(separator: ","))
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// One cell, neutralized and quoted as needed.
    public static func cell(_ value: ReportValue) -> String {
        switch value {
        case .text(let text): return quoted(neutralized(text))
        case .integer(let value): return String(value)
        case .number(let value): return value.isFinite ? plainNumber(value) : ""
        case .decimal(let value): return value.description
        case .date(let value): return LeadflowJSON.formatDate(value)
        case .bool(let value): return value ? "true" : "false"
        case .null: return ""
        }
    }

    /// `text` with a leading `'` when a spreadsheet would read it as a formula.
    public static func neutralized(_ text: String) -> String {
        guard let first = text.unicodeScalars.first else { return text }
        let dangerous: Set<Unicode.Scalar> = ["=", "+", "-", "@", "\t", "\r", "\u{FF1D}", "\u{FF0B}", "\u{FF0D}", "\u{FF20}"]
        return dangerous.contains(first) ? "'" + text : text
    }

    private static func quoted(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// A double as plain decimal digits (never exponent notation).
    static func plainNumber(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        var text = String(format: "%.6f", value)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }
}
