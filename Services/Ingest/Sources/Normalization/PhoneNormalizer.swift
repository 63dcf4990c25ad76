import Foundation

/// Normalizes phone numbers to E.164 (`+16145550142`) without an external library: the North
/// American Numbering Plan in full, and the calling codes and national number lengths of the
/// countries leads commonly come from. Numbers it cannot place keep only their raw text.
public struct PhoneNormalizer: Sendable {
    /// The country assumed for numbers written without a country code (ISO 3166-1 alpha-2).
    public var defaultRegion: String

    /// Creates a normalizer.
    public init(defaultRegion: String = "US") {
        self.defaultRegion = defaultRegion.uppercased()
    }

    /// Why a text is not a phone number at all.
    public enum Failure: Error, Sendable, Hashable {
        /// Letters or symbols that no phone number contains.
        case notAPhoneNumber
        /// Fewer than 4 or more than 15 digits.
        case wrongLength
    }

    /// A country's calling code, trunk prefix and the lengths its national numbers have.
    struct Country: Sendable {
        let callingCode: String
        let trunkPrefix: String?
        let nationalLengths: ClosedRange<Int>
    }

    /// ISO region → numbering facts. NANP regions share calling code 1.
    static let countries: [String: Country] = {
        var table: [String: Country] = [:]
        let nanp = Country(callingCode: "1", trunkPrefix: "1", nationalLengths: 10...10)
        for region in ["US", "CA", "PR", "GU", "VI", "AS", "MP", "BS", "BB", "AG", "AI", "VG", "KY", "BM", "GD",
                       "TC", "MS", "SX", "LC", "DM", "VC", "DO", "TT", "KN", "JM"] {
            table[region] = nanp
        }
        let others: [(String, String, String?, ClosedRange<Int>)] = [
            ("GB", "44", "0", 9...10), ("IE", "353", "0", 7...9), ("DE", "49", "0", 6...13),
            ("AT", "43", "0", 4...13), ("CH", "41", "0", 9...9), ("FR", "33", "0", 9...9),
            ("BE", "32", "0", 8...9), ("NL", "31", "0", 9...9), ("LU", "352", nil, 4...11),
            ("ES", "34", nil, 9...9), ("PT", "351", nil, 9...9), ("IT", "39", nil, 6...11),
            ("DK", "45", nil, 8...8), ("NO", "47", nil, 8...8), ("SE", "46", "0", 7...9),
            ("FI", "358", "0", 5...12), ("IS", "354", nil, 7...9), ("PL", "48", nil, 9...9),
            ("CZ", "420", nil, 9...9), ("SK", "421", "0", 9...9), ("HU", "36", "06", 8...9),
            ("RO", "40", "0", 9...9), ("GR", "30", nil, 10...10), ("TR", "90", "0", 10...10),
            ("RU", "7", "8", 10...10), ("UA", "380", "0", 9...9), ("IL", "972", "0", 8...9),
            ("AE", "971", "0", 8...9), ("SA", "966", "0", 8...9), ("IN", "91", "0", 10...10),
            ("PK", "92", "0", 9...10), ("CN", "86", "0", 10...11), ("HK", "852", nil, 8...8),
            ("TW", "886", "0", 8...9), ("JP", "81", "0", 9...10), ("KR", "82", "0", 8...10),
            ("SG", "65", nil, 8...8), ("MY", "60", "0", 8...10), ("PH", "63", "0", 8...10),
            ("TH", "66", "0", 8...9), ("ID", "62", "0", 8...12), ("VN", "84", "0", 9...10),
            ("AU", "61", "0", 9...9), ("NZ", "64", "0", 8...10), ("ZA", "27", "0", 9...9),
            ("NG", "234", "0", 8...10), ("KE", "254", "0", 9...9), ("EG", "20", "0", 9...10),
            ("MX", "52", nil, 10...10), ("BR", "55", "0", 10...11), ("AR", "54", "0", 10...10),
            ("CL", "56", nil, 9...9), ("CO", "57", nil, 10...10), ("PE", "51", nil, 8...9),
        ]
        for (region, code, trunk, lengths) in others {
            table[region] = Country(callingCode: code, trunkPrefix: trunk, nationalLengths: lengths)
        }
        return table
    }()

    /// Calling code → the regions using it (for numbers written with `+`/`00`).
    static let byCallingCode: [String: Country] = {
        var table: [String: Country] = [:]
        for (_, country) in countries where table[country.callingCode] == nil {
            table[country.callingCode] = country
        }
        return table
    }()

    /// The E.164 form of `raw`, or `nil` when it is a plausible number that cannot be placed
    /// (e.g. a 7-digit local number without area code).
    /// - Throws: ``Failure`` when `raw` is not a phone number at all.
    public func e164(_ raw: String) throws(Failure) -> String? {
        var text = Substring(raw.trimmingWhitespace)
        if text.lowercased().hasPrefix("tel:") { text = text.dropFirst(4) }
        // An extension ("x123", "ext. 123", "#123") is not part of the E.164 number.
        if let cut = Self.extensionStart(in: text) { text = text[..<cut] }
        var digits = ""
        var international = false
        for character in text {
            switch character {
            case "0"..."9":
                digits.append(character)
            case "+":
                guard digits.isEmpty, !international else { throw .notAPhoneNumber }
                international = true
            case " ", "-", ".", "(", ")", "/", "\u{00A0}", "\t":
                continue
            default:
                if let digit = character.wholeNumberValue, character.isNumber {
                    digits += String(digit)  // full-width and other decimal digits
                } else {
                    throw .notAPhoneNumber
                }
            }
        }
        guard (4...17).contains(digits.count) else { throw .wrongLength }
        // "(0)" inside an international number ("+44 (0)20 …") is a trunk prefix to drop.
        if international, raw.contains("(0)"), let zero = digits.firstIndex(of: "0") {
            var withoutTrunk = digits
            withoutTrunk.remove(at: zero)
            if Self.place(withoutTrunk) != nil { digits = withoutTrunk }
        }
        if !international, digits.hasPrefix("00") {
            international = true
            digits.removeFirst(2)
        } else if !international, digits.hasPrefix("011"), defaultRegionCountry?.callingCode == "1", digits.count > 11 {
            international = true
            digits.removeFirst(3)
        }
        guard digits.count <= 15 else { throw .wrongLength }
        if international {
            return Self.place(digits)
        }
        guard let country = defaultRegionCountry else { return nil }
        var national = digits
        if country.callingCode == "1", national.count == 11, national.hasPrefix("1") {
            national.removeFirst()
        } else if let trunk = country.trunkPrefix, national.hasPrefix(trunk),
                  country.nationalLengths.contains(national.count - trunk.count) {
            national.removeFirst(trunk.count)
        } else if national.hasPrefix(country.callingCode),
                  country.nationalLengths.contains(national.count - country.callingCode.count) {
            // The country code written without "+" ("44 20 7946 0958" in the UK).
            national.removeFirst(country.callingCode.count)
        }
        return Self.validNational(national, in: country) ? "+\(country.callingCode)\(national)" : nil
    }

    private var defaultRegionCountry: Country? { Self.countries[defaultRegion] }

    /// `digits` = calling code + national number, split by the longest matching calling code.
    static func place(_ digits: String) -> String? {
        for length in [1, 2, 3] where digits.count > length {
            let code = String(digits.prefix(length))
            guard let country = byCallingCode[code] else { continue }
            let national = String(digits.dropFirst(length))
            if validNational(national, in: country) { return "+\(code)\(national)" }
        }
        // An unknown calling code: accept any E.164-long number as given.
        if (8...15).contains(digits.count), digits.first != "0", byCallingCode[String(digits.prefix(1))] == nil,
           byCallingCode[String(digits.prefix(2))] == nil, byCallingCode[String(digits.prefix(3))] == nil {
            return "+\(digits)"
        }
        return nil
    }

    static func validNational(_ national: String, in country: Country) -> Bool {
        guard country.nationalLengths.contains(national.count) else { return false }
        if country.callingCode == "1" {
            // NANP: NXX-NXX-XXXX (area code and exchange do not start with 0 or 1).
            let chars = Array(national)
            return chars[0] >= "2" && chars[3] >= "2"
        }
        return national.first != "0" || country.callingCode == "39"
    }

    static func extensionStart(in text: Substring) -> Substring.Index? {
        let lower = text.lowercased()
        for marker in ["ext.", "ext", "x", "#", ";ext="] {
            if let range = lower.range(of: marker, options: .backwards) {
                let offset = lower.distance(from: lower.startIndex, to: range.lowerBound)
                let rest = lower[range.upperBound...].trimmingCharacters(in: .whitespaces)
                if !rest.isEmpty, rest.allSatisfy(\.isASCIIDigitCharacter), offset > 0 {
                    return text.index(text.startIndex, offsetBy: offset)
                }
            }
        }
        return nil
    }
}

extension Character {
    /// Whether this is `0`–`9`.
    var isASCIIDigitCharacter: Bool { ("0"..."9").contains(self) }
}
