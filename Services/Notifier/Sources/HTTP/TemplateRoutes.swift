import Foundation
import Hummingbird
import LeadModel
import LeadServiceKit

/// `/v1/templates`: the Mustache templates per kind and channel (platform admin).
///
/// * `GET /v1/templates` — every template.
/// * `GET /v1/templates/{kind}/{channel}` — one.
/// * `PUT /v1/templates/{kind}/{channel}` — replace it (`subject`, `text`, `html`), validated.
/// * `POST /v1/templates/{kind}/{channel}/preview` — render it (or the body's draft) for a sample lead.
struct TemplateRoutes: Sendable {
    let core: NotifierCore

    struct View: Encodable {
        let kind: NotificationKind
        let channel: NotificationChannel
        let subject: String?
        let text: String
        let html: String?
        let version: Int
        let updatedAt: Date
        let updatedBy: String

        init(_ entry: TemplateStore.Entry) {
            kind = entry.key.kind
            channel = entry.key.channel
            subject = entry.content.subject
            text = entry.content.text
            html = entry.content.html
            version = entry.version
            updatedAt = entry.updatedAt
            updatedBy = entry.updatedBy
        }
    }

    struct Input: Decodable {
        let subject: String?
        let text: String
        let html: String?
    }

    struct PreviewInput: Decodable {
        let template: Input?
    }

    func add(to router: Router<LeadflowRequestContext>) {
        let core = self.core
        router.get("/v1/templates") { _, context -> Response in
            try context.requirePrincipal().require(.administer)
            let entries = try await core.withConnection { try await core.templates.all(on: $0, logger: core.logger) }
            return try Response.json(entries.map(View.init))
        }
        router.get("/v1/templates/:kind/:channel") { _, context -> Response in
            try context.requirePrincipal().require(.administer)
            let key = try Self.key(context)
            guard let entry = try await core.withConnection({ try await core.templates.find(key, on: $0, logger: core.logger) }) else {
                throw Problem.notFound("no such template")
            }
            return try Response.json(View(entry))
        }
        router.put("/v1/templates/:kind/:channel") { request, context -> Response in
            let principal = try context.requirePrincipal()
            try principal.require(.administer)
            let key = try Self.key(context)
            let input = try await request.decodeJSON(Input.self, limits: JSONBodyLimits(maxBytes: 256 << 10, maxDepth: 4))
            let content = try Self.validated(input, for: key)
            let entry = try await core.postgres.transaction(logger: core.logger) { connection in
                try await core.templates.put(key, content, by: principal.description, on: connection, logger: core.logger)
            }
            core.templateCache.invalidate()
            core.logger.info("template changed", metadata: ["template": "\(key)", "by": "\(principal)", "version": "\(entry.version)"])
            return try Response.json(View(entry))
        }
        router.post("/v1/templates/:kind/:channel/preview") { request, context -> Response in
            try context.requirePrincipal().require(.administer)
            let key = try Self.key(context)
            let draft = try await request.decodeJSON(PreviewInput.self, limits: JSONBodyLimits(maxBytes: 256 << 10, maxDepth: 4))
            let content: TemplateContent
            if let template = draft.template {
                content = try Self.validated(template, for: key)
            } else {
                let stored = try await core.withConnection { try await core.templates.find(key, on: $0, logger: core.logger) }
                content = stored?.content ?? DefaultTemplates.content(for: key)
            }
            let renderer: TemplateRenderer
            do { renderer = try TemplateRenderer(content) } catch let failure as ValidationFailure { throw failure.problem }
            return try Response.json(renderer.render(SampleMessage.model(for: key, links: core.composer.links, now: core.clock())))
        }
    }

    static func key(_ context: LeadflowRequestContext) throws -> TemplateKey {
        TemplateKey(
            kind: try RouteSupport.parameter(context, "kind", as: NotificationKind.self, what: "template kind"),
            channel: try RouteSupport.parameter(context, "channel", as: NotificationChannel.self, what: "channel"))
    }

    /// Checks the parts each channel uses and that every part is a valid template.
    static func validated(_ input: Input, for key: TemplateKey) throws -> TemplateContent {
        switch key.channel {
        case .email:
            guard let subject = input.subject, !subject.allSatisfy(\.isWhitespace) else {
                throw ValidationFailure(field: "/subject", rule: "required", message: "e-mail templates need a subject").problem
            }
        case .sms, .webhook:
            if input.subject != nil || input.html != nil {
                throw ValidationFailure(field: input.subject != nil ? "/subject" : "/html", rule: "not_allowed",
                                        message: "\(key.channel.rawValue) templates have a text part only").problem
            }
        }
        if input.text.allSatisfy(\.isWhitespace) {
            throw ValidationFailure(field: "/text", rule: "required", message: "the text must not be empty").problem
        }
        let content = TemplateContent(subject: input.subject, text: input.text, html: input.html)
        do {
            _ = try TemplateRenderer(content)
        } catch {
            throw error.problem
        }
        return content
    }
}

/// The sample lead templates are previewed with.
enum SampleMessage {
    static func model(for key: TemplateKey, links: ActionLinkBuilder, now: Date) -> MessageModel {
        let lead = Lead(
            id: LeadID(UUID(uuidString: "00000000-0000-4000-8000-000000000001")!),
            fullName: PersonName(first: "Alex", last: "Sample"),
            contacts: ContactInfo(emails: [EmailAddress(address: "alex.sample@example.com")],
                                  phones: [PhoneNumber(raw: "+1 555 555 0100", e164: "+15555550100")]),
            source: LeadSource(id: "sample-source", name: "Sample source", channel: .json),
            locationId: "loc-sample", ownerId: "member-sample",
            vehiclesOfInterest: [VehicleOfInterest(year: 2024, make: "Toyota", model: "RAV4", trim: "XLE", isPreferred: true)],
            locationResponse: .accepted, score: 72, priority: .hot, createdAt: now)
        let recipientKind: NotificationRecipient.Kind = key.kind.isCustomerFacing ? .customer : .locationContact
        let actions = ActionLinkPlan.actions(for: key.kind, recipient: recipientKind, response: .accepted)
        var urls: [ActionLinkAction: String] = [:]
        for action in actions { urls[action] = links.url(for: "preview-\(action.rawValue)") }
        return MessageModel(
            recipientName: key.kind.isCustomerFacing ? "Alex Sample" : "Sam Seller", leadId: lead.id, lead: lead,
            locationId: lead.locationId, actions: urls,
            reviewLinks: urls[.reviewLocation].map(ActionLinkBuilder.reviewLinks(from:)) ?? [],
            task: ("Call the lead", now.addingTimeInterval(900)),
            appointment: Appointment(id: "appt-sample", at: now.addingTimeInterval(4 * 3600), kind: .testDrive),
            reminderNote: "Ask about the trade-in", respondBy: now.addingTimeInterval(3600), now: now,
            timeZone: TimeZone(identifier: "UTC")!)
    }
}
