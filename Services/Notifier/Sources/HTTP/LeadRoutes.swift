import Foundation
import Hummingbird
import LeadModel
import LeadServiceKit
import PostgresNIO

/// Per-lead endpoints, checked against the lead's owner, collaborators, location and team as the
/// notifier knows them (a lead out of scope, or unknown, answers 404).
///
/// * `GET /v1/leads/{leadId}/schedule[?all=true]` — scheduled reminders, tasks, requests.
/// * `POST /v1/leads/{leadId}/reminders` — `{"delay": {"kind": "tomorrow"}, "note": "…", "recipientId": "member-…"}`
///   schedules a follow-up reminder (salespeople for themselves only). 201.
/// * `DELETE /v1/leads/{leadId}/reminders/{reminderId}` — cancels one (salespeople: their own). 204.
/// * `GET /v1/leads/{leadId}/notifications` — its deliveries, addresses masked, no content.
struct LeadRoutes: Sendable {
    let core: NotifierCore

    struct ReminderInput: Decodable {
        let delay: FollowUpDelay
        let note: String?
        let recipientId: String?
    }

    struct DeliveryView: Encodable {
        let id: UUID
        let notificationKey: String
        let kind: NotificationKind
        let purpose: NotificationPurpose
        let channel: NotificationChannel
        let recipient: NotificationRecipient
        let state: String
        let attempts: Int
        let dueAt: Date
        let lastError: String?

        init(_ record: DeliveryRecord) {
            id = record.id
            notificationKey = record.key.value
            kind = record.kind
            purpose = record.kind.purpose
            channel = record.channel
            recipient = record.recipient
            state = record.state.rawValue
            attempts = record.attempts
            dueAt = record.dueAt
            lastError = record.lastError
        }
    }

    func add(to router: Router<LeadflowRequestContext>) {
        let core = self.core
        router.get("/v1/leads/:leadId/schedule") { request, context -> Response in
            let principal = try context.requirePrincipal()
            let leadId = try RouteSupport.leadId(context)
            let all = request.uri.queryParameters.get("all") == "true"
            let jobs = try await core.withConnection { connection in
                try await Self.requireLead(leadId, principal: principal, change: false, core: core, on: connection)
                return try await core.jobs.list(leadId: leadId, includeFinished: all, on: connection, logger: core.logger)
            }
            return try Response.json(jobs)
        }
        router.post("/v1/leads/:leadId/reminders") { request, context -> Response in
            let principal = try context.requirePrincipal()
            let leadId = try RouteSupport.leadId(context)
            let input = try await request.decodeJSON(ReminderInput.self, limits: JSONBodyLimits(maxBytes: 16 << 10, maxDepth: 4))
            if let note = input.note, note.count > 500 || note.unicodeScalars.contains(where: { $0.properties.generalCategory == .control && $0 != "\n" }) {
                throw ValidationFailure(field: "/note", rule: "format", message: "at most 500 characters, no control characters").problem
            }
            let recipient = input.recipientId ?? principal.id
            guard RecipientValidation.isValidId(recipient) else {
                throw ValidationFailure(field: "/recipientId", rule: "format", message: "not a member id").problem
            }
            if principal.role == .salesperson, recipient != principal.id {
                throw Problem(status: .forbidden, code: "forbidden", detail: "salespeople set reminders for themselves only")
            }
            let now = core.clock()
            let listing = try await core.postgres.transaction(logger: core.logger) { connection -> JobStore.Listing in
                try await Self.requireLead(leadId, principal: principal, change: true, core: core, on: connection)
                let zone = try await core.recipients.timeZones(locations: [], members: [recipient], on: connection, logger: core.logger)
                let job = Planner(options: core.configuration.planner).reminderJob(
                    delay: input.delay, recipientId: recipient, note: input.note, zone: zone.member(recipient), now: now)
                let ids = try await core.jobs.create([job], leadId: leadId, by: principal.description, on: connection, logger: core.logger)
                guard let id = ids.first, let stored = try await core.jobs.list(leadId: leadId, includeFinished: false, on: connection,
                                                                                logger: core.logger).first(where: { $0.id == id })
                else { throw StoreInconsistency(what: "a reminder vanished after it was written") }
                return stored
            }
            core.schedulerSignal.wake()
            return try Response.json(listing, status: .created)
        }
        router.delete("/v1/leads/:leadId/reminders/:reminderId") { _, context -> Response in
            let principal = try context.requirePrincipal()
            let leadId = try RouteSupport.leadId(context)
            guard let text = context.parameters.get("reminderId"), let id = UUID(uuidString: text) else {
                throw Problem.notFound("no such reminder")
            }
            try await core.postgres.transaction(logger: core.logger) { connection in
                try await Self.requireLead(leadId, principal: principal, change: true, core: core, on: connection)
                guard try await core.jobs.cancelReminder(
                    id, leadId: leadId, onlyFor: principal.role == .salesperson ? principal.id : nil, on: connection, logger: core.logger)
                else { throw Problem.notFound("no such reminder") }
            }
            return Response(status: .noContent)
        }
        router.get("/v1/leads/:leadId/notifications") { _, context -> Response in
            let principal = try context.requirePrincipal()
            let leadId = try RouteSupport.leadId(context)
            let records = try await core.withConnection { connection in
                try await Self.requireLead(leadId, principal: principal, change: false, core: core, on: connection)
                return try await core.deliveries.list(leadId: leadId, on: connection, logger: core.logger)
            }
            return try Response.json(records.map(DeliveryView.init))
        }
    }

    /// 404 unless the principal may read (or change) the lead; 403 for roles that never may.
    static func requireLead(
        _ leadId: LeadID, principal: Principal, change: Bool, core: NotifierCore, on connection: PostgresConnection
    ) async throws {
        guard let lead = try await core.leads.find(leadId, on: connection, logger: core.logger) else {
            try principal.requireLead(LeadAccessFacts(), change: change)  // 403 for roles without lead access
            throw Problem.notFound("no such lead")
        }
        try principal.requireLead(lead.accessFacts, change: change)
    }
}
