import Foundation
import Hummingbird
import LeadModel
import LeadServiceKit

/// `/v1/recipients`: the recipients directory and notification preferences.
///
/// Who may do what: platform admins everything; managers the recipients of their locations and
/// teams (listing is filtered; others answer 404; they cannot create recipients outside their
/// scope); salespeople read and edit their own preferences (`id` = their member id) but not their
/// kind, location, team or active flag; everyone else 403.
///
/// * `GET /v1/recipients[?limit=]`, `GET /v1/recipients/{id}`
/// * `PUT /v1/recipients/{id}` — create or replace (201 / 200); `webhookSecret` is write-only.
/// * `DELETE /v1/recipients/{id}` — 204.
struct RecipientRoutes: Sendable {
    let core: NotifierCore

    struct View: Encodable {
        let id: String
        let kind: RecipientKind
        let name: String?
        let email: String?
        let phone: String?
        let webhookUrl: String?
        let hasWebhookSecret: Bool
        let channels: [NotificationChannel]
        let timeZone: String
        let quietHours: QuietHours?
        let includeCollaborators: Bool
        let locationId: String?
        let teamId: String?
        let purposes: [NotificationPurpose]
        let active: Bool
        let updatedAt: Date
        let updatedBy: String

        init(_ entry: RecipientStore.Entry) {
            let profile = entry.profile
            id = profile.id
            kind = profile.kind
            name = profile.name
            email = profile.email
            phone = profile.phone
            webhookUrl = profile.webhookUrl
            hasWebhookSecret = entry.hasWebhookSecret
            channels = profile.channels
            timeZone = profile.timeZone
            quietHours = profile.quietHours
            includeCollaborators = profile.includeCollaborators
            locationId = profile.locationId
            teamId = profile.teamId
            purposes = profile.purposes
            active = profile.active
            updatedAt = entry.updatedAt
            updatedBy = entry.updatedBy
        }
    }

    struct Input: Decodable {
        let kind: RecipientKind?
        let name: String?
        let email: String?
        let phone: String?
        let webhookUrl: String?
        let webhookSecret: String?
        let channels: [NotificationChannel]?
        let timeZone: String?
        let quietHours: QuietHours?
        let includeCollaborators: Bool?
        let locationId: String?
        let teamId: String?
        let purposes: [NotificationPurpose]?
        let active: Bool?
    }

    func add(to router: Router<LeadflowRequestContext>) {
        let core = self.core
        router.get("/v1/recipients") { request, context -> Response in
            let principal = try context.requirePrincipal()
            let scope = try Self.scope(of: principal)
            let limit = try RouteSupport.limit(request)
            let entries = try await core.withConnection { try await core.recipients.list(scope: scope, limit: limit, on: $0, logger: core.logger) }
            return try Response.json(entries.map(View.init))
        }
        router.get("/v1/recipients/:id") { _, context -> Response in
            let principal = try context.requirePrincipal()
            let scope = try Self.scope(of: principal)
            let id = try context.parameters.require("id")
            guard let entry = try await core.withConnection({ try await core.recipients.find(id, on: $0, logger: core.logger) }),
                  scope.admits(id: id, locationId: entry.profile.locationId, teamId: entry.profile.teamId)
            else { throw Problem.notFound("no such recipient") }
            return try Response.json(View(entry))
        }
        router.put("/v1/recipients/:id") { request, context -> Response in
            let principal = try context.requirePrincipal()
            let scope = try Self.scope(of: principal)
            let id = try context.parameters.require("id")
            let input = try await request.decodeJSON(Input.self, limits: JSONBodyLimits(maxBytes: 64 << 10, maxDepth: 4))
            let (entry, created) = try await core.postgres.transaction(logger: core.logger) { connection in
                let existing = try await core.recipients.find(id, on: connection, logger: core.logger)
                if let existing, !scope.admits(id: id, locationId: existing.profile.locationId, teamId: existing.profile.teamId) {
                    throw Problem.notFound("no such recipient")
                }
                let profile = try Self.profile(id: id, input: input, existing: existing?.profile, principal: principal, scope: scope)
                if let secret = input.webhookSecret, !(16...256).contains(secret.utf8.count) {
                    throw ValidationFailure(field: "/webhookSecret", rule: "length", message: "16 to 256 bytes").problem
                }
                if profile.kind == .webhook, input.webhookSecret == nil, existing?.hasWebhookSecret != true {
                    throw ValidationFailure(field: "/webhookSecret", rule: "required", message: "webhook recipients sign with a secret").problem
                }
                if profile.channels.contains(.webhook), profile.kind != .webhook, input.webhookSecret == nil, existing?.hasWebhookSecret != true {
                    throw ValidationFailure(field: "/webhookSecret", rule: "required", message: "the webhook channel signs with a secret").problem
                }
                try await core.recipients.upsert(profile, secret: input.webhookSecret, by: principal.description, on: connection, logger: core.logger)
                guard let stored = try await core.recipients.find(id, on: connection, logger: core.logger) else {
                    throw StoreInconsistency(what: "recipient \(id) vanished after it was written")
                }
                return (stored, existing == nil)
            }
            core.logger.info("recipient saved", metadata: ["recipient": "\(id)", "by": "\(principal)"])
            return try Response.json(View(entry), status: created ? .created : .ok)
        }
        router.delete("/v1/recipients/:id") { _, context -> Response in
            let principal = try context.requirePrincipal()
            let scope = try Self.scope(of: principal)
            guard principal.role != .salesperson else {
                throw Problem(status: .forbidden, code: "forbidden", detail: "salespeople may not delete recipients")
            }
            let id = try context.parameters.require("id")
            try await core.postgres.transaction(logger: core.logger) { connection in
                guard let existing = try await core.recipients.find(id, on: connection, logger: core.logger),
                      scope.admits(id: id, locationId: existing.profile.locationId, teamId: existing.profile.teamId),
                      try await core.recipients.delete(id, on: connection, logger: core.logger)
                else { throw Problem.notFound("no such recipient") }
            }
            core.logger.info("recipient deleted", metadata: ["recipient": "\(id)", "by": "\(principal)"])
            return Response(status: .noContent)
        }
    }

    /// The caller's scope; 403 for roles that never manage recipients.
    static func scope(of principal: Principal) throws -> RecipientScope {
        let scope = RecipientScope(principal)
        if scope == .nothing {
            throw Problem(status: .forbidden, code: "forbidden", detail: "\(principal.role.rawValue) may not manage recipients")
        }
        return scope
    }

    /// The profile to store, checked against what the caller may set.
    static func profile(
        id: String, input: Input, existing: RecipientProfile?, principal: Principal, scope: RecipientScope
    ) throws -> RecipientProfile {
        let kind = input.kind ?? existing?.kind ?? .member
        var profile = RecipientProfile(
            id: id, kind: kind, name: input.name, email: input.email, phone: input.phone, webhookUrl: input.webhookUrl,
            channels: input.channels ?? (kind == .webhook ? [.webhook] : (input.email != nil ? [.email] : [])),
            timeZone: input.timeZone ?? "UTC", quietHours: input.quietHours,
            includeCollaborators: input.includeCollaborators ?? false, locationId: input.locationId, teamId: input.teamId,
            purposes: input.purposes ?? [], active: input.active ?? true)
        switch principal.role {
        case .platformAdmin:
            break
        case .salesperson:
            // Their own preferences only; where they sit and whether they get anything is not theirs to change.
            guard id == principal.id else { throw Problem.notFound("no such recipient") }
            if kind != .member || existing.map({ $0.kind != .member }) == true {
                throw Problem(status: .forbidden, code: "forbidden", detail: "salespeople edit their own member preferences only")
            }
            if profile.locationId != existing?.locationId || profile.teamId != existing?.teamId
                || profile.active != (existing?.active ?? true) {
                throw Problem(status: .forbidden, code: "forbidden",
                              detail: "salespeople may not change their location, team or active flag")
            }
        default:
            guard scope.admits(id: id, locationId: profile.locationId, teamId: profile.teamId) else {
                throw Problem(status: .forbidden, code: "forbidden",
                              detail: "managers keep recipients within their locations and teams")
            }
        }
        if profile.name?.isEmpty == true { profile.name = nil }
        try RouteSupport.check(RecipientValidation.problems(of: profile))
        return profile
    }
}
