import Foundation
import LeadModel
@testable import LeadScoring

/// Sample leads and events for the scoring tests. Dates are whole milliseconds so they survive
/// the JSON round trip exactly.
enum Fixtures {
    static let start = LeadflowJSON.parseDate("2025-03-19T13:00:00.000Z")!

    static func at(hours: Double) -> Date { start.addingTimeInterval(hours * 3600) }
    static func at(days: Double) -> Date { start.addingTimeInterval(days * 86_400) }

    static let source = LeadSource(id: "src-website", name: "Website", channel: .json)

    /// A lead with an e-mail only, browsing, no timeframe: Cold under the default rules.
    static func coldLead(id: LeadID = LeadID(), createdAt: Date = start) -> Lead {
        Lead(
            id: id, fullName: PersonName(full: "Cold Prospect"),
            contacts: ContactInfo(emails: [EmailAddress(address: "cold@example.com")]),
            source: source,
            vehiclesOfInterest: [VehicleOfInterest(interest: .buy, kind: .search, make: "Honda", model: "Civic")],
            createdAt: createdAt)
    }

    /// A complete lead asking for a specific unit this week with a qualified budget: Hot.
    static func hotLead(id: LeadID = LeadID(), createdAt: Date = start) -> Lead {
        Lead(
            id: id, fullName: PersonName(full: "Hot Buyer"),
            contacts: ContactInfo(
                emails: [EmailAddress(address: "hot@example.com")],
                phones: [PhoneNumber(raw: "(614) 555-0142", e164: "+16145550142", type: .mobile)],
                address: Address(lines: ["221 Gay St"], city: "Columbus", region: "OH", postalCode: "43215", country: "US")),
            source: source,
            vehiclesOfInterest: [VehicleOfInterest(
                interest: .buy, status: .new, kind: .inventory, year: 2025, make: "Honda", model: "CR-V",
                vin: "7FARS6H97SE012345", stock: "H25-0412", isPreferred: true)],
            budget: BudgetRange(min: Money("35000"), max: Money("45000")),
            timeframe: Timeframe(description: "This week", bucket: .withinWeek),
            createdAt: createdAt)
    }

    static func received(_ lead: Lead, at time: Date? = nil) -> LeadReceived {
        LeadReceived(
            occurredAt: time ?? lead.createdAt, lead: lead,
            intake: Intake(channel: lead.source.channel, sourceId: lead.source.id, receivedAt: time ?? lead.createdAt),
            actor: Actor(id: lead.source.id, role: .integrationSource))
    }

    static func lifecycle(_ leadId: LeadID, _ change: LifecycleChange, at time: Date) -> LeadLifecycleEvent {
        LeadLifecycleEvent(leadId: leadId, occurredAt: time, actor: Actor(id: "member-akira", role: .salesperson), change: change)
    }

    static func reply(at time: Date) -> LifecycleChange {
        .activityLogged(Activity(kind: .email, direction: .inbound, outcome: .received, at: time))
    }

    static func connectedCall(at time: Date) -> LifecycleChange {
        .activityLogged(Activity(kind: .call, direction: .outbound, outcome: .connected, at: time))
    }

    static func won() -> LifecycleChange {
        .pipelineStatusChanged(pipelineId: "default", from: .negotiation, to: .closedWon, lostReason: nil, note: nil)
    }

    static func lost() -> LifecycleChange {
        .pipelineStatusChanged(pipelineId: "default", from: .contacted, to: .closedLost, lostReason: .noLongerInterested, note: nil)
    }

    static let rules = ActiveScoring(rules: .defaults, rulesVersion: 1)
}
