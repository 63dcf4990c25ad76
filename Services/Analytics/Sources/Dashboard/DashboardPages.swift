import Foundation
import LeadModel
import LeadServiceKit

/// The dashboard's pages and the reports each shows.
enum DashboardPage: String, CaseIterable, Sendable {
    case hotSheet = "hot-sheet"
    case funnel
    case pipeline
    case sources
    case team

    var title: String {
        switch self {
        case .hotSheet: "Hot sheet"
        case .funnel: "Funnel"
        case .pipeline: "Pipeline"
        case .sources: "Sources"
        case .team: "Team"
        }
    }

    /// The reports the page renders.
    var reports: [ReportKind] {
        switch self {
        case .hotSheet: [.hotSheet]
        case .funnel: [.funnel]
        case .pipeline: [.pipeline, .velocity]
        case .sources: [.conversion, .sourceROI]
        case .team: [.team, .locationResponse]
        }
    }

    /// Whether `principal` may see the page (it may read every report on it).
    func isVisible(to principal: Principal) -> Bool {
        reports.allSatisfy { principal.holds(.readReports(personalData: $0.containsPersonalData)) }
    }
}

/// Renders dashboard pages: plain HTML and CSS with inline SVG charts, no scripts, no CDN.
enum DashboardRenderer {
    static let contentSecurityPolicy =
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

    static func page(_ page: DashboardPage, documents: [ReportKind: ReportDocument], principal: Principal,
                     period: (from: String, to: String)?) -> String {
        let body: String
        switch page {
        case .hotSheet: body = hotSheet(documents[.hotSheet]!)
        case .funnel: body = funnel(documents[.funnel]!)
        case .pipeline: body = pipeline(documents[.pipeline]!, velocity: documents[.velocity]!)
        case .sources: body = sources(documents[.conversion]!, roi: documents[.sourceROI]!)
        case .team: body = team(documents[.team]!, locations: documents[.locationResponse]!)
        }
        let nav = DashboardPage.allCases.filter { $0.isVisible(to: principal) }.map { item in
            let current = item == page ? " aria-current=\"page\"" : ""
            return "<a href=\"/dashboard/\(item.rawValue)\"\(current)>\(item.title)</a>"
        }.joined()
        let periodForm = page == .hotSheet ? "" : """
            <form class="period" method="get" action="/dashboard/\(page.rawValue)">
            <label>From <input type="date" name="from" value="\(HTML.escape(period?.from ?? ""))"></label>
            <label>To <input type="date" name="to" value="\(HTML.escape(period?.to ?? ""))"></label>
            <button type="submit">Show</button></form>
            """
        let document = documents.values.first { $0.report != ReportKind.pipeline.rawValue && $0.report != ReportKind.hotSheet.rawValue }
            ?? documents.values.first
        let range = document.map { "Leads created \(LeadflowJSON.formatDate($0.from).prefix(10)) – \(LeadflowJSON.formatDate($0.to).prefix(16).replacingOccurrences(of: "T", with: " ")) UTC" } ?? ""
        return layout(title: page.title, principal: principal, nav: nav, content: """
            <h2>\(page.title)</h2>\(periodForm)<p class="range">\(HTML.escape(page == .hotSheet ? "Open leads that are hot or overdue, most urgent first" : range))</p>
            \(body)
            <footer>Generated \(HTML.escape(document.map { LeadflowJSON.formatDate($0.generatedAt) } ?? "")) · test leads excluded</footer>
            """)
    }

    static func layout(title: String, principal: Principal?, nav: String, content: String) -> String {
        let who = principal.map {
            "<span class=\"who\">\(HTML.escape($0.description))</span> <a href=\"/dashboard/logout\">Sign out</a>"
        } ?? ""
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="referrer" content="no-referrer">
            <title>Leadflow · \(HTML.escape(title))</title>
            <style>\(stylesheet)</style></head>
            <body><header><h1>Leadflow analytics</h1><nav>\(nav)</nav><div class="account">\(who)</div></header>
            <main>\(content)</main></body></html>
            """
    }

    static let stylesheet = """
        *{box-sizing:border-box}body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#111827;background:#f3f4f6}
        header{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem 1.5rem;padding:.75rem 1rem;background:#111827;color:#fff}
        header h1{font-size:1.1rem;margin:0}header a{color:#bfdbfe}nav{display:flex;flex-wrap:wrap;gap:.25rem 1rem}
        nav a[aria-current]{color:#fff;font-weight:600;text-decoration:none}.account{margin-left:auto;font-size:.85rem}
        main{max-width:1200px;margin:0 auto;padding:1rem}h2{margin:.5rem 0}h3{margin:1.5rem 0 .5rem}
        .tiles{display:flex;flex-wrap:wrap;gap:.75rem;margin:1rem 0}.tile{flex:1 1 9rem;background:#fff;border-radius:8px;padding:.75rem 1rem;box-shadow:0 1px 2px #0002}
        .tile .number{display:block;font-size:1.8rem;font-weight:700}.tile .caption{color:#4b5563;font-size:.85rem}
        .scroll{overflow-x:auto;background:#fff;border-radius:8px;box-shadow:0 1px 2px #0002;margin:.5rem 0 1rem}
        table{border-collapse:collapse;width:100%;font-size:.9rem}th,td{padding:.4rem .6rem;text-align:left;border-bottom:1px solid #e5e7eb;white-space:nowrap}
        th{background:#f9fafb;font-weight:600}td[data-value]{font-variant-numeric:tabular-nums}caption{text-align:left;padding:.5rem;font-weight:600}
        .empty{color:#6b7280;text-align:center}.overdue{color:#b91c1c;font-weight:600}
        .chart{width:100%;max-width:560px;height:auto;background:#fff;border-radius:8px;padding:.5rem;box-shadow:0 1px 2px #0002}
        .chart .label,.chart .value,.chart .legend{font-size:15px;fill:#111827}.range{color:#4b5563;font-size:.85rem}
        form.period{display:flex;flex-wrap:wrap;gap:.5rem;align-items:end}form.period input,button{font:inherit;padding:.25rem .4rem}
        footer{color:#6b7280;font-size:.8rem;margin-top:2rem}
        @media (max-width:640px){body{font-size:14px}.tile .number{font-size:1.4rem}main{padding:.5rem}}
        """

    static func tile(_ caption: String, _ value: String, metric: String) -> String {
        "<div class=\"tile\"><span class=\"number\" data-metric=\"\(HTML.escape(metric))\">\(HTML.escape(value))</span><span class=\"caption\">\(HTML.escape(caption))</span></div>"
    }

    // MARK: Pages

    static func hotSheet(_ document: ReportDocument) -> String {
        let table = document.table("leads")!
        let overdue = table.rows.indices.count { table.value("overdue", row: $0) == .bool(true) }
        let hot = table.rows.indices.count { table.value("priority", row: $0) == .text("hot") }
        let tiles = "<div class=\"tiles\">" + tile("Need action now", String(table.rows.count), metric: "hot-sheet.total")
            + tile("Hot", String(hot), metric: "hot-sheet.hot") + tile("Overdue", String(overdue), metric: "hot-sheet.overdue") + "</div>"
        let columns = ["name", "reason", "score", "phone", "email", "status", "ownerId", "locationId", "nextDueAt", "createdAt"]
        var keyed = table
        keyed.columns = ["key"] + table.columns
        keyed.rows = table.rows.map { [$0[0]] + $0 }
        return tiles + HTML.table(keyed, prefix: "hot-sheet.leads", columns: columns)
    }

    static func funnel(_ document: ReportDocument) -> String {
        let stages = document.table("stages")!
        let statuses = document.table("statuses")!
        let bars = stages.rows.map { row -> (String, Double, String) in
            let count = Double(HTML.rawValue(row[1])) ?? 0
            return (HTML.display(row[0]), count, HTML.display(row[1]))
        }
        return "<h3>Lifecycle stages</h3>" + SVGChart.bars(bars, title: "Leads reaching each stage", metric: "funnel.chart")
            + HTML.table(stages, prefix: "funnel.stages")
            + "<h3>Pipeline statuses</h3>" + HTML.table(statuses, prefix: "funnel.statuses")
    }

    static func pipeline(_ document: ReportDocument, velocity: ReportDocument) -> String {
        let statuses = document.table("statuses")!
        let bucketColumns = PipelineReport.ageBuckets.map(\.name)
        let items = statuses.rows.map { row -> (label: String, segments: [Double]) in
            (HTML.display(row[0]), bucketColumns.map { column in
                Double(HTML.rawValue(row[statuses.columns.firstIndex(of: column)!])) ?? 0
            })
        }
        let open = statuses.rows.reduce(0) { $0 + (Int(HTML.rawValue($1[1])) ?? 0) }
        let bottleneck = velocity.table("summary")?.value("bottleneck", row: 0).map(HTML.display) ?? "–"
        return "<div class=\"tiles\">" + tile("Open leads", String(open), metric: "pipeline.open")
            + tile("Bottleneck", bottleneck, metric: "pipeline.bottleneck") + "</div>"
            + "<h3>Open leads by status and age</h3>"
            + SVGChart.stacked(items, segmentNames: ["< 1 day", "1–3 days", "3–7 days", "7–30 days", "> 30 days"], title: "Open leads by status and age")
            + HTML.table(statuses, prefix: "pipeline.statuses")
            + HTML.table(document.table("stages")!, prefix: "pipeline.stages", caption: "By lifecycle stage")
            + "<h3>Time in each status</h3>" + HTML.table(velocity.table("statuses")!, prefix: "velocity.statuses")
    }

    static func sources(_ conversion: ReportDocument, roi: ReportDocument) -> String {
        let groups = conversion.table("groups")!
        let bars = groups.rows.map { row -> (String, Double, String) in
            let rate: Double = if case .number(let value) = row[5] { value } else { 0 }
            return (HTML.display(row[0]), rate, "\(HTML.percent(row[5])) of \(HTML.display(row[1]))")
        }
        let summary = conversion.table("summary")!
        return "<div class=\"tiles\">" + tile("Leads", HTML.display(summary.rows[0][1]), metric: "sources.leads")
            + tile("Won", HTML.display(summary.rows[0][3]), metric: "sources.won")
            + tile("Conversion", HTML.percent(summary.rows[0][5]), metric: "sources.conversionRate") + "</div>"
            + "<h3>Conversion by source</h3>" + SVGChart.bars(bars, title: "Conversion rate by source", metric: "sources.chart")
            + HTML.table(groups, prefix: "sources.conversion")
            + "<h3>Return on investment</h3>" + HTML.table(roi.table("sources")!, prefix: "sources.roi")
    }

    static func team(_ team: ReportDocument, locations: ReportDocument) -> String {
        let groups = team.table("groups")!
        let rateIndex = groups.columns.firstIndex(of: "conversionRate")!
        let bars = groups.rows.map { row -> (String, Double, String) in
            let rate: Double = if case .number(let value) = row[rateIndex] { value } else { 0 }
            return (HTML.display(row[0]), rate, HTML.percent(row[rateIndex]))
        }
        return "<h3>Salespeople</h3>" + SVGChart.bars(bars, title: "Conversion rate per salesperson", metric: "team.chart")
            + HTML.table(groups, prefix: "team.groups")
            + "<h3>Location response</h3>" + HTML.table(locations.table("locations")!, prefix: "team.locations")
    }

    // MARK: Sign-in and errors

    static func login(nonce: String, message: String?) -> String {
        layout(title: "Sign in", principal: nil, nav: "", content: """
            <h2>Sign in to the dashboard</h2>
            \(message.map { "<p class=\"overdue\">\(HTML.escape($0))</p>" } ?? "")
            <p>Paste a Leadflow access token. It is sent once, in a request header, to start a browser session; it is never put in a URL or stored by the page.</p>
            <form id="login"><label>Access token <input type="password" id="token" autocomplete="off" required></label>
            <button type="submit">Sign in</button></form>
            <script nonce="\(nonce)">
            document.getElementById('login').addEventListener('submit', async function (event) {
              event.preventDefault();
              const token = document.getElementById('token').value.trim();
              const response = await fetch('/v1/dashboard/session', {method: 'POST', headers: {'Authorization': 'Bearer ' + token}, credentials: 'same-origin'});
              if (response.ok) { window.location.assign('/dashboard'); } else { alert('Sign-in failed (' + response.status + ')'); }
            });
            </script>
            """)
    }

    static func problem(status: Int, title: String, detail: String, signIn: Bool) -> String {
        layout(title: title, principal: nil, nav: "", content: """
            <h2 data-status="\(status)">\(HTML.escape(title))</h2><p>\(HTML.escape(detail))</p>
            \(signIn ? "<p><a href=\"/dashboard/login\">Sign in</a></p>" : "")
            """)
    }
}
