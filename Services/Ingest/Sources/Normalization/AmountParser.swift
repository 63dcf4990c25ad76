import Foundation
import LeadModel

/// Reads money as people and feeds write it — `$51,995.00`, `51995`, `EUR 1.234,50`,
/// `17 500 €` — into an exact ``Money`` with an ISO 4217 currency.
public struct AmountParser: Sendable {
    /// The currency of amounts that name none (and of a bare `$`).
    public var defaultCurrency: String

    /// Creates a parser.
    public init(defaultCurrency: String = "USD") {
        self.defaultCurrency = defaultCurrency.uppercased()
    }

    /// Why a text is not an amount.
    public enum Failure: Error, Sendable, Hashable {
        case notAnAmount
        case negative
        case invalidCurrency
    }

    static let symbols: [Character: String] = ["€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR", "₩": "KRW", "₺": "TRY", "₽": "RUB"]

    /// Whether `code` is three ASCII letters (an ISO 4217 shape).
    public static func isCurrencyCode(_ code: String) -> Bool {
        code.count == 3 && code.allSatisfy { ("A"..."Z").contains($0) }
    }

    /// Parses `raw`; `currency` (e.g. an ADF `currency` attribute) wins over symbols in the text.
    public func parse(_ raw: String, currency: String? = nil) throws(Failure) -> Money {
        var text = raw.trimmingWhitespace.uppercased()
        var found: String?
        if let given = currency?.trimmingWhitespace.uppercased(), !given.isEmpty {
            guard Self.isCurrencyCode(given) else { throw .invalidCurrency }
            found = given
        }
        // A leading or trailing ISO code ("USD 500", "500 EUR").
        let letters = text.filter(\.isLetter)
        if !letters.isEmpty {
            guard letters.count == 3, Self.isCurrencyCode(letters),
                  text.hasPrefix(letters) || text.hasSuffix(letters) else { throw .notAnAmount }
            found = found ?? letters
            text = text.replacingOccurrences(of: letters, with: "")
        }
        for (symbol, code) in Self.symbols where text.contains(symbol) {
            found = found ?? code
            text.removeAll { $0 == symbol }
        }
        if text.contains("$") {
            text.removeAll { $0 == "$" }
        }
        text = text.filter { !$0.isWhitespace && $0 != "'" && $0 != "\u{00A0}" && $0 != "\u{202F}" }
        var negative = false
        if text.hasPrefix("-") {
            negative = true
            text.removeFirst()
        }
        guard let decimal = Self.decimalText(text), let amount = Decimal(string: decimal, locale: Locale(identifier: "en_US_POSIX"))
        else { throw .notAnAmount }
        if negative, amount != 0 { throw .negative }
        return Money(amount: amount, currency: found ?? defaultCurrency)
    }

    /// `1,234.50` / `1.234,50` / `1234` → `1234.50` / `1234.50` / `1234`; `nil` when malformed.
    static func decimalText(_ text: String) -> String? {
        guard !text.isEmpty, text.allSatisfy({ $0.isASCIIDigitCharacter || $0 == "," || $0 == "." }),
              text.first!.isASCIIDigitCharacter || text.first == "."
        else { return nil }
        let lastDot = text.lastIndex(of: ".")
        let lastComma = text.lastIndex(of: ",")
        var decimalSeparator: Character?
        switch (lastDot, lastComma) {
        case (.some(let dot), .some(let comma)):
            decimalSeparator = dot > comma ? "." : ","
        case (.some, nil):
            // "1.234.567" groups thousands; a single dot is a decimal point.
            decimalSeparator = text.filter { $0 == "." }.count > 1 ? nil : "."
        case (nil, .some):
            let groups = text.split(separator: ",", omittingEmptySubsequences: false)
            decimalSeparator = (groups.count == 2 && groups[1].count != 3) ? "," : nil
        case (nil, nil):
            decimalSeparator = nil
        }
        var integer = text
        var fraction = ""
        if let separator = decimalSeparator, let index = text.lastIndex(of: separator) {
            integer = String(text[..<index])
            fraction = String(text[text.index(after: index)...])
            guard !fraction.isEmpty, fraction.allSatisfy(\.isASCIIDigitCharacter) else { return nil }
        }
        let groupSeparator: Character? = decimalSeparator == "." ? "," : (decimalSeparator == "," ? "." : (integer.contains(",") ? "," : "."))
        if let groupSeparator, integer.contains(groupSeparator) {
            guard looksGrouped(integer, separator: groupSeparator) else { return nil }
            integer.removeAll { $0 == groupSeparator }
        }
        if integer.isEmpty { integer = "0" }
        guard integer.allSatisfy(\.isASCIIDigitCharacter), integer.count <= 15, fraction.count <= 6 else { return nil }
        return fraction.isEmpty ? integer : "\(integer).\(fraction)"
    }

    /// Whether `text` is digit groups of three after a first group of one to three digits.
    static func looksGrouped(_ text: String, separator: Character) -> Bool {
        let groups = text.split(separator: separator, omittingEmptySubsequences: false)
        guard let first = groups.first, (1...3).contains(first.count) else { return false }
        return groups.dropFirst().allSatisfy { $0.count == 3 }
    }
}
