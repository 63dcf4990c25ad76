import Foundation
import LeadModel
import LeadServiceKit
import LeadStorage
import Logging
import PostgresNIO

/// Turns notification requests into stored deliveries, inside the caller's transaction: resolves
/// the audience through the recipients directory and preferences, renders the templates (with
/// signed action links), applies quiet hours, and records suppressed ones with their outcomes.
struct DeliveryComposer: Sendable {
    let recipients: RecipientStore
    /// The current templates (cached; see ``NotifierCore``).
    let templates: @Sendable (PostgresConnection) async throws -> [TemplateKey: TemplateContent]
    let deliveries: DeliveryStore
    let links: ActionLinkBuilder
    let outcomes: Outcomes
    let smsEnabled: Bool

    /// What composing produced.
    struct Result {
        /// Outcome events of suppressed deliveries.
        var records: [OutboxRecord] = []
        /// Deliveries waiting to be sent.
        var pending = 0
    }

    /// One resolved recipient of a request.
    private struct Target {
        var id: String
        var kind: NotificationRecipient.Kind
        var name: String?
        var channels: [(NotificationChannel, String?)]
        var zone: TimeZone
        var quietHours: QuietHours?
        var suppression: String?
    }

    func compose(
        _ requests: [NotificationRequest], lead: TrackedLead, cause: NotificationCause, causeEventId: UUID?, now: Date,
        on connection: PostgresConnection, logger: Logger
    ) async throws -> Result {
        var result = Result()
        guard !requests.isEmpty, !lead.erased else { return result }
        let memberIds = Set(requests.compactMap { request -> String? in
            if case .member(let id, _) = request.audience { return id }
            return nil
        }).union(lead.collaborators)
        let locations = Set(requests.compactMap { request -> String? in
            if case .locationContacts(let location) = request.audience { return location }
            return nil
        })
        let wantsSubscribers = requests.contains { !$0.kind.isCustomerFacing }
        let directory = try await recipients.directory(
            members: Array(memberIds), locations: Array(locations), includeSubscribers: wantsSubscribers,
            subscriberLocation: lead.locationId, on: connection, logger: logger)
        var members: [String: RecipientProfile] = [:]
        var contactsByLocation: [String: [RecipientProfile]] = [:]
        var subscribers: [RecipientProfile] = []
        for profile in directory {
            if memberIds.contains(profile.id) { members[profile.id] = profile }
            if profile.kind == .locationContact, profile.active, let location = profile.locationId, locations.contains(location) {
                contactsByLocation[location, default: []].append(profile)
            }
            if wantsSubscribers, profile.kind == .webhook, profile.active,
               profile.locationId == nil || profile.locationId == lead.locationId {
                subscribers.append(profile)
            }
        }
        let contents = try await templates(connection)

        var records: [DeliveryRecord] = []
        var seen: Set<String> = []
        for request in requests {
            var targets = self.targets(of: request, lead: lead, members: members, contacts: contactsByLocation)
            if !request.kind.isCustomerFacing {
                targets += subscribers.filter { $0.subscribes(to: request.kind.purpose) }.map(Self.target(of:))
            }
            for target in targets where seen.insert("\(request.kind.rawValue)/\(target.id)").inserted {
                records += try deliveries(of: request, to: target, lead: lead, contents: contents, cause: cause,
                                          causeEventId: causeEventId, now: now)
            }
        }
        let inserted = try await deliveries.insert(records, on: connection, logger: logger)
        for record in records where inserted.contains(record.key.value) {
            if record.state == .suppressed {
                result.records.append(try outcomes.outcome(
                    record, status: .suppressed, attempts: 0, error: record.lastError, nextAttemptAt: nil, now: now))
            } else {
                result.pending += 1
            }
        }
        return result
    }

    private func targets(
        of request: NotificationRequest, lead: TrackedLead, members: [String: RecipientProfile], contacts: [String: [RecipientProfile]]
    ) -> [Target] {
        switch request.audience {
        case .member(let id, let isOwner):
            guard let profile = members[id] else {
                return [Target(id: id, kind: .member, channels: [(.email, nil)], zone: TimeZones.utc, suppression: "no_recipient_profile")]
            }
            var targets = [Self.target(of: profile)]
            if isOwner, request.kind.copiesCollaborators, profile.includeCollaborators {
                for collaborator in lead.collaborators where collaborator != id {
                    if let profile = members[collaborator] { targets.append(Self.target(of: profile)) }
                }
            }
            return targets
        case .locationContacts(let location):
            let list = contacts[location] ?? []
            guard !list.isEmpty else {
                return [Target(id: location, kind: .locationContact, channels: [(.email, nil)], zone: TimeZones.utc,
                               suppression: "no_location_contact")]
            }
            return list.map(Self.target(of:))
        case .customer:
            return [customerTarget(lead)]
        }
    }

    private static func target(of profile: RecipientProfile) -> Target {
        Target(
            id: profile.id, kind: profile.kind.outcomeKind, name: profile.name,
            channels: profile.channels.isEmpty ? [(.email, nil)] : profile.channels.map { ($0, profile.address(for: $0)) }, zone: profile.zone,
            quietHours: profile.kind == .webhook ? nil : profile.quietHours,
            suppression: profile.active ? (profile.channels.isEmpty ? "no_channel" : nil) : "recipient_inactive")
    }

    private func customerTarget(_ lead: TrackedLead) -> Target {
        let id = lead.leadId.description
        let utc = TimeZones.utc
        guard let snapshot = lead.snapshot else {
            return Target(id: id, kind: .customer, channels: [(.email, nil)], zone: utc, suppression: "lead_unknown")
        }
        if snapshot.isTest {
            return Target(id: id, kind: .customer, channels: [(.email, nil)], zone: utc, suppression: "test_lead")
        }
        let name = snapshot.fullName.full.isEmpty ? nil : snapshot.fullName.full
        if let email = snapshot.contacts.primaryEmail?.address, RecipientValidation.isValidEmail(email),
           snapshot.consent?.email != false {
            return Target(id: id, kind: .customer, name: name, channels: [(.email, email)], zone: utc)
        }
        if smsEnabled, let phone = snapshot.contacts.primaryPhone?.e164, RecipientValidation.isValidPhone(phone),
           snapshot.consent?.sms != false {
            return Target(id: id, kind: .customer, name: name, channels: [(.sms, phone)], zone: utc)
        }
        return Target(id: id, kind: .customer, channels: [(.email, nil)], zone: utc, suppression: "no_customer_contact")
    }

    private func deliveries(
        of request: NotificationRequest, to target: Target, lead: TrackedLead, contents: [TemplateKey: TemplateContent],
        cause: NotificationCause, causeEventId: UUID?, now: Date
    ) throws -> [DeliveryRecord] {
        let actions = ActionLinkPlan.actions(for: request.kind, recipient: target.kind, response: lead.locationResponse)
        var urls: [ActionLinkAction: String] = [:]
        var reviewLinks: [(rating: Int, url: String)] = []
        if target.suppression == nil, !actions.isEmpty {
            let actor = target.kind == .customer
                ? Actor(id: lead.leadId.description, role: .customer) : Actor(id: target.id, role: .locationContact)
            urls = try links.links(leadId: lead.leadId, locationId: lead.locationId, actor: actor, actions: actions, now: now)
            if let review = urls[.reviewLocation] { reviewLinks = ActionLinkBuilder.reviewLinks(from: review) }
        }
        let model = MessageModel(
            recipientName: target.name ?? (target.kind == .customer ? lead.snapshot?.fullName.first : nil),
            leadId: lead.leadId, lead: lead.snapshot, locationId: lead.locationId, actions: urls, reviewLinks: reviewLinks,
            task: request.taskTitle.map { ($0, request.taskDueAt ?? request.dueAt) }, appointment: request.appointment,
            reminderNote: request.note, respondBy: request.respondBy, now: now, timeZone: target.zone)
        let dueAt = target.quietHours?.nextAllowed(after: request.dueAt, in: target.zone) ?? request.dueAt

        return try target.channels.map { channel, address in
            let key = NotificationKey(cause: cause, kind: request.kind, recipientId: target.id, channel: channel)
            var reason = target.suppression
            if reason == nil, address == nil { reason = "no_address" }
            if reason == nil, channel == .sms, !smsEnabled { reason = "sms_not_configured" }
            let recipient = NotificationRecipient(
                id: target.id, kind: target.kind,
                addressHash: address.map { AddressPrivacy.hash($0, channel: channel) },
                maskedAddress: address.map { AddressPrivacy.mask($0, channel: channel) })
            var record = DeliveryRecord(
                id: UUID(), key: key, leadId: lead.leadId, kind: request.kind, channel: channel, recipient: recipient,
                recipientName: target.name, address: nil, subject: nil, text: nil, html: nil, payload: nil,
                causeEventId: causeEventId, state: .suppressed, dueAt: dueAt, attempts: 0, lastError: reason)
            guard reason == nil, let address else { return record }
            let rendered = try TemplateRenderer(contents[TemplateKey(kind: request.kind, channel: channel)]
                ?? DefaultTemplates.content(for: TemplateKey(kind: request.kind, channel: channel))).render(model)
            record.state = .pending
            record.address = address
            record.subject = channel == .email ? rendered.subject : nil
            record.text = rendered.text
            record.html = channel == .email ? rendered.html : nil
            if channel == .webhook {
                record.payload = try LeadflowJSON.encode(WebhookPayload(
                    notificationKey: key.value, kind: request.kind, purpose: request.kind.purpose, leadId: lead.leadId,
                    occurredAt: now, recipient: WebhookPayload.Recipient(id: target.id, kind: target.kind),
                    subject: rendered.subject, message: rendered.text, lead: WebhookPayload.LeadSummary(lead),
                    actions: urls.isEmpty ? nil : Dictionary(uniqueKeysWithValues: urls.map { ($0.key.rawValue, $0.value) })))
            }
            return record
        }
    }
}

/// The JSON body of a webhook delivery.
struct WebhookPayload: Codable, Sendable {
    struct Recipient: Codable, Sendable {
        let id: String
        let kind: NotificationRecipient.Kind
    }

    struct LeadSummary: Codable, Sendable {
        let id: LeadID
        let name: String?
        let vehicle: String?
        let locationId: String?
        let ownerId: String?
        let teamId: String?
        let pipelineStatus: String?
        let locationResponse: LocationResponseStatus?

        init(_ lead: TrackedLead) {
            id = lead.leadId
            name = lead.snapshot.map(\.fullName.full).flatMap { $0.isEmpty ? nil : $0 }
            vehicle = lead.snapshot?.preferredVehicle.flatMap(MessageModel.describe)
            locationId = lead.locationId
            ownerId = lead.ownerId
            teamId = lead.teamId
            pipelineStatus = lead.pipelineStatus?.rawValue
            locationResponse = lead.locationResponse
        }
    }

    let notificationKey: String
    let kind: NotificationKind
    let purpose: NotificationPurpose
    let leadId: LeadID
    let occurredAt: Date
    let recipient: Recipient
    let subject: String?
    let message: String
    let lead: LeadSummary
    let actions: [String: String]?
}
