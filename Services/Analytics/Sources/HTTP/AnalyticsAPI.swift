import Foundation
import Hummingbird
import LeadModel
import LeadServiceKit

/// The analytics HTTP API: lead list and detail, reports, source costs, dashboard sessions.
/// Every endpoint needs a principal and checks a permission; lists and reports are filtered
/// with the caller's lead filter in SQL.
public struct AnalyticsAPI: Sendable {
    let readModel: LeadReadModel
    let reports: ReportService
    let costs: SourceCostStore
    let sessions: DashboardSessions
    let loginCodes: LoginCodeStore
    let cursors: Signer
    let settings: AnalyticsConfiguration
    let clock: @Sendable () -> Date

    /// Adds the routes.
    public func addRoutes(to router: Router<LeadflowRequestContext>) {
        DashboardRoutes(reports: reports, sessions: sessions, loginCodes: loginCodes, clock: clock).addRoutes(to: router)
        router.get("/v1/leads") { request, context in
            try await listLeads(request, context, mine: false)
        }
        router.get("/v1/leads/mine") { request, context in
            try await listLeads(request, context, mine: true)
        }
        router.get("/v1/leads/:leadId") { _, context in
            try await leadDetail(context)
        }
        router.get("/v1/leads/:leadId/duplicates") { request, context in
            try await duplicates(request, context)
        }
        router.get("/v1/reports") { _, context in
            let principal = try context.requirePrincipal()
            try principal.require(.readReports(personalData: false))
            let available = ReportKind.allCases.filter { principal.holds(.readReports(personalData: $0.containsPersonalData)) }
            return try Response.json(ReportCatalogue(reports: available.map(ReportCatalogue.Entry.init)))
        }
        router.get("/v1/reports/:report") { request, context in
            try await report(request, context)
        }
        router.get("/v1/analytics/source-costs") { _, context in
            try context.requirePrincipal().require(.administer)
            return try Response.json(SourceCostList(costs: try await costs.all().values.sorted { $0.sourceId < $1.sourceId }))
        }
        router.put("/v1/analytics/source-costs/:sourceId") { request, context in
            let principal = try context.requirePrincipal()
            try principal.require(.administer)
            let sourceId = try Self.sourceId(context)
            let body = try await request.decodeJSON(SourceCostInput.self, limits: JSONBodyLimits(maxBytes: 4096, maxDepth: 4))
            let money = try body.validated(defaultCurrency: settings.currency)
            try await costs.set(sourceId, money, by: principal.description, at: clock())
            return try Response.json(SourceCost(sourceId: sourceId, costPerLead: money, origin: "api",
                                                updatedBy: principal.description, updatedAt: clock()))
        }
        router.delete("/v1/analytics/source-costs/:sourceId") { _, context in
            try context.requirePrincipal().require(.administer)
            guard try await costs.remove(try Self.sourceId(context)) else { throw Problem.notFound("no cost set for this source") }
            return Response(status: .noContent)
        }
        router.get("/v1/analytics/status") { _, context in
            try context.requirePrincipal().require(.administer)
            return try Response.json(try await readModel.status())
        }
        router.post("/v1/dashboard/session") { request, context in
            try await startSession(request, context)
        }
        router.post("/v1/dashboard/logout") { _, context in
            try Self.requireDashboardRole(try context.requirePrincipal())
            var response = Response(status: .noContent)
            response.headers[.setCookie] = sessions.clearCookie
            return response
        }
    }

    // MARK: Leads

    private func listLeads(_ request: Request, _ context: LeadflowRequestContext, mine: Bool) async throws -> Response {
        let principal = try context.requirePrincipal()
        try principal.require(.listLeads)
        var query = try LeadQuery(parameters: Self.parameters(request))
        if mine { query.mine = true }
        let fingerprint = query.fingerprint(principal: principal)
        var cursor: LeadCursor?
        if let token = query.cursor {
            guard let decoded = cursors.verify(token, as: LeadCursor.self), decoded.query == fingerprint else {
                throw Problem(status: .badRequest, code: "invalid_cursor",
                              detail: "the cursor is not one this query issued", field: "cursor", rule: "signature")
            }
            cursor = decoded
        }
        let (items, hasMore) = try await readModel.list(
            query, filter: principal.leadFilter, memberId: principal.id, now: clock(), timeZone: settings.timeZone, after: cursor)
        var next: String?
        if hasMore, let last = items.last {
            next = try cursors.sign(LeadCursor(createdAt: last.facts.createdAt, leadId: last.leadId, query: fingerprint))
        }
        return try Response.json(LeadPage(leads: items, nextCursor: next))
    }

    private func leadDetail(_ context: LeadflowRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        if ![.platformAdmin, .manager, .salesperson].contains(principal.role) {
            try principal.requireLead(LeadAccessFacts())  // 403 for roles that never see single leads
        }
        guard let text = context.parameters.get("leadId"), let requested = LeadID(text),
              let (found, mergedInto) = try await readModel.projection(requested)
        else { throw Problem.notFound("no such lead") }
        var projection = found
        // A merged lead's id resolves to its survivor (`mergedInto` says so).
        var leadId = requested
        if let survivor = mergedInto, let (survivorProjection, _) = try await readModel.projection(survivor) {
            projection = survivorProjection
            leadId = survivor
        }
        guard let lead = projection.lead, let facts = projection.facts else { throw Problem.notFound("no such lead") }
        try principal.requireLead(LeadAccessFacts(
            locationId: lead.locationId, teamId: projection.teamId, ownerId: lead.ownerId,
            collaborators: lead.collaborators, sourceId: lead.source.id))
        let detail = LeadDetail(
            lead: lead, facts: facts, teamId: projection.teamId, overdue: facts.isOverdue(at: clock()), mergedInto: mergedInto,
            appointments: projection.appointments.values.sorted { ($0.at, $0.id) < ($1.at, $1.id) },
            openTasks: projection.openTasks, timeline: try await readModel.timeline(leadId))
        return try Response.json(detail)
    }

    /// `GET /v1/leads/{id}/duplicates`: likely duplicates of a lead the caller may see, among
    /// the leads the caller may see, ranked with their reasons.
    private func duplicates(_ request: Request, _ context: LeadflowRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        if ![.platformAdmin, .manager, .salesperson].contains(principal.role) {
            try principal.requireLead(LeadAccessFacts())
        }
        guard let text = context.parameters.get("leadId"), let leadId = LeadID(text),
              let (projection, mergedInto) = try await readModel.projection(leadId), mergedInto == nil,
              let lead = projection.lead
        else { throw Problem.notFound("no such lead") }
        try principal.requireLead(LeadAccessFacts(
            locationId: lead.locationId, teamId: projection.teamId, ownerId: lead.ownerId,
            collaborators: lead.collaborators, sourceId: lead.source.id))
        var limit = 20
        if let raw = request.uri.queryParameters["limit"] {
            guard let value = Int(raw), (1...100).contains(value) else {
                throw Problem(status: .unprocessableContent, code: "invalid_parameter", detail: "limit must be 1 to 100", field: "limit", rule: "range")
            }
            limit = value
        }
        let ranker = DuplicateRanker()
        let candidates = try await readModel.duplicateCandidates(of: lead, filter: principal.leadFilter, window: ranker.vehicleWindow)
        return try Response.json(DuplicateList(leadId: leadId, candidates: ranker.rank(lead, among: candidates, limit: limit)))
    }

    // MARK: Reports

    private func report(_ request: Request, _ context: LeadflowRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        guard let kind = context.parameters.get("report").flatMap(ReportKind.init(rawValue:)) else {
            try principal.require(.readReports(personalData: false))
            throw Problem.notFound("no such report; GET /v1/reports lists them")
        }
        try ReportService.authorize(principal, kind)
        let accept = request.headers[.accept] ?? ""
        let parsed = try ReportRequest(
            kind: kind, parameters: Self.parameters(request),
            acceptsCSV: accept.contains("text/csv") && !accept.contains("application/json"), now: clock())
        let document = try await reports.report(parsed, for: principal)
        guard parsed.csv else { return try Response.json(document) }
        guard let table = parsed.table.map({ document.table($0) }) ?? document.tables.first else {
            throw Problem(status: .badRequest, code: "invalid_parameter",
                          detail: "\(kind.rawValue) has the tables \(document.tables.map(\.name).joined(separator: ", "))",
                          field: "table", rule: "enum")
        }
        let csv = CSVWriter.write(table)
        return Response(
            status: .ok,
            headers: [
                .contentType: "text/csv; charset=utf-8",
                .contentDisposition: "attachment; filename=\"\(kind.rawValue)-\(table.name).csv\"",
                HTTPFields.Element.Name("X-Content-Type-Options")!: "nosniff",
            ],
            body: .init(byteBuffer: ByteBuffer(string: csv)))
    }

    // MARK: Dashboard sessions

    private func startSession(_ request: Request, _ context: LeadflowRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try Self.requireDashboardRole(principal)
        let session = sessions.start(for: principal, tokenExpiry: DashboardSessions.expiry(ofBearer: request.headers[.authorization]))
        let (code, codeExpiry) = try await loginCodes.issue(session, now: clock())
        var response = try Response.json(
            SessionStarted(expiresAt: session.exp, loginCode: code, loginCodeExpiresAt: codeExpiry,
                           loginPath: "/dashboard/login?code=\(code)"),
            status: .created)
        response.headers[.setCookie] = try sessions.setCookie(session)
        response.headers[.cacheControl] = "no-store"
        return response
    }

    // MARK: Helpers

    /// Platform admins, managers and downstream readers have a dashboard; nobody else.
    static func requireDashboardRole(_ principal: Principal) throws {
        guard [.platformAdmin, .manager, .downstreamReader].contains(principal.role) else {
            throw Problem(status: .forbidden, code: "forbidden", detail: "\(principal.role.rawValue) has no dashboard")
        }
    }

    static func parameters(_ request: Request) -> [(String, String)] {
        request.uri.queryParameters.map { (String($0.key), String($0.value)) }
    }

    static func sourceId(_ context: LeadflowRequestContext) throws -> String {
        guard let id = context.parameters.get("sourceId"), !id.isEmpty, id.utf8.count <= 200,
              !id.contains(where: { $0.isNewline || $0 == "\u{0}" })
        else { throw Problem(status: .badRequest, code: "invalid_parameter", detail: "invalid source id", field: "sourceId") }
        return id
    }
}

/// The reports a caller may read.
struct ReportCatalogue: Encodable {
    struct Entry: Encodable {
        let name: String
        let title: String
        let groupBy: [String]
        let tables: String
        init(_ kind: ReportKind) {
            name = kind.rawValue
            title = kind.title
            groupBy = kind.groupings.allowed.map(\.rawValue)
            tables = "/v1/reports/\(kind.rawValue)"
        }
    }
    let reports: [Entry]
}

/// The configured source costs.
struct SourceCostList: Encodable {
    let costs: [SourceCost]
}

/// The body of `PUT /v1/analytics/source-costs/{sourceId}`.
struct SourceCostInput: Decodable {
    let costPerLead: String
    let currency: String?

    func validated(defaultCurrency: String) throws -> Money {
        let currency = (self.currency ?? defaultCurrency).uppercased()
        guard currency.count == 3, currency.allSatisfy({ $0.isASCII && $0.isLetter }) else {
            throw Problem(status: .unprocessableContent, code: "invalid_field", detail: "currency must be an ISO 4217 code",
                          field: "/currency", rule: "format")
        }
        guard costPerLead.count <= 20, let money = Money(costPerLead, currency: currency), money.amount >= 0 else {
            throw Problem(status: .unprocessableContent, code: "invalid_field",
                          detail: "costPerLead must be a non-negative decimal string like \"25.00\"", field: "/costPerLead", rule: "format")
        }
        return money
    }
}

/// The answer to `POST /v1/dashboard/session`.
struct SessionStarted: Encodable {
    let expiresAt: Date
    let loginCode: String
    let loginCodeExpiresAt: Date
    let loginPath: String
}

/// `GET /v1/leads/{id}/duplicates` answers this.
struct DuplicateList: Encodable, Sendable {
    var leadId: LeadID
    var candidates: [DuplicateCandidate]
}
