import Foundation

extension StringProtocol {
    /// The text without leading and trailing whitespace and newlines (Unicode-aware).
    var trimmingWhitespace: String {
        trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs of whitespace (including newlines) collapsed to one space, and trimmed.
    var collapsingWhitespace: String {
        split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }
}

/// How free text is cleaned before it is stored: Unicode NFC, trimmed, and refused when it holds
/// control characters (a NUL byte cannot even be stored in PostgreSQL text). Free text is data:
/// nothing in it is ever interpreted (no markup, no templates, no SQL).
enum TextRules {
    /// Whether `text` contains a control character other than tab, line feed and carriage return
    /// (or, with `singleLine`, any control character at all).
    static func hasForbiddenControl(_ text: String, singleLine: Bool) -> Bool {
        text.unicodeScalars.contains { scalar in
            switch scalar.value {
            case 0x09, 0x0A, 0x0D: return singleLine && scalar.value != 0x09
            case 0x00..<0x20, 0x7F, 0x80..<0xA0: return true
            case 0x2028, 0x2029: return singleLine
            default: return false
            }
        }
    }

    /// NFC-normalized and trimmed; single-line text also has its whitespace collapsed.
    static func clean(_ text: String, singleLine: Bool) -> String {
        let normalized = text.precomposedStringWithCanonicalMapping
        return singleLine ? normalized.collapsingWhitespace : normalized.trimmingWhitespace
    }
}
