import Foundation
import LeadAnalytics
import LeadIntegrationSupport
import LeadModel
import LeadServiceKit
import LeadTestSupport
import Testing

extension ScriptedHistoryTests {
    /// A one-time sign-in link for `principal` that lands on `page`.
    func signInURL(_ principal: Principal, page: String) async throws -> String {
        let response = try await stack.request("POST", "/v1/dashboard/session", token: try await TestAuth.token(principal))
        try #require(response.status == 201, "\(response.text)")
        #expect(response.headers["set-cookie"]?.contains("HttpOnly") == true)
        #expect(response.headers["set-cookie"]?.contains("SameSite=Strict") == true)
        let path = try #require(response.json["loginPath"] as? String)
        return stack.service.baseURL + path + "&next=/dashboard/\(page)"
    }

    func page(_ principal: Principal, _ page: String) async throws -> (dom: String, metrics: [String: (text: String, value: String?)]) {
        let dom = try await Chromium.dumpDOM(try await signInURL(principal, page: page))
        return (dom, Chromium.metrics(in: dom))
    }

    @Test("the dashboard renders in headless Chromium with the script's numbers")
    func dashboardInBrowser() async throws {
        let reportable = script.reportable()

        let hot = try await page(.admin, "hot-sheet")
        #expect(hot.dom.contains("<h2>Hot sheet</h2>"), "signed in through the one-time link and landed on the page")
        #expect(hot.dom.contains(#"name="viewport""#))
        #expect(!hot.dom.contains("http://") && !hot.dom.contains("https://"), "no external resources")
        let hotLeads = script.current.filter { $0.isOpen && ($0.priority == .hot || $0.isOverdue(now: now)) }
        #expect(hot.metrics["hot-sheet.total"]?.text == String(hotLeads.count))
        #expect(hot.metrics["hot-sheet.overdue"]?.text == String(hotLeads.filter { $0.isOverdue(now: now) }.count))
        #expect(hot.metrics["hot-sheet.hot"]?.text == String(hotLeads.filter { $0.priority == .hot }.count))
        for lead in hotLeads {
            #expect(hot.metrics["hot-sheet.leads.\(lead.id).name"]?.text == lead.name)
            #expect(hot.metrics["hot-sheet.leads.\(lead.id).score"]?.text == lead.score.map(String.init))
        }

        let funnel = try await page(.admin, "funnel")
        for stage in LifecycleStage.allCases {
            #expect(funnel.metrics["funnel.stages.\(stage.rawValue).reached"]?.text == String(reportable.filter { $0.furthestStage >= stage }.count), "\(stage)")
        }
        #expect(funnel.dom.contains("<svg"), "charts are inline SVG")

        let pipeline = try await page(.admin, "pipeline")
        let open = script.current.filter(\.isOpen)
        #expect(pipeline.metrics["pipeline.open"]?.text == String(open.count))
        for (status, leads) in Dictionary(grouping: open, by: \.status) {
            #expect(pipeline.metrics["pipeline.statuses.\(status.rawValue).open"]?.text == String(leads.count), "\(status)")
        }

        let sources = try await page(.admin, "sources")
        #expect(sources.metrics["sources.leads"]?.text == String(reportable.count))
        #expect(sources.metrics["sources.won"]?.text == String(reportable.filter { $0.outcome == .won }.count))
        for (source, leads) in Dictionary(grouping: reportable, by: \.source) {
            #expect(sources.metrics["sources.conversion.\(source).leads"]?.text == String(leads.count), "\(source)")
            let rate = Double(leads.filter { $0.outcome == .won }.count) / Double(leads.count)
            #expect(same(Double(sources.metrics["sources.conversion.\(source).conversionRate"]?.value ?? ""), rate), "\(source)")
            let revenue = leads.filter { $0.outcome == .won }.compactMap(\.price).reduce(Decimal(0), +) + leads.compactMap(\.survey).reduce(Decimal(0), +)
            #expect(Decimal(string: sources.metrics["sources.roi.\(source).revenue"]?.text ?? "") == revenue, "\(source)")
        }

        if let folder = ProcessInfo.processInfo.environment["DASHBOARD_SCREENSHOTS"] {
            for name in ["hot-sheet", "funnel", "pipeline", "sources", "team"] {
                for (device, width, height) in [("phone", 390, 1400), ("laptop", 1366, 1000)] {
                    try await Chromium.screenshot(try await signInURL(.admin, page: name), to: "\(folder)/\(name)-\(device).png", width: width, height: height)
                }
            }
        }

        let team = try await page(.admin, "team")
        for (owner, leads) in Dictionary(grouping: reportable, by: { $0.owner ?? "none" }) {
            #expect(team.metrics["team.groups.\(owner).leads"]?.text == String(leads.count), "\(owner)")
            #expect(team.metrics["team.groups.\(owner).won"]?.text == String(leads.filter { $0.outcome == .won }.count), "\(owner)")
        }
    }

    @Test("dashboards are filtered by role: a manager sees its leads only, a reader no personal data")
    func dashboardAccessInBrowser() async throws {
        let manager = try await page(.northManager, "hot-sheet")
        let northHot = script.current.filter { $0.location == "loc-north" && $0.isOpen && ($0.priority == .hot || $0.isOverdue(now: now)) }
        #expect(manager.metrics["hot-sheet.total"]?.text == String(northHot.count))
        for lead in script.leads where lead.location == "loc-south" {
            #expect(!manager.dom.contains(lead.name) && !manager.dom.contains(lead.phone), "\(lead.key) leaked to the north manager")
        }
        let reader = try await page(.reader, "hot-sheet")
        #expect(reader.dom.contains("Not allowed"))
        let readerFunnel = try await page(.reader, "sources")
        #expect(readerFunnel.metrics["sources.leads"]?.text == String(script.reportable().count))
        for lead in script.leads {
            #expect(!reader.dom.contains(lead.name) && !readerFunnel.dom.contains(lead.name) && !readerFunnel.dom.contains(lead.email))
        }
    }

    @Test("sign-in links work once; pages without a session ask to sign in")
    func dashboardSessions() async throws {
        let url = try await signInURL(.admin, page: "funnel")
        let first = try await Chromium.dumpDOM(url)
        #expect(first.contains("<h2>Funnel</h2>"))
        let second = try await Chromium.dumpDOM(url)
        #expect(second.contains("Link expired") && !second.contains("<h2>Funnel</h2>"))
        let anonymous = try await TestHTTP.get(stack.service.baseURL + "/dashboard/funnel")
        #expect(anonymous.status == 401)
        #expect(anonymous.text.contains("/dashboard/login"))
        let forged = try await TestHTTP.get(stack.service.baseURL + "/dashboard/funnel",
                                            headers: ["cookie": "leadflow_dashboard=eyJzdWIiOiJ4Iiwicm9sZSI6InBsYXRmb3JtX2FkbWluIn0.AAAA"])
        #expect(forged.status == 401)
        let redirect = try await TestHTTP.get(stack.service.baseURL + "/dashboard/login?code=x&next=https://evil.example")
        #expect(redirect.status == 401)
        let login = try await TestHTTP.get(stack.service.baseURL + "/dashboard/login")
        #expect(login.status == 200)
        #expect(login.headers["content-security-policy"]?.contains("script-src 'nonce-") == true)
        // The cookie authenticates dashboard pages only, never the API.
        let session = try await stack.request("POST", "/v1/dashboard/session", token: stack.adminToken)
        let cookie = try #require(session.headers["set-cookie"]?.split(separator: ";").first.map(String.init))
        #expect(try await TestHTTP.get(stack.service.baseURL + "/dashboard/team", headers: ["cookie": cookie]).status == 200)
        #expect(try await TestHTTP.get(stack.service.baseURL + "/v1/leads", headers: ["cookie": cookie]).status == 401)
        #expect(try await TestHTTP.get(stack.service.baseURL + "/v1/reports/funnel", headers: ["cookie": cookie]).status == 401)
    }
}
