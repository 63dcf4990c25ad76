import Foundation
import LeadModel
import LeadServiceKit
import Testing

@testable import LeadNotifier

@Suite("Templates: defaults, rendering, escaping")
struct TemplateTests {
    let now = Date(timeIntervalSince1970: 1_750_000_000)

    func lead(name: String = "Jürgen Groß") -> Lead {
        Lead(
            fullName: PersonName(full: name),
            contacts: ContactInfo(emails: [EmailAddress(address: "juergen@example.com")],
                                  phones: [PhoneNumber(raw: "0151 2345678", e164: "+491512345678")]),
            source: LeadSource(id: "src-1", name: "Marketplace", channel: .json),
            vehiclesOfInterest: [
                VehicleOfInterest(year: 2022, make: "VW", model: "Golf"),
                VehicleOfInterest(year: 2024, make: "Škoda", model: "Octavia", trim: "RS", isPreferred: true),
            ],
            createdAt: now)
    }

    func model(_ lead: Lead, actions: [ActionLinkAction: String] = [:], recipient: String? = "Sam Seller") -> MessageModel {
        MessageModel(recipientName: recipient, leadId: lead.id, lead: lead, locationId: "loc-1", actions: actions, now: now,
                     timeZone: TimeZone(identifier: "UTC")!)
    }

    @Test("every default template parses and renders without leftover tags")
    func defaultsRender() throws {
        let lead = lead()
        for (key, content) in DefaultTemplates.all {
            let rendered = try TemplateRenderer(content).render(model(lead, actions: [.accept: "https://x/accept"]))
            #expect(!rendered.text.contains("{{"), "\(key)")
            #expect(!rendered.text.isEmpty, "\(key)")
            if key.channel == .email {
                #expect(rendered.subject?.isEmpty == false, "\(key)")
                #expect(rendered.html?.contains("<p>") == true, "\(key)")
            }
        }
    }

    @Test("the new-lead e-mail names the recipient, the lead and its preferred vehicle, and lists the links")
    func newLeadContent() throws {
        let content = DefaultTemplates.content(for: TemplateKey(kind: .newLeadAssigned, channel: .email))
        let rendered = try TemplateRenderer(content).render(model(lead(), actions: [.accept: "https://x/a", .reject: "https://x/r"]))
        #expect(rendered.subject == "New lead: Jürgen Groß – 2024 Škoda Octavia RS")
        #expect(rendered.text.hasPrefix("Hi Sam,"))
        #expect(rendered.text.contains("Preferred vehicle: 2024 Škoda Octavia RS"))
        #expect(rendered.text.contains("Phone: +491512345678"))
        #expect(rendered.text.contains("Accept: https://x/a"))
        #expect(rendered.text.contains("Reject: https://x/r"))
        #expect(!rendered.text.contains("Acknowledge:"))
        #expect(rendered.html?.contains("href=\"https://x/a\"") == true)
    }

    @Test("HTML escapes lead data; text and subject keep it verbatim on one line")
    func escaping() throws {
        let hostile = lead(name: "<script>alert(1)</script> O'Brien")
        let content = TemplateContent(subject: "Lead {{lead.name}}\n{{lead.name}}", text: "Name: {{lead.name}}", html: "<b>{{lead.name}}</b>")
        let rendered = try TemplateRenderer(content).render(model(hostile))
        #expect(rendered.html == "<b>&lt;script&gt;alert(1)&lt;/script&gt; O&#39;Brien</b>" || rendered.html?.contains("&lt;script&gt;") == true)
        #expect(rendered.html?.contains("<script>") == false)
        #expect(rendered.text == "Name: <script>alert(1)</script> O'Brien")
        #expect(rendered.subject?.contains("\n") == false)
    }

    @Test("missing values render as nothing; sections test for them")
    func missingValues() throws {
        var anonymous = lead()
        anonymous.erasePersonalData()
        anonymous.vehiclesOfInterest = []
        let content = DefaultTemplates.content(for: TemplateKey(kind: .newLeadAssigned, channel: .email))
        let rendered = try TemplateRenderer(content).render(model(anonymous, recipient: nil))
        #expect(rendered.text.hasPrefix("Hi,"))
        #expect(!rendered.text.contains("Preferred vehicle"))
        #expect(!rendered.text.contains("Phone:"))
    }

    @Test("broken templates are refused with the part that is broken")
    func invalidTemplates() {
        #expect(throws: ValidationFailure.self) { try TemplateRenderer(TemplateContent(subject: "{{#open}}", text: "x")) }
        do {
            _ = try TemplateRenderer(TemplateContent(text: "ok", html: "{{/never-opened}}"))
            Issue.record("expected a failure")
        } catch {
            #expect(error.field == "/html")
        }
        #expect(throws: ValidationFailure.self) {
            try TemplateRenderer(TemplateContent(text: String(repeating: "x", count: TemplateRenderer.maxPartBytes + 1)))
        }
    }

    @Test("every kind maps to a published purpose; only acknowledgement and review requests are customer-facing")
    func kinds() {
        #expect(Set(NotificationKind.allCases.map(\.purpose)) == Set(NotificationPurpose.allCases))
        #expect(NotificationKind.allCases.filter(\.isCustomerFacing) == [.customerReviewRequest, .customerAcknowledgement])
        #expect(TemplateKey.all.count == NotificationKind.allCases.count * NotificationChannel.allCases.count)
    }
}
