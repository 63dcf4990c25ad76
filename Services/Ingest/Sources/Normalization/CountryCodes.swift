import Foundation
import LeadModel

/// Country names and codes as senders write them, to ISO 3166-1 alpha-2.
enum CountryCodes {
    static let names: [String: String] = [
        "USA": "US", "UNITED STATES": "US", "UNITED STATES OF AMERICA": "US", "U.S.": "US", "U.S.A.": "US",
        "CAN": "CA", "CANADA": "CA", "GBR": "GB", "UK": "GB", "UNITED KINGDOM": "GB", "GREAT BRITAIN": "GB",
        "ENGLAND": "GB", "DEU": "DE", "GERMANY": "DE", "DEUTSCHLAND": "DE", "FRA": "FR", "FRANCE": "FR",
        "ESP": "ES", "SPAIN": "ES", "ITA": "IT", "ITALY": "IT", "NLD": "NL", "NETHERLANDS": "NL",
        "BEL": "BE", "BELGIUM": "BE", "CHE": "CH", "SWITZERLAND": "CH", "AUT": "AT", "AUSTRIA": "AT",
        "IRL": "IE", "IRELAND": "IE", "AUS": "AU", "AUSTRALIA": "AU", "NZL": "NZ", "NEW ZEALAND": "NZ",
        "MEX": "MX", "MEXICO": "MX", "BRA": "BR", "BRAZIL": "BR", "IND": "IN", "INDIA": "IN",
        "JPN": "JP", "JAPAN": "JP", "CHN": "CN", "CHINA": "CN", "SWE": "SE", "SWEDEN": "SE",
        "NOR": "NO", "NORWAY": "NO", "DNK": "DK", "DENMARK": "DK", "FIN": "FI", "FINLAND": "FI",
        "POL": "PL", "POLAND": "PL", "PRT": "PT", "PORTUGAL": "PT", "ZAF": "ZA", "SOUTH AFRICA": "ZA",
        "PRI": "PR", "PUERTO RICO": "PR",
    ]

    /// The alpha-2 code for `text`, or `nil` when it names no country Leadflow knows.
    static func alpha2(_ text: String) -> String? {
        let key = text.uppercased().trimmingWhitespace
        if key.count == 2, key.allSatisfy({ ("A"..."Z").contains($0) }) {
            return Locale.Region(key).isISORegion ? key : nil
        }
        return names[key]
    }
}

/// Body styles and model names to the vehicle types routing specializes on.
enum VehicleTypes {
    static func classify(bodyStyle: String?, model: String?) -> String? {
        let style = (bodyStyle ?? "").lowercased()
        let name = (model ?? "").lowercased()
        let words = Set(name.split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init))
        let evModel = words.contains { $0.count <= 4 && $0.hasPrefix("ev") && $0.dropFirst(2).allSatisfy(\.isNumber) }
        if evModel || words.contains("electric") || name.contains("e-tron") || name.contains("ioniq") || name.contains("mach-e") {
            return "ev"
        }
        let table: [(String, String)] = [
            ("suv", "suv"), ("sport utility", "suv"), ("crossover", "suv"), ("pickup", "truck"), ("truck", "truck"),
            ("minivan", "van"), ("van", "van"), ("sedan", "sedan"), ("saloon", "sedan"), ("coupe", "coupe"),
            ("convertible", "convertible"), ("cabrio", "convertible"), ("hatch", "hatchback"), ("wagon", "wagon"),
            ("estate", "wagon"), ("motorcycle", "motorcycle"),
        ]
        for (needle, type) in table where style.contains(needle) { return type }
        if words.contains("hybrid") { return "hybrid" }
        return style.isEmpty ? nil : style.filter { $0.isLetter || $0 == " " }.collapsingWhitespace.replacingOccurrences(of: " ", with: "_")
    }
}

/// A purchase timeframe's words or dates to a coarse bucket.
enum TimeframeClassifier {
    static func bucket(description: String?, earliest: Date?, latest: Date?, reference: Date) -> Timeframe.Bucket {
        if let latest {
            let days = latest.timeIntervalSince(reference) / 86_400
            switch days {
            case ..<2: return .immediate
            case ..<8: return .withinWeek
            case ..<32: return .withinMonth
            case ..<93: return .within3Months
            default: return .later
            }
        }
        guard let text = description?.lowercased() else { return .unknown }
        let words = Set(text.split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init))
        let number = text.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }.last
        if !words.isDisjoint(with: ["immediate", "immediately", "asap", "today", "now", "urgent"]) {
            return .immediate
        }
        if text.contains("week") {
            return (number ?? 1) <= 1 || text.contains("this week") ? .withinWeek : ((number ?? 1) <= 4 ? .withinMonth : .within3Months)
        }
        if text.contains("month") {
            let months = number ?? 1
            return months <= 1 ? .withinMonth : (months <= 3 ? .within3Months : .later)
        }
        if text.contains("year") || text.contains("later") || text.contains("browsing") || text.contains("not sure") {
            return .later
        }
        if text.contains("day") { return (number ?? 1) <= 7 ? .withinWeek : .withinMonth }
        return .unknown
    }
}
