import Foundation
import LeadModel
@testable import LeadAnalytics

/// Small builders of events for unit tests.
enum Fixture {
    static let t0 = Date(timeIntervalSince1970: 1_750_000_000)

    static func lead(
        _ id: LeadID = LeadID(), name: String = "Jane Doe", email: String? = "jane@example.com", phone: String? = "+16145550142",
        source: String = "src-web", createdAt: Date = t0, isTest: Bool = false, vehicleType: String? = nil
    ) -> Lead {
        Lead(
            id: id, fullName: PersonName(full: name),
            contacts: ContactInfo(
                emails: email.map { [EmailAddress(address: $0)] } ?? [],
                phones: phone.map { [PhoneNumber(raw: $0, e164: $0)] } ?? []),
            source: LeadSource(id: source, channel: .json),
            vehiclesOfInterest: vehicleType.map { [VehicleOfInterest(vehicleType: $0, isPreferred: true)] } ?? [],
            createdAt: createdAt, isTest: isTest)
    }

    static func received(_ lead: Lead, at: Date? = nil) -> AnyLeadflowEvent {
        .received(LeadReceived(occurredAt: at ?? lead.createdAt, lead: lead,
                               intake: Intake(channel: .json, sourceId: lead.source.id, receivedAt: lead.createdAt),
                               actor: Actor(id: lead.source.id, role: .integrationSource)))
    }

    static func lifecycle(_ leadId: LeadID, _ change: LifecycleChange, at: Date, by actor: Actor = Actor(id: "member-ann", role: .salesperson)) -> AnyLeadflowEvent {
        .lifecycle(LeadLifecycleEvent(leadId: leadId, occurredAt: at, actor: actor, change: change))
    }

    static func scored(_ lead: Lead, score: Int, at: Date) -> AnyLeadflowEvent {
        var snapshot = lead
        snapshot.score = score
        snapshot.priority = Priority(score: score)
        return .scored(LeadScored(leadId: lead.id, occurredAt: at, score: score, rulesVersion: 1, factors: [],
                                  causationEventId: UUID(), lead: snapshot))
    }

    static func assigned(_ lead: Lead, owner: String, location: String?, team: String?, at: Date, due: Date? = nil, snapshot: Bool = true) -> AnyLeadflowEvent {
        var copy = lead
        copy.ownerId = owner
        copy.locationId = location
        return .assigned(LeadAssigned(leadId: lead.id, occurredAt: at, locationId: location, teamId: team, ownerId: owner,
                                      strategy: .roundRobin, reason: "next in rotation", responseDueAt: due,
                                      causationEventId: UUID(), lead: snapshot ? copy : nil))
    }

    static func status(_ from: PipelineStatus, _ to: PipelineStatus, lostReason: LostReason? = nil) -> LifecycleChange {
        .pipelineStatusChanged(pipelineId: "default", from: from, to: to, lostReason: lostReason, note: nil)
    }

    static func call(at: Date) -> LifecycleChange {
        .activityLogged(Activity(kind: .call, direction: .outbound, outcome: .connected, at: at))
    }

    /// Projected events with arrival sequence numbers in the given (arrival) order.
    static func arrivals(_ events: [AnyLeadflowEvent]) -> [ProjectedEvent] {
        events.enumerated().map { ProjectedEvent($1, sequence: Int64($0 + 1)) }
    }

    /// Applies events one by one as the writer does (incremental when allowed, else refold).
    static func applyAsWriter(_ leadId: LeadID, _ events: [ProjectedEvent]) -> LeadProjection {
        var projection = LeadProjection(leadId: leadId)
        var seen: [ProjectedEvent] = []
        for event in events {
            seen.append(event)
            if projection.canApplyIncrementally(event) {
                projection.apply(event)
            } else {
                projection = LeadProjection.fold(leadId: leadId, events: seen)
            }
        }
        return projection
    }
}
