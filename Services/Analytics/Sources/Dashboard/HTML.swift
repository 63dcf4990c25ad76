import Foundation
import LeadModel

/// Minimal, escaping HTML building for the server-rendered dashboard.
enum HTML {
    /// `text` safe inside element content and quoted attribute values.
    static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.append(character)
            }
        }
        return result
    }

    /// A cell value as display text.
    static func display(_ value: ReportValue) -> String {
        switch value {
        case .text(let text): text
        case .integer(let value): String(value)
        case .number(let value): formatNumber(value)
        case .decimal(let value): value.description
        case .date(let value): LeadflowJSON.formatDate(value)
        case .bool(let value): value ? "yes" : "no"
        case .null: "–"
        }
    }

    /// A number with at most 4 decimals (rates) and no exponent.
    static func formatNumber(_ value: Double) -> String {
        guard value.isFinite else { return "–" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        var text = String(format: "%.4f", value)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }

    /// A duration in seconds as people read it (`42 s`, `12.5 min`, `3.2 h`, `4.1 d`).
    static func duration(_ seconds: Double?) -> String {
        guard let seconds, seconds.isFinite else { return "–" }
        switch seconds {
        case ..<120: return "\(formatNumber((seconds * 10).rounded() / 10)) s"
        case ..<7200: return "\(formatNumber((seconds / 6).rounded() / 10)) min"
        case ..<172_800: return "\(formatNumber((seconds / 360).rounded() / 10)) h"
        default: return "\(formatNumber((seconds / 8640).rounded() / 10)) d"
        }
    }

    /// A rate (0…1) as a percentage.
    static func percent(_ value: ReportValue) -> String {
        guard case .number(let rate) = value else { return "–" }
        return "\(formatNumber((rate * 1000).rounded() / 10)) %"
    }

    /// A report table as an HTML table whose cells carry `data-metric="<prefix>.<row key>.<column>"`
    /// (the row key is the first column's value), so tests and scrapers read exact numbers.
    static func table(_ table: ReportTable, prefix: String, caption: String? = nil, columns: [String]? = nil,
                      format: (String, ReportValue) -> String = formatted) -> String {
        let shown = columns ?? table.columns
        var html = "<div class=\"scroll\"><table data-table=\"\(escape(prefix))\">"
        if let caption { html += "<caption>\(escape(caption))</caption>" }
        html += "<thead><tr>" + shown.map { "<th scope=\"col\">\(escape(label($0)))</th>" }.joined() + "</tr></thead><tbody>"
        for row in table.rows {
            let key = display(row.first ?? .null)
            html += "<tr>"
            for column in shown {
                guard let index = table.columns.firstIndex(of: column) else { continue }
                let value = row[index]
                let metric = "\(prefix).\(key).\(column)"
                let raw = rawValue(value)
                html += "<td data-metric=\"\(escape(metric))\" data-value=\"\(escape(raw))\">\(escape(format(column, value)))</td>"
            }
            html += "</tr>"
        }
        if table.rows.isEmpty {
            html += "<tr><td colspan=\"\(shown.count)\" class=\"empty\">No leads in this period.</td></tr>"
        }
        return html + "</tbody></table></div>"
    }

    /// The machine-readable value of a cell (what the JSON report holds).
    static func rawValue(_ value: ReportValue) -> String {
        switch value {
        case .number(let number): number.isFinite ? String(number) : ""
        case .null: ""
        case .bool(let flag): flag ? "true" : "false"
        default: display(value)
        }
    }

    /// A cell as people read it: rates as percentages, durations in s/min/h/d, the rest as is.
    static func formatted(_ column: String, _ value: ReportValue) -> String {
        if column.hasSuffix("Rate") || column.hasSuffix("FromPrevious") || column == "roi" { return percent(value) }
        if column.contains("Seconds"), case .number(let seconds) = value { return duration(seconds) }
        if case .date(let date) = value {
            return LeadflowJSON.formatDate(date).replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: ".000Z", with: "Z")
        }
        return display(value)
    }

    /// Column names that read better spelled out.
    static let labels = [
        "under1d": "< 1 day", "from1dTo3d": "1–3 days", "from3dTo7d": "3–7 days", "from7dTo30d": "7–30 days", "over30d": "> 30 days",
        "roi": "ROI", "ownerId": "Owner", "locationId": "Location", "sourceId": "Source", "nextDueAt": "Due",
        "p90Seconds": "p90", "averageSeconds": "Average", "medianSeconds": "Median", "isBottleneck": "Bottleneck",
    ]

    /// `camelCase` → `Camel case`.
    static func label(_ column: String) -> String {
        if let label = labels[column] { return label }
        var words = ""
        for character in column {
            if character.isUppercase { words += " " + character.lowercased() } else { words.append(character) }
        }
        return words.prefix(1).uppercased() + words.dropFirst()
    }
}

/// Charts drawn as inline SVG (no scripts, no external assets).
enum SVGChart {
    static let palette = ["#2563eb", "#16a34a", "#f59e0b", "#dc2626", "#7c3aed", "#0891b2", "#db2777"]

    /// Horizontal bars, one per item, scaled to the largest value.
    static func bars(_ items: [(label: String, value: Double, text: String)], title: String, metric: String) -> String {
        let rowHeight = 30.0
        let height = max(rowHeight * Double(items.count) + 10, 40)
        let maximum = max(items.map(\.value).max() ?? 0, 1e-9)
        var svg = "<svg class=\"chart\" viewBox=\"0 0 420 \(Int(height))\" role=\"img\" aria-label=\"\(HTML.escape(title))\" data-chart=\"\(HTML.escape(metric))\">"
        svg += "<title>\(HTML.escape(title))</title>"
        for (index, item) in items.enumerated() {
            let y = 5 + Double(index) * rowHeight
            let width = max(0, item.value / maximum * 170)
            svg += "<text x=\"0\" y=\"\(y + 19)\" class=\"label\">\(HTML.escape(String(item.label.prefix(16))))</text>"
            svg += "<rect x=\"130\" y=\"\(y + 4)\" width=\"\(String(format: "%.1f", width))\" height=\"20\" rx=\"3\" fill=\"\(palette[index % palette.count])\" data-metric=\"\(HTML.escape("\(metric).\(item.label)"))\" data-value=\"\(HTML.escape(HTML.formatNumber(item.value)))\"></rect>"
            svg += "<text x=\"\(String(format: "%.1f", 136 + width))\" y=\"\(y + 19)\" class=\"value\">\(HTML.escape(item.text))</text>"
        }
        if items.isEmpty { svg += "<text x=\"0\" y=\"25\" class=\"label\">No data</text>" }
        return svg + "</svg>"
    }

    /// Horizontal stacked bars: each item split into segments (legend below).
    static func stacked(_ items: [(label: String, segments: [Double])], segmentNames: [String], title: String) -> String {
        let rowHeight = 30.0
        let legendRows = Double((segmentNames.count + 2) / 3)
        let height = max(rowHeight * Double(items.count) + 22 * legendRows + 20, 70)
        let maximum = max(items.map { $0.segments.reduce(0, +) }.max() ?? 0, 1e-9)
        var svg = "<svg class=\"chart\" viewBox=\"0 0 420 \(Int(height))\" role=\"img\" aria-label=\"\(HTML.escape(title))\">"
        svg += "<title>\(HTML.escape(title))</title>"
        for (index, item) in items.enumerated() {
            let y = 5 + Double(index) * rowHeight
            svg += "<text x=\"0\" y=\"\(y + 19)\" class=\"label\">\(HTML.escape(String(item.label.prefix(16))))</text>"
            var x = 130.0
            for (segment, value) in item.segments.enumerated() where value > 0 {
                let width = value / maximum * 240
                svg += "<rect x=\"\(String(format: "%.1f", x))\" y=\"\(y + 4)\" width=\"\(String(format: "%.1f", width))\" height=\"20\" fill=\"\(palette[segment % palette.count])\"><title>\(HTML.escape(segmentNames[segment])): \(HTML.formatNumber(value))</title></rect>"
                x += width
            }
            svg += "<text x=\"\(String(format: "%.1f", x + 6))\" y=\"\(y + 19)\" class=\"value\">\(HTML.formatNumber(item.segments.reduce(0, +)))</text>"
        }
        for (index, name) in segmentNames.enumerated() {
            let legendY = Double(items.count) * rowHeight + 25 + Double(index / 3) * 22
            let x = Double(index % 3) * 135
            svg += "<rect x=\"\(x)\" y=\"\(legendY - 10)\" width=\"10\" height=\"10\" fill=\"\(palette[index % palette.count])\"></rect>"
            svg += "<text x=\"\(x + 14)\" y=\"\(legendY)\" class=\"legend\">\(HTML.escape(name))</text>"
        }
        return svg + "</svg>"
    }
}
