import Foundation
import LeadModel
import Testing
@testable import LeadRouting

@Suite("Lifecycle effects and assignment events")
struct LifecycleAndAssignmentTests {
    static let settings = RoutingSettings()

    static func routed(owner: String? = "member-ann", location: String? = "loc-columbus") -> RoutedLead {
        var routed = RoutedLead(leadId: LeadID())
        routed.lead = Fixture.lead()
        routed.placement = Placement(ownerId: owner, teamId: owner == nil ? nil : "team-sales", locationId: location)
        routed.lastAssignmentEventId = UUID()
        routed.assignedAt = Fixture.now
        routed.responseDueAt = Fixture.now.addingTimeInterval(300)
        routed.responseParty = .owner
        return routed
    }

    static func event(_ change: LifecycleChange, actor: Actor = Actor(id: "ingest", role: .system)) -> LeadLifecycleEvent {
        LeadLifecycleEvent(leadId: LeadID(), occurredAt: Fixture.now, actor: actor, change: change)
    }

    func effects(_ change: LifecycleChange, actor: Actor = Actor(id: "ingest", role: .system), routed: RoutedLead = routed()) -> [LifecycleEffect] {
        LifecycleInterpreter.effects(of: Self.event(change, actor: actor), on: routed, settings: Self.settings)
    }

    @Test("a rejection by the lead's location re-routes, excluding that location and its owner")
    func rejection() {
        let result = effects(.locationResponseChanged(locationId: "loc-columbus", from: .unacknowledged, to: .rejected, note: "no stock", followUpDelay: nil))
        #expect(result == [.reroute(excludingLocation: "loc-columbus", excludingMember: "member-ann",
                                    reason: "location loc-columbus rejected the lead", note: "no stock")])
    }

    @Test("responses of a location the lead has left change nothing")
    func staleLocation() {
        #expect(effects(.locationResponseChanged(locationId: "loc-old", from: .unacknowledged, to: .rejected, note: nil, followUpDelay: nil)).isEmpty)
    }

    @Test("acknowledging or accepting stops the clock; won, lost and complete also close")
    func locationResponses() {
        #expect(effects(.locationResponseChanged(locationId: "loc-columbus", from: .unacknowledged, to: .acknowledged, note: nil, followUpDelay: nil)) == [.acknowledge])
        #expect(effects(.locationResponseChanged(locationId: "loc-columbus", from: .acknowledged, to: .accepted, note: nil, followUpDelay: .oneHour)) == [.acknowledge])
        #expect(effects(.locationResponseChanged(locationId: "loc-columbus", from: .accepted, to: .lost, note: nil, followUpDelay: nil))
            == [.acknowledge, .close(reason: "location response lost")])
    }

    @Test("closed pipeline statuses (or any lost reason) free capacity; progress acknowledges")
    func pipeline() {
        #expect(effects(.pipelineStatusChanged(pipelineId: "default", from: .new, to: .contacted, lostReason: nil, note: nil)) == [.acknowledge])
        #expect(effects(.pipelineStatusChanged(pipelineId: "default", from: .negotiation, to: .closedWon, lostReason: nil, note: nil))
            == [.acknowledge, .close(reason: "pipeline status closed_won")])
        #expect(effects(.pipelineStatusChanged(pipelineId: "custom", from: "open", to: "gone", lostReason: .noLongerInterested, note: nil))
            .contains(.close(reason: "pipeline status gone")))
    }

    @Test("the owner working the lead acknowledges it; others' notes do not")
    func ownerActions() {
        let owner = Actor(id: "member-ann", role: .salesperson)
        #expect(effects(.noteAdded(text: "called"), actor: owner) == [.acknowledge])
        #expect(effects(.noteAdded(text: "called"), actor: Actor(id: "member-bob", role: .salesperson)).isEmpty)
        let outbound = Activity(kind: .call, direction: .outbound, outcome: .noAnswer, at: Fixture.now)
        #expect(effects(.activityLogged(outbound)) == [.acknowledge])
        let inbound = Activity(kind: .email, direction: .inbound, outcome: .received, at: Fixture.now)
        #expect(effects(.activityLogged(inbound)).isEmpty)
    }

    @Test("manual assignment, collaborators, erasure and merges map to their effects")
    func others() {
        #expect(effects(.manuallyAssigned(ownerId: "member-bob", locationId: nil, note: "VIP")) == [.manualAssign(ownerId: "member-bob", locationId: nil, note: "VIP")])
        #expect(effects(.collaboratorsChanged(added: ["member-c"], removed: [])) == [.collaborators(added: ["member-c"], removed: [])])
        #expect(effects(.erased) == [.erase])
        let merged = [LeadID()]
        #expect(effects(.merged(mergedLeadIds: merged)) == [.closeMerged(merged)])
    }

    @Test("an assignment moves the snapshot, starts the clock and names what was before")
    func apply() {
        let routed = Self.routed()
        let decision = RoutingDecision(
            placement: Placement(ownerId: "member-zoe", teamId: "team-central", locationId: nil), strategy: .roundRobin,
            candidates: [AssignmentCandidate(memberId: "member-zoe", eligible: true, reason: "chosen")], reason: "why",
            isFallback: false, responseTarget: ResponseTarget(party: .owner, seconds: 300), rotation: nil, consultedTeams: [])
        let cause = UUID(), eventId = UUID()
        let (next, event) = Assignment.apply(decision, to: routed, now: Fixture.now, eventId: eventId, causationEventId: cause)
        #expect(next.placement == decision.placement)
        #expect(next.responseDueAt == Fixture.now.addingTimeInterval(300))
        #expect(next.lastAssignmentEventId == eventId)
        #expect(event.previousOwnerId == "member-ann")
        #expect(event.previousLocationId == "loc-columbus")
        #expect(event.ownerId == "member-zoe")
        #expect(event.teamId == "team-central")
        #expect(event.lead?.ownerId == "member-zoe")
        #expect(event.lead?.locationId == nil)
        #expect(event.lead?.locationResponse == nil)
        #expect(event.causationEventId == cause)
        #expect(event.actor == .system("routing"))
        #expect(event.responseDueAt == Fixture.now.addingTimeInterval(300))
    }

    @Test("a first assignment to a location marks the snapshot unacknowledged; a queue stops the clock")
    func firstAssignment() {
        var fresh = RoutedLead(leadId: LeadID())
        fresh.lead = Fixture.lead(locationId: "DLR-30412")
        let toLocation = RoutingDecision(
            placement: Placement(locationId: "loc-columbus"), strategy: .territory, candidates: [], reason: "r",
            isFallback: false, responseTarget: ResponseTarget(party: .location, seconds: 86_400), rotation: nil, consultedTeams: [])
        let (located, event) = Assignment.apply(toLocation, to: fresh, now: Fixture.now, eventId: UUID(), causationEventId: UUID())
        #expect(event.lead?.locationId == "loc-columbus")
        #expect(event.lead?.locationResponse == .unacknowledged)
        #expect(event.previousOwnerId == nil && event.previousLocationId == nil)
        let toQueue = RoutingDecision(
            placement: Placement(queue: "unassigned"), strategy: .fallback, candidates: [], reason: "r", isFallback: true,
            responseTarget: nil, rotation: nil, consultedTeams: [])
        let (queued, queuedEvent) = Assignment.apply(toQueue, to: located, now: Fixture.now, eventId: UUID(), causationEventId: UUID())
        #expect(queued.responseDueAt == nil)
        #expect(queuedEvent.isFallback)
        #expect(queuedEvent.previousLocationId == "loc-columbus")
    }

    @Test("a manual assignment takes the chosen member and notes what the rules would object to")
    func manual() {
        let directory = RoutingDirectory(
            teams: [Fixture.team("team-sales", location: "loc-columbus")],
            members: [Fixture.member("member-bob", team: "team-sales", online: false, capacity: 1)])
        let decision = Assignment.manual(
            ownerId: "member-bob", locationId: nil, note: "VIP", actor: Actor(id: "mgr", role: .manager), current: .none,
            isHot: true, directory: directory, state: RoutingState(openLeads: ["member-bob": 1]), now: Fixture.now)
        #expect(decision.placement == Placement(ownerId: "member-bob", teamId: "team-sales", locationId: "loc-columbus"))
        #expect(decision.strategy == .manual)
        #expect(decision.candidates.first?.reason == "chosen by manager mgr although offline, at capacity 1/1")
        #expect(decision.responseTarget == ResponseTarget(party: .owner, seconds: 300))
    }

    @Test("a collaborator change is published without moving the lead")
    func collaborators() {
        var routed = Self.routed()
        routed.collaborators = ["member-c", "member-d"]
        let actor = Actor(id: "mgr", role: .manager)
        let (next, event) = Assignment.collaborators(
            added: ["member-e", "member-c"], removed: ["member-d"], on: routed, now: Fixture.now, eventId: UUID(),
            causationEventId: UUID(), actor: actor)
        #expect(next.collaborators == ["member-c", "member-e"])
        #expect(event.lead?.collaborators == ["member-c", "member-e"])
        #expect(event.ownerId == "member-ann")
        #expect(event.strategy == .manual)
        #expect(event.actor == actor)
        #expect(event.reason == "collaborators changed by manager mgr: added member-e, member-c; removed member-d")
    }
}
