import Foundation
import Hummingbird
import LeadModel
import LeadServiceKit

/// `POST /v1/leads` (generic JSON and manual entry) and `POST /v1/leads/adf` (ADF/XML).
struct IntakeRoutes: Sendable {
    let core: IngestCore

    func register(on router: Router<LeadflowRequestContext>) {
        router.post("/v1/leads") { request, context in try await submitJSON(request, context) }
        router.post("/v1/leads/adf") { request, context in try await submitADF(request, context) }
    }

    /// Who a JSON submission is from and for: the source, the channel and ownership hints.
    struct Submitter {
        var source: LeadSource
        var rateKey: String
        var perMinute: Int?
        var ownerId: String?
        var locationId: String?
    }

    func submitJSON(_ request: Request, _ context: LeadflowRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try Self.requireSubmitter(principal)
        try request.requireMediaType(["application/json", "text/json"], suffix: "+json", describe: "application/json")
        let bytes = Array(try await request.collectBody(limit: core.configuration.maxBodyBytes).readableBytesView)
        let document: GenericLeadDocument
        do {
            document = try GenericLeadDocument.read(try core.json.parse(bytes))
        } catch let error as JSONParseError {
            throw error.problem
        } catch let rejection as IntakeRejection {
            throw rejection.problem
        }
        let submitter = try await resolve(principal, document)
        if let limited = try core.rateLimitResponse(submitter.rateKey, perMinute: submitter.perMinute) { return limited }
        let now = core.clock()
        let prepared: PreparedLead
        do {
            prepared = try core.prepare(
                document.submission, source: submitter.source, contentType: "application/json", actor: principal.actor, now: now
            ) { lead in
                if let owner = submitter.ownerId { lead.ownerId = owner }
                if let location = submitter.locationId { lead.locationId = location }
            }
        } catch {
            throw error.problem
        }
        let results = try await core.store([prepared])
        return try Response.json(AcceptedLead(results[0]), status: .accepted)
    }

    /// Refuses, before reading the body, the roles that never submit leads.
    static func requireSubmitter(_ principal: Principal) throws {
        switch principal.role {
        case .platformAdmin, .manager, .salesperson, .integrationSource: return
        case .locationContact, .downstreamReader, .customer, .system:
            throw Problem(status: .forbidden, code: "forbidden", detail: "\(principal.role.rawValue) may not submit leads")
        }
    }

    /// Applies the intake rules of each role: integrations submit for their own source(s);
    /// people enter leads by hand (phone, walk-in, referral); admins may also submit for a source.
    func resolve(_ principal: Principal, _ document: GenericLeadDocument) async throws -> Submitter {
        switch principal.role {
        case .integrationSource:
            guard document.manualKind == nil else {
                throw Problem(status: .forbidden, code: "forbidden", detail: "integrations cannot enter leads manually")
            }
            guard document.submission.locationId == nil else {
                throw Problem.invalid("/locationId", rule: "manual_only", "only manual entry names a location; integrations are routed")
            }
            let sourceId = document.sourceId ?? (principal.scope.sourceIds.count == 1 ? principal.scope.sourceIds.first : nil)
            guard let sourceId else {
                throw Problem.invalid("/sourceId", rule: "required", "this integration submits for several sources; name one")
            }
            guard principal.holds(.submitLeads(sourceId: sourceId)) else {
                throw Problem(status: .forbidden, code: "source_mismatch", detail: "this integration may not submit for that source", field: "/sourceId", rule: "scope")
            }
            let record = await core.sourceRecord(sourceId)
            return Submitter(
                source: LeadSource(id: sourceId, name: record?.name, channel: .json, partner: record?.partner),
                rateKey: "source:\(sourceId)", perMinute: core.apiKeys.rateLimit(of: sourceId) ?? record?.rateLimitPerMinute)
        case .platformAdmin where document.manualKind == nil && document.sourceId != nil:
            let sourceId = document.sourceId!
            let record = await core.sourceRecord(sourceId)
            return Submitter(
                source: LeadSource(id: sourceId, name: record?.name, channel: .json, partner: record?.partner),
                rateKey: "source:\(sourceId)", perMinute: record?.rateLimitPerMinute)
        case .platformAdmin, .manager, .salesperson:
            try principal.require(.submitLeads(sourceId: nil))
            if let sourceId = document.sourceId, sourceId != "manual" {
                throw Problem(status: .forbidden, code: "source_mismatch", detail: "manual entry cannot name a source", field: "/sourceId", rule: "scope")
            }
            let kind = document.manualKind ?? .other
            var submitter = Submitter(
                source: LeadSource(id: "manual", name: kind.rawValue, channel: .manual, partner: document.referredBy?.text.trimmingWhitespace),
                rateKey: "principal:\(principal.id)")
            let requested: String?
            do {
                requested = try core.builder.text(document.submission.locationId, singleLine: true)
            } catch {
                throw error.problem
            }
            switch principal.role {
            case .salesperson:
                // The person who took the call owns the lead (and so can see it).
                submitter.ownerId = principal.id
                if let requested, !requested.isEmpty {
                    submitter.locationId = requested
                }
            case .manager:
                if let requested, !requested.isEmpty {
                    guard principal.scope.locationIds.contains(requested) else {
                        throw Problem(status: .forbidden, code: "forbidden", detail: "the location is outside your scope", field: "/locationId", rule: "scope")
                    }
                    submitter.locationId = requested
                } else if principal.scope.locationIds.count == 1 {
                    submitter.locationId = principal.scope.locationIds.first
                } else if principal.scope.locationIds.count > 1 {
                    throw Problem.invalid("/locationId", rule: "required", "name the location the lead is for", code: "location_required")
                }
            default:
                if let requested, !requested.isEmpty { submitter.locationId = requested }
            }
            return submitter
        case .locationContact, .downstreamReader, .customer, .system:
            throw Problem(status: .forbidden, code: "forbidden", detail: "\(principal.role.rawValue) may not submit leads")
        }
    }

    func submitADF(_ request: Request, _ context: LeadflowRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try request.requireMediaType(
            ["application/xml", "text/xml", "application/adf+xml", "application/vnd.adf+xml", "text/plain"], suffix: "+xml",
            describe: "application/xml")
        let sourceId: String
        switch principal.role {
        case .integrationSource:
            guard let only = principal.scope.sourceIds.sorted().first, principal.holds(.submitLeads(sourceId: only)) else {
                throw Problem(status: .forbidden, code: "forbidden", detail: "this integration has no source")
            }
            sourceId = request.uri.queryParameters["sourceId"].map(String.init) ?? only
            guard principal.holds(.submitLeads(sourceId: sourceId)) else {
                throw Problem(status: .forbidden, code: "source_mismatch", detail: "this integration may not submit for that source")
            }
        case .platformAdmin:
            sourceId = request.uri.queryParameters["sourceId"].map(String.init) ?? "adf"
        default:
            throw Problem(status: .forbidden, code: "forbidden", detail: "\(principal.role.rawValue) may not submit ADF documents")
        }
        let record = await core.sourceRecord(sourceId)
        let bytes = Array(try await request.collectBody(limit: core.configuration.maxBodyBytes).readableBytesView)
        let submissions: [LeadSubmission]
        do {
            submissions = try ADFFormat.read(try core.xml.parse(bytes), limits: core.configuration.limits)
        } catch let error as XMLReadError {
            throw error.problem
        } catch let rejection as IntakeRejection {
            throw rejection.problem
        }
        if let limited = try core.rateLimitResponse(
            "source:\(sourceId)", perMinute: core.apiKeys.rateLimit(of: sourceId) ?? record?.rateLimitPerMinute) { return limited }
        let prepared: [PreparedLead]
        do {
            prepared = try core.prepareAll(
                submissions, source: LeadSource(id: sourceId, name: record?.name, channel: .adf, partner: record?.partner),
                contentType: request.mediaType ?? "application/xml", actor: principal.actor, now: core.clock())
        } catch {
            throw error.problem
        }
        return try Response.json(AcceptedLeads(try await core.store(prepared)), status: .accepted)
    }
}
