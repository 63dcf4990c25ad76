import Foundation
import LeadModel
import LeadServiceKit
import Testing

@testable import LeadNotifier

@Suite("Notifier core: quiet hours, privacy, keys, validation, retries")
struct CoreTests {
    let berlin = TimeZone(identifier: "Europe/Berlin")!

    func date(_ text: String) -> Date {
        try! Date(text, strategy: .iso8601)
    }

    @Test("quiet hours across midnight hold deliveries until they end, in the recipient's zone")
    func quietHoursOvernight() {
        let quiet = QuietHours(startMinute: 21 * 60, endMinute: 7 * 60)
        // 22:30 Berlin (CEST, UTC+2) → 07:00 the next morning Berlin.
        #expect(quiet.nextAllowed(after: date("2025-06-03T20:30:00Z"), in: berlin) == date("2025-06-04T05:00:00Z"))
        // 03:00 Berlin → 07:00 the same morning.
        #expect(quiet.nextAllowed(after: date("2025-06-04T01:00:00Z"), in: berlin) == date("2025-06-04T05:00:00Z"))
        // 12:00 Berlin is outside the window.
        #expect(quiet.nextAllowed(after: date("2025-06-04T10:00:00Z"), in: berlin) == date("2025-06-04T10:00:00Z"))
        // The end minute itself is allowed.
        #expect(quiet.nextAllowed(after: date("2025-06-04T05:00:00Z"), in: berlin) == date("2025-06-04T05:00:00Z"))
    }

    @Test("quiet hours within one day, and an empty window")
    func quietHoursSameDay() {
        let lunch = QuietHours(startMinute: 12 * 60, endMinute: 13 * 60 + 30)
        let utc = TimeZone(identifier: "UTC")!
        #expect(lunch.nextAllowed(after: date("2025-06-04T12:10:00Z"), in: utc) == date("2025-06-04T13:30:00Z"))
        #expect(lunch.nextAllowed(after: date("2025-06-04T11:59:00Z"), in: utc) == date("2025-06-04T11:59:00Z"))
        let none = QuietHours(startMinute: 600, endMinute: 600)
        #expect(none.nextAllowed(after: date("2025-06-04T10:00:00Z"), in: utc) == date("2025-06-04T10:00:00Z"))
    }

    @Test("quiet hours decode from HH:mm and refuse anything else")
    func quietHoursJSON() throws {
        let decoded = try LeadflowJSON.decode(QuietHours.self, from: Array(#"{"start":"21:00","end":"07:30"}"#.utf8))
        #expect(decoded == QuietHours(startMinute: 1260, endMinute: 450))
        #expect(String(decoding: try LeadflowJSON.encode(decoded), as: UTF8.self).contains("07:30"))
        for bad in [#"{"start":"25:00","end":"07:00"}"#, #"{"start":"7:00","end":"07:00"}"#, #"{"start":"07:00"}"#, #"{"start":1,"end":2}"#] {
            #expect(throws: (any Error).self) { try LeadflowJSON.decode(QuietHours.self, from: Array(bad.utf8)) }
        }
    }

    @Test("addresses are masked for display and hashed for correlation, never shown whole")
    func privacy() {
        #expect(AddressPrivacy.mask("jane.doe@example.com", channel: .email) == "j***@example.com")
        #expect(AddressPrivacy.mask("+16145550142", channel: .sms) == "+1******0142")
        #expect(AddressPrivacy.mask("https://hooks.example.com/secret/path?token=1", channel: .webhook) == "https://hooks.example.com/***")
        #expect(AddressPrivacy.hash(" Jane.Doe@Example.com ", channel: .email) == AddressPrivacy.hash("jane.doe@example.com", channel: .email))
        #expect(AddressPrivacy.hash("jane.doe@example.com", channel: .email).count == 64)
        #expect(!AddressPrivacy.hash("jane.doe@example.com", channel: .email).contains("jane"))
    }

    @Test("notification keys come from the cause, and so does the Message-ID")
    func keys() {
        let event = UUID()
        let a = NotificationKey(cause: .event(event), kind: .newLeadAssigned, recipientId: "member-1", channel: .email)
        let b = NotificationKey(cause: .event(event), kind: .newLeadAssigned, recipientId: "member-1", channel: .email)
        let c = NotificationKey(cause: .event(event), kind: .newLeadAssigned, recipientId: "member-1", channel: .sms)
        #expect(a == b)
        #expect(a != c)
        #expect(a.messageID(domain: "example.com") == b.messageID(domain: "example.com"))
        #expect(a.messageID(domain: "example.com") != c.messageID(domain: "example.com"))
        #expect(a.messageID(domain: "example.com").hasSuffix("@example.com"))
        let job = UUID()
        #expect(NotificationKey(cause: .job(job, occurrence: 0), kind: .reminder, recipientId: "m", channel: .email)
                != NotificationKey(cause: .job(job, occurrence: 1), kind: .reminder, recipientId: "m", channel: .email))
    }

    @Test("recipient validation refuses header and command injection and incomplete channels")
    func recipientValidation() {
        var profile = RecipientProfile(id: "member-1", kind: .member, name: "Sam", email: "sam@example.com", channels: [.email])
        #expect(RecipientValidation.problems(of: profile).isEmpty)
        for bad in ["sam@example.com\r\nRCPT TO:<x@y.z>", "sam@example.com>", "no-at-sign", "a b@example.com", "sam@", "ünï@example.com"] {
            profile.email = bad
            #expect(RecipientValidation.problems(of: profile).contains { $0.field == "/email" }, "\(bad)")
        }
        profile.email = nil
        #expect(RecipientValidation.problems(of: profile).contains { $0.rule == "address_required" })
        profile = RecipientProfile(id: "contact-1", kind: .locationContact, email: "c@example.com", channels: [.email])
        #expect(RecipientValidation.problems(of: profile).contains { $0.field == "/locationId" })
        profile = RecipientProfile(id: "bad id; DROP TABLE", kind: .member)
        #expect(RecipientValidation.problems(of: profile).contains { $0.field == "/id" })
        profile = RecipientProfile(id: "m", kind: .member, phone: "+0123", channels: [.sms], timeZone: "Mars/Olympus")
        #expect(RecipientValidation.problems(of: profile).contains { $0.field == "/phone" })
        #expect(RecipientValidation.problems(of: profile).contains { $0.field == "/timeZone" })
        profile = RecipientProfile(id: "wh", kind: .webhook, webhookUrl: "ftp://example.com", channels: [.webhook])
        #expect(RecipientValidation.problems(of: profile).contains { $0.field == "/webhookUrl" })
        profile = RecipientProfile(id: "m", kind: .member, name: "Evil\r\nBcc: x@y.z", email: "m@example.com", channels: [.email])
        #expect(RecipientValidation.problems(of: profile).contains { $0.field == "/name" })
    }

    @Test("retries back off exponentially with bounded jitter and give up at the limit or on permanent errors")
    func retries() {
        let policy = RetryPolicy(maxAttempts: 6, baseDelay: 2, maxDelay: 20, jitter: 0.2)
        #expect(policy.decision(afterAttempt: 1, permanent: false, random: 0.5) == .retry(after: 2))
        #expect(policy.decision(afterAttempt: 2, permanent: false, random: 0.5) == .retry(after: 4))
        #expect(policy.decision(afterAttempt: 3, permanent: false, random: 0.5) == .retry(after: 8))
        #expect(policy.decision(afterAttempt: 5, permanent: false, random: 0.5) == .retry(after: 20))
        #expect(policy.decision(afterAttempt: 1, permanent: false, random: 0) == .retry(after: 1.6))
        #expect(policy.decision(afterAttempt: 1, permanent: false, random: 1) == .retry(after: 2.4))
        #expect(policy.decision(afterAttempt: 6, permanent: false) == .giveUp)
        #expect(policy.decision(afterAttempt: 1, permanent: true) == .giveUp)
    }

    @Test("webhook signatures verify, and fail for another body, secret or an old timestamp")
    func webhookSignatures() {
        let signer = WebhookSigner()
        let body = Array(#"{"leadId":"x"}"#.utf8)
        let header = signer.signature(body: body, secret: "s3cret-s3cret-s3cret", timestamp: 1_700_000_000)
        #expect(header.hasPrefix("t=1700000000,v1="))
        #expect(signer.verify(header: header, body: body, secret: "s3cret-s3cret-s3cret", now: 1_700_000_100))
        #expect(!signer.verify(header: header, body: body + [32], secret: "s3cret-s3cret-s3cret", now: 1_700_000_100))
        #expect(!signer.verify(header: header, body: body, secret: "another-secret-xxxx", now: 1_700_000_100))
        #expect(!signer.verify(header: header, body: body, secret: "s3cret-s3cret-s3cret", now: 1_700_001_000))
        #expect(!signer.verify(header: "garbage", body: body, secret: "s3cret-s3cret-s3cret", now: 1_700_000_000))
    }

    @Test("delivery errors never carry addresses")
    func redaction() {
        let failure = DeliveryFailure("smtp: RCPT TO rejected: 550 <jane@example.com> unknown, call +16145550142", permanent: true)
        #expect(!failure.message.contains("jane@example.com"))
        #expect(!failure.message.contains("6145550142"))
        #expect(failure.message.contains("550"))
    }

    @Test("action links: what each recipient gets offered")
    func actionPlan() {
        #expect(ActionLinkPlan.actions(for: .newLeadAssigned, recipient: .locationContact, response: .unacknowledged) == [.acknowledge, .accept, .reject])
        #expect(ActionLinkPlan.actions(for: .newLeadAssigned, recipient: .member, response: .unacknowledged).isEmpty)
        #expect(ActionLinkPlan.actions(for: .statusUpdateRequest, recipient: .locationContact, response: .accepted) == [.won, .lost])
        #expect(ActionLinkPlan.actions(for: .statusUpdateRequest, recipient: .locationContact, response: .won) == [.complete])
        #expect(ActionLinkPlan.actions(for: .locationSurvey, recipient: .locationContact, response: .complete) == [.reportRevenue])
        #expect(ActionLinkPlan.actions(for: .customerReviewRequest, recipient: .customer, response: .complete) == [.reviewLocation])
    }

    @Test("signed links verify with the shared signer and name the lead, the actor and the action")
    func signedLinks() throws {
        let signer = ActionLinkSigner(secret: "a-test-secret-of-some-length-000000")
        let builder = ActionLinkBuilder(signer: signer, baseURL: "https://ingest.example.com/", lifetime: 3600)
        let lead = LeadID()
        let now = Date()
        let links = try builder.links(leadId: lead, locationId: "loc-1", actor: Actor(id: "contact-1", role: .locationContact),
                                      actions: [.accept, .reject], now: now)
        let accept = try #require(links[.accept])
        #expect(accept.hasPrefix("https://ingest.example.com/v1/actions/v1."))
        let claims = try signer.verify(String(accept.split(separator: "/").last!), now: now)
        #expect(claims.leadId == lead && claims.action == .accept && claims.actor.id == "contact-1" && claims.locationId == "loc-1")
        #expect(links[.accept] != links[.reject])
        #expect(ActionLinkBuilder.reviewLinks(from: "u").map(\.rating) == [5, 4, 3, 2, 1])
    }
}
