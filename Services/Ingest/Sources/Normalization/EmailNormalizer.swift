/// Validates e-mail addresses and writes them in one canonical form: trimmed, `mailto:` and
/// angle brackets removed, lower-cased.
public enum EmailNormalizer {
    /// The canonical form of `raw`, or `nil` when it is not a usable address.
    public static func normalize(_ raw: String) -> String? {
        var text = raw.trimmingWhitespace
        if text.lowercased().hasPrefix("mailto:") { text = String(text.dropFirst(7)) }
        if text.hasPrefix("<"), text.hasSuffix(">") { text = String(text.dropFirst().dropLast()) }
        text = text.lowercased()
        guard text.utf8.count <= 254 else { return nil }
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        let local = parts[0]
        let domain = parts[1]
        guard isValidLocal(local), isValidDomain(domain) else { return nil }
        return text
    }

    static func isValidLocal(_ local: Substring) -> Bool {
        guard (1...64).contains(local.utf8.count), local.first != ".", local.last != ".", !local.contains("..")
        else { return false }
        let allowedSymbols: Set<Character> = ["!", "#", "$", "%", "&", "'", "*", "+", "-", "/", "=", "?", "^", "_", "`", "{", "|", "}", "~", "."]
        return local.allSatisfy { $0.isLetter || $0.isNumber || allowedSymbols.contains($0) }
    }

    static func isValidDomain(_ domain: Substring) -> Bool {
        guard (3...253).contains(domain.utf8.count) else { return false }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2 else { return false }
        for label in labels {
            guard (1...63).contains(label.utf8.count), label.first != "-", label.last != "-",
                  label.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" })
            else { return false }
        }
        let top = labels[labels.count - 1]
        return top.count >= 2 && (top.allSatisfy(\.isLetter) || top.hasPrefix("xn--"))
    }
}
