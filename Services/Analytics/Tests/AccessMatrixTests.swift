import Foundation
import LeadAnalytics
import LeadIntegrationSupport
import LeadModel
import LeadServiceKit
import LeadTestSupport
import Testing

/// One analytics endpoint as the matrix calls it.
struct MatrixEndpoint: Sendable, CustomStringConvertible {
    let method: String
    let path: String
    let body: String?
    /// What the endpoint is, for the expectations.
    let kind: Kind

    enum Kind: Sendable, Equatable {
        case list, detail(scope: String), catalogue, report(personal: Bool), administration, session, logout, dashboard(personal: Bool)
    }

    var description: String { "\(method) \(path)" }
}

extension ScriptedHistoryTests {
    var endpoints: [MatrixEndpoint] {
        var endpoints: [MatrixEndpoint] = [
            .init(method: "GET", path: "/v1/leads", body: nil, kind: .list),
            .init(method: "GET", path: "/v1/leads/mine", body: nil, kind: .list),
            .init(method: "GET", path: "/v1/leads?q=example.com&limit=200", body: nil, kind: .list),
            .init(method: "GET", path: "/v1/leads/\(script.lead("L1").id)", body: nil, kind: .detail(scope: "north-ann")),
            .init(method: "GET", path: "/v1/leads/\(script.lead("L3").id)", body: nil, kind: .detail(scope: "south-cid")),
            .init(method: "GET", path: "/v1/leads/\(script.lead("L15").id)", body: nil, kind: .detail(scope: "north-ann-collab-cid")),
            .init(method: "GET", path: "/v1/reports", body: nil, kind: .catalogue),
            .init(method: "GET", path: "/v1/analytics/source-costs", body: nil, kind: .administration),
            .init(method: "PUT", path: "/v1/analytics/source-costs/src-matrix", body: #"{"costPerLead":"1.00"}"#, kind: .administration),
            .init(method: "DELETE", path: "/v1/analytics/source-costs/src-matrix", body: nil, kind: .administration),
            .init(method: "GET", path: "/v1/analytics/status", body: nil, kind: .administration),
            .init(method: "POST", path: "/v1/dashboard/session", body: nil, kind: .session),
            .init(method: "POST", path: "/v1/dashboard/logout", body: nil, kind: .logout),
        ]
        for report in ReportKind.allCases {
            endpoints.append(.init(method: "GET", path: "/v1/reports/\(report.rawValue)", body: nil, kind: .report(personal: report.containsPersonalData)))
            endpoints.append(.init(method: "GET", path: "/v1/reports/\(report.rawValue)?format=csv", body: nil, kind: .report(personal: report.containsPersonalData)))
        }
        for page in ["hot-sheet", "funnel", "pipeline", "sources", "team"] {
            endpoints.append(.init(method: "GET", path: "/dashboard/\(page)", body: nil, kind: .dashboard(personal: page == "hot-sheet")))
        }
        return endpoints
    }

    /// The status `principal` must get from `endpoint`.
    func expectedStatus(_ endpoint: MatrixEndpoint, _ principal: Principal) -> Int {
        let role = principal.role
        switch endpoint.kind {
        case .list:
            return [.platformAdmin, .manager, .salesperson].contains(role) ? 200 : 403
        case .detail(let scope):
            switch role {
            case .platformAdmin: return 200
            case .manager:
                let locations = principal.scope.locationIds, teams = principal.scope.teamIds
                let north = locations.contains("loc-north") || teams.contains("team-a")
                let south = locations.contains("loc-south") || teams.contains("team-b")
                return (scope.hasPrefix("north") ? north : south) ? 200 : 404
            case .salesperson:
                if scope.contains(principal.id.replacingOccurrences(of: "member-", with: "")) { return 200 }
                return 404
            default: return 403
            }
        case .catalogue:
            return [.platformAdmin, .manager, .downstreamReader].contains(role) ? 200 : 403
        case .report(let personal), .dashboard(let personal):
            if role == .platformAdmin || role == .manager { return 200 }
            return role == .downstreamReader && !personal ? 200 : 403
        case .administration:
            guard role == .platformAdmin else { return 403 }
            return endpoint.method == "DELETE" ? 204 : 200
        case .session:
            return [.platformAdmin, .manager, .downstreamReader].contains(role) ? 201 : 403
        case .logout:
            return [.platformAdmin, .manager, .downstreamReader].contains(role) ? 204 : 403
        }
    }

    /// Text that must never appear in what `principal` gets: out-of-scope leads' ids and names,
    /// and for the downstream reader every name, e-mail address and phone number.
    func forbiddenText(for principal: Principal) -> [String] {
        let visible: (ScriptedLead) -> Bool
        switch principal.role {
        case .manager:
            visible = { lead in
                lead.location.map(principal.scope.locationIds.contains) == true || lead.team.map(principal.scope.teamIds.contains) == true
            }
        case .salesperson:
            visible = { $0.owner == principal.id || $0.collaborators.contains(principal.id) }
        case .platformAdmin:
            visible = { _ in true }
        default:
            return script.leads.flatMap { [$0.id.description, $0.name, $0.email, $0.phone, String($0.phone.suffix(7))] }
        }
        let hidden = script.leads.filter { !visible($0) && $0.mergedInto == nil && !$0.isTest }
        let shown = Set(script.leads.filter(visible).map(\.name))
        return hidden.flatMap { [$0.id.description, $0.email, $0.phone] + (shown.contains($0.name) ? [] : [$0.name]) }
    }

    @Test("every endpoint refuses unauthenticated callers with 401")
    func unauthenticated() async throws {
        let callers = try await AccessMatrix.unauthenticatedCallers()
        for endpoint in endpoints {
            for caller in callers {
                let response = try await TestHTTP.request(
                    endpoint.method, stack.service.baseURL + endpoint.path,
                    headers: caller.headers.merging(endpoint.body == nil ? [:] : ["content-type": "application/json"]) { a, _ in a },
                    body: endpoint.body.map { Array($0.utf8) })
                #expect(response.status == 401, "\(endpoint) as \(caller): \(response.status)")
                #expect(!response.text.contains("Alice") && !response.text.contains("src-web"), "\(endpoint) as \(caller) leaked data")
            }
        }
    }

    @Test("every role gets exactly what it may, and out-of-scope data never appears", arguments: [
        Principal.admin, .northManager, .teamBManager, .ann, .cid, .reader, .contact, .integration,
        Principal(id: "bi-north", role: .downstreamReader, scope: AccessScope(locationIds: ["loc-north"])),
    ])
    func roles(principal: Principal) async throws {
        let token = try await TestAuth.token(principal)
        let forbidden = forbiddenText(for: principal)
        for endpoint in endpoints {
            let response = try await stack.request(endpoint.method, endpoint.path, token: token, body: endpoint.body)
            #expect(response.status == expectedStatus(endpoint, principal), "\(endpoint) as \(principal): \(response.status) \(response.text.prefix(200))")
            guard (200..<300).contains(response.status) else {
                if endpoint.kind != .logout, !endpoint.path.hasPrefix("/dashboard") {
                    #expect(response.headers["content-type"] == "application/problem+json", "\(endpoint) as \(principal)")
                }
                continue
            }
            for text in forbidden where response.text.contains(text) {
                Issue.record("\(endpoint) as \(principal) shows out-of-scope '\(text)'")
            }
        }
    }

    @Test("a manager's lists and reports hold exactly its leads")
    func managerFiltering() async throws {
        let north = script.current.filter { $0.location == "loc-north" }
        #expect(Set(try await listAll("", as: .northManager)) == ids(north))
        let report = try await stack.report("conversion", "groupBy=location", as: .northManager)
        #expect(report.table("groups").compactMap { $0["group"] as? String } == ["loc-north"])
        #expect(integer(report.table("summary").first?["leads"]) == script.reportable().filter { $0.location == "loc-north" }.count)
        let teamB = try await stack.report("team", "groupBy=team", as: .teamBManager)
        #expect(teamB.table("groups").compactMap { $0["group"] as? String } == ["team-b"])
        let hot = try await stack.report("hot-sheet", as: .teamBManager)
        #expect(Set(hot.table("leads").compactMap { $0["leadId"] as? String }) == ids([script.lead("L3"), script.lead("L4")]))
        let reader = try await stack.report("conversion", "groupBy=location", as: Principal(id: "bi", role: .downstreamReader, scope: AccessScope(teamIds: ["team-b"])))
        #expect(reader.table("groups").compactMap { $0["group"] as? String } == ["loc-south"])
    }
}
