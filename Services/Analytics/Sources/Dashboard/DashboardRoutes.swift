import Foundation
import Hummingbird
import LeadModel
import LeadServiceKit

/// The dashboard's routes. Pages need a principal (a bearer token or the session cookie) and
/// answer HTML, also for 401/403, so a browser shows something useful.
struct DashboardRoutes: Sendable {
    let reports: ReportService
    let sessions: DashboardSessions
    let loginCodes: LoginCodeStore
    let clock: @Sendable () -> Date

    func addRoutes(to router: Router<LeadflowRequestContext>) {
        router.get("/dashboard") { _, context in
            guard let principal = context.principal else { return redirect("/dashboard/login") }
            let first = DashboardPage.allCases.first { $0.isVisible(to: principal) } ?? .hotSheet
            return redirect("/dashboard/\(first.rawValue)")
        }
        router.get("/dashboard/login") { request, _ in
            try await login(request)
        }
        router.get("/dashboard/logout") { _, _ in
            var response = redirect("/dashboard/login")
            response.headers[.setCookie] = sessions.clearCookie
            return response
        }
        router.get("/dashboard/:page") { request, context in
            try await page(request, context)
        }
    }

    private func page(_ request: Request, _ context: LeadflowRequestContext) async throws -> Response {
        guard let page = context.parameters.get("page").flatMap(DashboardPage.init(rawValue:)) else {
            return html(DashboardRenderer.problem(status: 404, title: "Not found", detail: "There is no such dashboard page.", signIn: false),
                        status: .notFound)
        }
        guard let principal = context.principal else {
            return html(DashboardRenderer.problem(status: 401, title: "Sign in needed",
                                                  detail: "Your session has ended or you have not signed in.", signIn: true),
                        status: .unauthorized)
        }
        guard page.isVisible(to: principal) else {
            return html(DashboardRenderer.problem(status: 403, title: "Not allowed",
                                                  detail: "\(principal.role.rawValue) may not see this page.", signIn: false),
                        status: .forbidden)
        }
        var parameters: [(String, String)] = []
        var shown: (from: String, to: String)?
        for (name, value) in AnalyticsAPI.parameters(request) where !value.isEmpty {
            guard name == "from" || name == "to" else {
                throw Problem(status: .badRequest, code: "unknown_parameter", detail: "unknown parameter '\(name.prefix(60))'")
            }
            parameters.append((name, value))
        }
        if !parameters.isEmpty {
            shown = (parameters.first { $0.0 == "from" }?.1 ?? "", parameters.first { $0.0 == "to" }?.1 ?? "")
        }
        var documents: [ReportKind: ReportDocument] = [:]
        for kind in page.reports {
            let extra: [(String, String)] = kind == .team ? [("groupBy", "salesperson")] : []
            let reportParameters = kind == .hotSheet ? [] : parameters + extra
            let parsed = try ReportRequest(kind: kind, parameters: reportParameters, acceptsCSV: false, now: clock())
            documents[kind] = try await reports.report(parsed, for: principal)
        }
        return html(DashboardRenderer.page(page, documents: documents, principal: principal, period: shown), status: .ok)
    }

    private func login(_ request: Request) async throws -> Response {
        let parameters = AnalyticsAPI.parameters(request)
        if let code = parameters.first(where: { $0.0 == "code" })?.1 {
            guard let session = try await loginCodes.redeem(code, now: clock()), session.exp > clock() else {
                return html(DashboardRenderer.problem(status: 401, title: "Link expired",
                                                      detail: "This sign-in link was used already or has expired.", signIn: true),
                            status: .unauthorized)
            }
            // Only a dashboard page may follow (never an arbitrary URL: no open redirect).
            let next = parameters.first { $0.0 == "next" }?.1
            let page = next.flatMap { $0.hasPrefix("/dashboard/") ? DashboardPage(rawValue: String($0.dropFirst(11))) : nil }
            var response = redirect(page.map { "/dashboard/\($0.rawValue)" } ?? "/dashboard")
            response.headers[.setCookie] = try sessions.setCookie(session)
            return response
        }
        var generator = SystemRandomNumberGenerator()
        let nonce = Signer.base64URL(Data((0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) }))
        var response = html(DashboardRenderer.login(nonce: nonce, message: nil), status: .ok)
        response.headers[.contentSecurityPolicy] =
            "default-src 'none'; style-src 'unsafe-inline'; script-src 'nonce-\(nonce)'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        return response
    }

    private func redirect(_ location: String) -> Response {
        var response = Response(status: .seeOther)
        response.headers[.location] = location
        response.headers[.cacheControl] = "no-store"
        response.headers[HTTPFields.Element.Name("Referrer-Policy")!] = "no-referrer"
        return response
    }

    private func html(_ body: String, status: HTTPResponse.Status) -> Response {
        Response(
            status: status,
            headers: [
                .contentType: "text/html; charset=utf-8",
                .contentSecurityPolicy: DashboardRenderer.contentSecurityPolicy,
                .cacheControl: "no-store",
                HTTPFields.Element.Name("Referrer-Policy")!: "no-referrer",
                HTTPFields.Element.Name("X-Content-Type-Options")!: "nosniff",
                HTTPFields.Element.Name("X-Frame-Options")!: "DENY",
            ],
            body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
