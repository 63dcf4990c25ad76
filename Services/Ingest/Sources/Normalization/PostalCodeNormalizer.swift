/// Writes postal codes in their country's canonical form (US ZIP / ZIP+4, Canadian `A1A 1A1`,
/// UK outward + inward code) and upper-cases the rest.
public enum PostalCodeNormalizer {
    /// The canonical code, or `nil` when it cannot be a postal code of `country`.
    public static func normalize(_ raw: String, country: String?) -> String? {
        let text = raw.trimmingWhitespace.uppercased().collapsingWhitespace
        guard !text.isEmpty, text.count <= 12,
              text.allSatisfy({ $0.isASCIIDigitCharacter || ("A"..."Z").contains($0) || $0 == " " || $0 == "-" })
        else { return nil }
        let compact = text.filter { $0 != " " && $0 != "-" }
        switch (country ?? "").uppercased() {
        case "US", "USA", "PR":
            guard compact.allSatisfy(\.isASCIIDigitCharacter) else { return nil }
            switch compact.count {
            // Spreadsheets drop the leading zeros of New England ZIP codes (02134 → 2134).
            case 3, 4: return String(repeating: "0", count: 5 - compact.count) + compact
            case 5: return compact
            case 9: return "\(compact.prefix(5))-\(compact.suffix(4))"
            default: return nil
            }
        case "CA", "CAN":
            let chars = Array(compact)
            guard chars.count == 6 else { return nil }
            for (index, char) in chars.enumerated() where (index % 2 == 0) != char.isLetter { return nil }
            return "\(compact.prefix(3)) \(compact.suffix(3))"
        case "GB", "UK":
            guard (5...7).contains(compact.count) else { return nil }
            return "\(compact.dropLast(3)) \(compact.suffix(3))"
        default:
            return text
        }
    }
}
