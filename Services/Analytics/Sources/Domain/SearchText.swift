import Foundation
import LeadModel

/// Full-text search over names, e-mail addresses and phone numbers without a language
/// dictionary: analytics computes the lexemes itself (stored as a `tsvector` built with
/// `array_to_tsvector`) and turns a search string into a prefix `tsquery` of sanitized
/// lexemes, so nothing a user types is ever parsed as query syntax or SQL.
public enum SearchText {
    /// The lexemes a lead is found by.
    public static func lexemes(for lead: Lead) -> [String] {
        var result: Set<String> = []
        for part in [lead.fullName.first, lead.fullName.middle, lead.fullName.last].compactMap({ $0 }) {
            for word in part.split(whereSeparator: { $0.isWhitespace || $0 == "-" }) {
                let token = wordToken(String(word))
                if !token.isEmpty { result.insert(token) }
            }
        }
        for email in lead.contacts.emails {
            let address = emailToken(email.address)
            guard !address.isEmpty else { continue }
            result.insert(address)
            let parts = address.split(separator: "@", maxSplits: 1).map(String.init)
            if let local = parts.first {
                result.insert(local)
                for piece in local.split(whereSeparator: { ".-_+".contains($0) }) { result.insert(String(piece)) }
            }
            if parts.count == 2 { result.insert(parts[1]) }
        }
        for phone in lead.contacts.phones {
            for number in [phone.e164, phone.raw].compactMap({ $0 }) {
                let digits = number.filter(\.isASCIIDigit)
                guard digits.count >= 3 else { continue }
                result.insert(digits)
                for length in [4, 7, 10] where digits.count > length {
                    result.insert(String(digits.suffix(length)))
                }
            }
        }
        return result.sorted()
    }

    /// A `tsquery` (every token must match, each as a prefix) for what a user typed, or `nil`
    /// when nothing searchable is left.
    ///
    /// Phone-like input (digits, spaces, `+ ( ) . -`) becomes one digits-only token; other input
    /// is split on whitespace, and each token keeps only letters and digits (plus `@ . _ + -`
    /// inside e-mail addresses and domains). Quotes, backslashes and tsquery operators never survive, so
    /// the result is always a well-formed query.
    public static func query(_ input: String) -> String? {
        let trimmed = input.trimmingCharacters(in: .whitespacesAndNewlines)
        let phoneCharacters = Set("+()-. 0123456789")
        var tokens: [String]
        if trimmed.contains(where: \.isASCIIDigit), trimmed.allSatisfy({ phoneCharacters.contains($0) }) {
            tokens = [trimmed.filter(\.isASCIIDigit)]
        } else {
            tokens = trimmed.split(whereSeparator: \.isWhitespace).map { word in
                word.contains("@") || word.dropFirst().dropLast().contains(".") ? emailToken(String(word)) : wordToken(String(word))
            }
        }
        tokens = tokens.filter { !$0.isEmpty }.prefix(8).map { String($0.prefix(100)) }
        guard !tokens.isEmpty else { return nil }
        return tokens.map { "'\($0)':*" }.joined(separator: " & ")
    }

    /// Lower-cased letters and digits only.
    static func wordToken(_ word: String) -> String {
        String(word.lowercased().unicodeScalars.filter { CharacterSet.alphanumerics.contains($0) }.map(Character.init))
    }

    /// A lower-cased e-mail address keeping only letters, digits and `@ . _ + -`.
    static func emailToken(_ address: String) -> String {
        let allowed = Set("@._+-")
        return String(address.lowercased().filter { $0.isLetter || $0.isNumber || allowed.contains($0) }
            .filter { $0 != "'" && $0 != "\\" })
    }
}

extension Character {
    /// `0`…`9`.
    var isASCIIDigit: Bool { isASCII && isNumber }
}
