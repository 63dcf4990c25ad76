import Foundation
import LeadIntegrationSupport
import LeadMessaging
import LeadModel
import LeadServiceKit
import LeadTestSupport
import Testing

@testable import LeadNotifier

/// A short random suffix for ids and addresses, so tests sharing the stack never see each other's data.
func uniqueSuffix() -> String { String(UUID().uuidString.lowercased().prefix(8)) }

/// The notifier end to end: events through the real broker, state in PostgreSQL, e-mail through a
/// real SMTP server, webhooks and SMS to local endpoints, time from an injected clock.
@Suite("Notifier service (Tansu, PostgreSQL, aiosmtpd)", .notifierStack, .serialized)
struct NotifierServiceTests {
    @Suite("Speed to lead and message content")
    struct Alerts {
        @Test("an assigned lead alerts the owner, the location's contacts (with working one-click links) and the customer")
        func assignedLead() async throws {
            let stack = try NotifierStack.shared
            let s = uniqueSuffix()
            let (owner, contact, location) = ("member-\(s)", "contact-\(s)", "loc-\(s)")
            let ownerEmail = "sam.\(s)@example.com", contactEmail = "carla.\(s)@dealer.example", customerEmail = "juergen.\(s)@example.com"
            try await stack.putRecipient(owner, #"{"kind":"member","name":"Sam Seller","email":"\#(ownerEmail)","locationId":"\#(location)"}"#)
            try await stack.putRecipient(contact, #"{"kind":"location_contact","name":"Carla Contact","email":"\#(contactEmail)","locationId":"\#(location)"}"#)
            let now = stack.clock.now
            let lead = Events.lead(email: customerEmail, owner: owner, location: location, at: now)
            let assigned = Events.assigned(lead, at: now, responseDueAt: now.addingTimeInterval(3600))
            try await stack.publish(assigned)

            let mails = await stack.sink.wait { mails in
                [ownerEmail, contactEmail, customerEmail].allSatisfy { address in mails.contains { $0.rcptTos == [address] } }
            }
            let ownerMail = try #require(mails.first { $0.rcptTos == [ownerEmail] })
            let contactMail = try #require(mails.first { $0.rcptTos == [contactEmail] })
            let customerMail = try #require(mails.first { $0.rcptTos == [customerEmail] })

            // The owner: who, what vehicle, how to reach the customer; no one-click links for members.
            #expect(ownerMail.subject == "New lead: Jürgen Groß – 2024 Škoda Octavia RS")
            #expect(ownerMail.from.contains("notifications@leadflow.test") && ownerMail.to.contains("Sam Seller"))
            #expect(ownerMail.plain.hasPrefix("Hi Sam,"))
            #expect(ownerMail.plain.contains("Preferred vehicle: 2024 Škoda Octavia RS"))
            #expect(ownerMail.plain.contains("Phone: +16145550142") && ownerMail.plain.contains("E-mail: \(customerEmail)"))
            #expect(ownerMail.plain.contains("Please respond by"))
            #expect(ownerMail.actionURLs.isEmpty)
            #expect(ownerMail.html?.contains("<strong>2024 Škoda Octavia RS</strong>") == true)
            let ownerKey = NotificationKey(cause: .event(assigned.eventId), kind: .newLeadAssigned, recipientId: owner, channel: .email)
            #expect(ownerMail.notificationKey == ownerKey.value)
            #expect(ownerMail.messageId == "<\(ownerKey.messageID(domain: "leadflow.test"))>")
            #expect(ownerMail.defects.isEmpty)

            // The location contact: acknowledge / accept / reject, each a signed single-use link for this lead.
            #expect(contactMail.plain.hasPrefix("Hi Carla,"))
            let urls = contactMail.actionURLs
            #expect(urls.count == 3)
            var actions: Set<ActionLinkAction> = []
            var nonces: Set<String> = []
            for url in urls {
                #expect(url.hasPrefix(NotifierStack.linkBase + "/v1/actions/v1."))
                let claims = try NotifierStack.claims(of: url, now: stack.clock.now)
                #expect(claims.leadId == lead.id)
                #expect(claims.locationId == location)
                #expect(claims.actor == Actor(id: contact, role: .locationContact))
                #expect(abs(claims.expiresAt.timeIntervalSince(now) - 14 * 86_400) < 5)
                #expect(contactMail.html?.contains("href=\"\(url)\"") == true)
                actions.insert(claims.action)
                nonces.insert(claims.nonce)
            }
            #expect(actions == [.acknowledge, .accept, .reject])
            #expect(nonces.count == 3)
            // A forged link does not verify.
            let forged = try #require(urls.first).replacingOccurrences(of: "v1.", with: "v1.x")
            #expect(throws: AuthenticationFailure.self) { try NotifierStack.claims(of: forged, now: stack.clock.now) }

            // The customer's automatic acknowledgement.
            #expect(customerMail.subject == "We received your request")
            #expect(customerMail.plain.contains("Hi Jürgen,") && customerMail.plain.contains("about the 2024 Škoda Octavia RS"))

            // Outcomes: one `sent` per delivery, with the recipient masked, never an address in the bytes.
            let outcomes = await stack.waitOutcomes { outcomes in
                outcomes.filter { $0.leadId == lead.id && $0.status == .sent }.count >= 3
            }.filter { $0.leadId == lead.id }
            #expect(Set(outcomes.filter { $0.status == .sent }.map(\.recipient.id)) == [owner, contact, lead.id.description])
            #expect(outcomes.allSatisfy { $0.causationEventId == assigned.eventId && $0.attempts == 1 })
            #expect(outcomes.first { $0.recipient.id == owner }?.recipient.maskedAddress == "s***@example.com")
            #expect(outcomes.first { $0.recipient.id == contact }?.recipient.kind == .locationContact)
            let raw = stack.recorder.all.filter { $0.message.keyString == lead.id.description }.map { String(decoding: $0.message.value, as: UTF8.self) }
            #expect(!raw.isEmpty && raw.allSatisfy { !$0.contains(ownerEmail) && !$0.contains(contactEmail) && !$0.contains(customerEmail) })

            // A redelivered event changes nothing: publish it again, then a later event of the same lead as a barrier.
            let barrier = Events.lifecycle(lead.id, .noteAdded(text: "barrier"), at: now)
            try await stack.publishAndWait([assigned, barrier])
            #expect(stack.sink.messages(to: ownerEmail).count == 1)
            #expect(stack.sink.messages(to: contactEmail).count == 1)

            // The lead's notifications through the API: masked, no content.
            let listed = try await stack.api("GET", "/v1/leads/\(lead.id)/notifications", token: stack.adminToken)
            #expect(listed.status == 200)
            #expect(listed.jsonArray.count == 3)
            #expect(!listed.text.contains(ownerEmail) && listed.text.contains("\"state\":\"sent\""))
        }

        @Test("SMS goes through the provider API; a recipient the SMTP server refuses ends as failed and dead-lettered")
        func smsAndPermanentFailure() async throws {
            let stack = try NotifierStack.shared
            let s = uniqueSuffix()
            let smsMember = "member-sms-\(s)", badMember = "member-bad-\(s)"
            try await stack.putRecipient(smsMember, #"{"kind":"member","name":"Tex Ter","phone":"+15555550123","channels":["sms"]}"#)
            try await stack.putRecipient(badMember, #"{"kind":"member","name":"Bo Unce","email":"reject-\#(s)@example.com"}"#)
            let now = stack.clock.now
            let smsLead = Events.lead(email: nil, owner: smsMember, location: nil, at: now)
            let badLead = Events.lead(email: nil, owner: badMember, location: nil, at: now)
            try await stack.publish(Events.assigned(smsLead, at: now), Events.assigned(badLead, at: now))

            _ = await eventually(timeout: .seconds(30)) { stack.sms.received.contains { $0.headers["idempotency-key"]?.contains(smsMember) == true } }
            let request = try #require(stack.sms.received.first { $0.headers["idempotency-key"]?.contains(smsMember) == true })
            #expect(request.path == "/v1/messages")
            #expect(request.headers["authorization"] == "Bearer \(NotifierStack.smsToken)")
            let body = try JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any]
            #expect(body?["to"] as? String == "+15555550123")
            #expect(body?["from"] as? String == "Leadflow")
            #expect((body?["body"] as? String)?.hasPrefix("New lead: Jürgen Groß, 2024 Škoda Octavia RS") == true)

            let outcomes = await stack.waitOutcomes { outcomes in
                outcomes.contains { $0.leadId == badLead.id && $0.status == .failed }
                    && outcomes.contains { $0.recipient.id == smsMember && $0.status == .sent }
            }
            let sms = try #require(outcomes.first { $0.recipient.id == smsMember && $0.status == .sent })
            #expect(sms.channel == .sms && sms.recipient.maskedAddress == "+1******0123")
            let failed = try #require(outcomes.first { $0.leadId == badLead.id && $0.status == .failed })
            #expect(failed.attempts == 1)
            #expect(failed.error?.contains("550") == true)
            #expect(failed.error?.contains("reject-\(s)") == false)
            _ = await eventually(timeout: .seconds(30)) { stack.deadLetters.contains { $0.leadId == badLead.id } }
            let letter = try #require(stack.deadLetters.first { $0.leadId == badLead.id })
            #expect(letter.stage == .notifier && letter.errorCode == "delivery_failed")
            #expect(letter.originalHeaders["notification-key"] == failed.notificationKey)
            let original = String(decoding: letter.originalValue ?? [], as: UTF8.self)
            #expect(original.contains(failed.notificationKey) && !original.contains("reject-\(s)"))

            // An operator can put it back in line; it fails again for the same reason.
            let failedList = try await stack.api("GET", "/v1/deliveries?state=failed&limit=1000", token: stack.adminToken)
            let entry = try #require(failedList.jsonArray.compactMap { $0 as? [String: Any] }.first { $0["notificationKey"] as? String == failed.notificationKey })
            let retry = try await stack.api("POST", "/v1/deliveries/\(entry["id"] as? String ?? "")/retry", token: stack.adminToken)
            #expect(retry.status == 200)
            await stack.waitOutcomes { $0.filter { $0.notificationKey == failed.notificationKey && $0.status == .failed }.count == 2 }
            #expect(stack.outcomes.filter { $0.notificationKey == failed.notificationKey && $0.status == .failed }.count == 2)
        }
    }

    @Suite("Retries")
    struct Retries {
        @Test("a webhook endpoint that fails five times, then succeeds, gets exactly one successful, signed delivery")
        func webhookRetries() async throws {
            let stack = try NotifierStack.shared
            let endpoint = try await FakeEndpoint.start(failures: 5, failureStatus: .serviceUnavailable)
            defer { Task { await endpoint.stop() } }
            let s = uniqueSuffix()
            let location = "loc-wh-\(s)", secret = "whsec-\(s)-0123456789"
            try await stack.putRecipient("wh-\(s)", #"""
                {"kind":"webhook","name":"CRM","webhookUrl":"\#(endpoint.url)/hooks/leadflow","webhookSecret":"\#(secret)",
                 "locationId":"\#(location)","purposes":["new_lead_assigned"]}
                """#)
            let now = stack.clock.now
            let lead = Events.lead(email: nil, owner: "member-nobody-\(s)", location: location, at: now)
            try await stack.publish(Events.assigned(lead, at: now))

            let outcomes = await stack.waitOutcomes { outcomes in
                outcomes.contains { $0.leadId == lead.id && $0.channel == .webhook && $0.status == .sent }
            }.filter { $0.leadId == lead.id && $0.channel == .webhook }
            #expect(outcomes.filter { $0.status == .retrying }.map(\.attempts) == [1, 2, 3, 4, 5])
            #expect(outcomes.filter { $0.status == .retrying }.allSatisfy { $0.nextAttemptAt != nil && $0.error?.contains("503") == true })
            #expect(outcomes.filter { $0.status == .sent }.map(\.attempts) == [6])
            #expect(outcomes.allSatisfy { $0.recipient == NotificationRecipient(
                id: "wh-\(s)", kind: .webhook, addressHash: $0.recipient.addressHash, maskedAddress: "http://127.0.0.1/***") })

            let received = endpoint.received
            #expect(received.count == 6)
            #expect(received.filter { $0.status == 200 }.count == 1)
            #expect(received.last?.status == 200)
            let keys = Set(received.compactMap { $0.headers["idempotency-key"] })
            #expect(keys == [try #require(outcomes.first).notificationKey])
            #expect(received.map { $0.headers["x-leadflow-attempt"] } == ["1", "2", "3", "4", "5", "6"])
            for request in received {
                let signature = try #require(request.headers["x-leadflow-signature"])
                #expect(WebhookSigner().verify(header: signature, body: request.body, secret: secret,
                                               now: Int(stack.clock.now.timeIntervalSince1970)))
                #expect(!WebhookSigner().verify(header: signature, body: request.body, secret: "another-secret-000000",
                                                now: Int(stack.clock.now.timeIntervalSince1970)))
            }
            let payload = try JSONSerialization.jsonObject(with: Data(try #require(received.last).body)) as? [String: Any]
            #expect(payload?["purpose"] as? String == "new_lead_assigned")
            #expect(payload?["leadId"] as? String == lead.id.description)
            #expect((payload?["lead"] as? [String: Any])?["vehicle"] as? String == "2024 Škoda Octavia RS")
            #expect((payload?["message"] as? String)?.contains("Jürgen Groß") == true)

            // Nothing more is sent for it: the delivery is closed with six attempts.
            #expect(try await stack.count("""
                SELECT attempts FROM notifier.deliveries WHERE channel = 'webhook' AND lead_id = '\(lead.id)' AND state = 'sent'
                """) == 6)
        }
    }
}
