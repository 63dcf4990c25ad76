import Foundation
import LeadModel
import Testing
@testable import LeadRouting

@Suite("Router: location, teams, fallbacks, response targets")
struct RouterTests {
    /// Columbus has a sales team and a BDC team; Cleveland has no teams (its contacts get leads);
    /// a central team takes leads no location covers.
    static func directory(settings: RoutingSettings = RoutingSettings(), extraMembers: [Member] = [], salesOnline: Bool = true) -> RoutingDirectory {
        RoutingDirectory(
            settings: settings,
            locations: [
                Fixture.location("loc-columbus", aliases: ["DLR-30412"], postalAreas: ["432"], fallbacks: [.member("member-manager")]),
                Fixture.location("loc-cleveland", postalAreas: ["441"], sla: 7200),
            ],
            teams: [
                Fixture.team("team-sales", location: "loc-columbus", priority: 1,
                             rule: TeamRule(hotResponseSlaSeconds: 120, fallbacks: [.team("team-bdc")])),
                Fixture.team("team-bdc", location: "loc-columbus", priority: 2),
                Fixture.team("team-central", rule: TeamRule(responseSlaSeconds: 3600)),
            ],
            members: [
                Fixture.member("member-ann", team: "team-sales", online: salesOnline),
                Fixture.member("member-bob", team: "team-sales", online: salesOnline),
                Fixture.member("member-bdc", team: "team-bdc", online: false),
                Fixture.member("member-manager", team: "team-bdc", online: false),
                Fixture.member("member-zoe", team: "team-central"),
            ] + extraMembers)
    }

    @Test("a lead naming a dealer goes to that location's first team with a free member")
    func namedLocationTeam() {
        let decision = Fixture.route(Fixture.lead(locationId: "DLR-30412"), in: Self.directory())
        #expect(decision.placement == Placement(ownerId: "member-ann", teamId: "team-sales", locationId: "loc-columbus"))
        #expect(decision.strategy == .roundRobin)
        #expect(!decision.isFallback)
        #expect(decision.rotation == RotationAdvance(teamId: "team-sales", memberId: "member-ann"))
        #expect(decision.consultedTeams == ["team-sales"])
        #expect(decision.reason.contains("alias of location loc-columbus"))
        #expect(decision.candidate("loc-columbus")?.kind == .location)
        #expect(decision.candidate("member-bob")?.eligible == true)
        #expect(decision.responseTarget == ResponseTarget(party: .owner, seconds: 86_400))
    }

    @Test("a location without teams gets the lead itself, with the location's response target")
    func locationOnly() {
        let decision = Fixture.route(Fixture.lead(postalCode: "44114"), in: Self.directory())
        #expect(decision.placement == Placement(locationId: "loc-cleveland"))
        #expect(decision.strategy == .territory)
        #expect(decision.responseTarget == ResponseTarget(party: .location, seconds: 7200))
        #expect(decision.rotation == nil)
    }

    @Test("Hot leads to salespeople get the Hot response target (team's, else 5 minutes)")
    func hotTarget() {
        let hot = Fixture.route(Fixture.lead(score: 90, locationId: "loc-columbus"), in: Self.directory())
        #expect(hot.responseTarget == ResponseTarget(party: .owner, seconds: 120))
        let central = Fixture.route(Fixture.lead(postalCode: "10001", score: 90), in: Self.directory())
        #expect(central.placement.ownerId == "member-zoe")
        #expect(central.responseTarget == ResponseTarget(party: .owner, seconds: 300))
        let centralCold = Fixture.route(Fixture.lead(postalCode: "10001", score: 10), in: Self.directory())
        #expect(centralCold.responseTarget == ResponseTarget(party: .owner, seconds: 3600))
    }

    @Test("leads no location covers go to the central team")
    func central() {
        let decision = Fixture.route(Fixture.lead(postalCode: "10001"), in: Self.directory())
        #expect(decision.placement == Placement(ownerId: "member-zoe", teamId: "team-central", locationId: nil))
        #expect(decision.reason.contains("no location covers the lead"))
    }

    @Test("nobody free: team fallbacks, then location fallbacks (a member takes it whatever their status)")
    func fallbackChain() {
        let decision = Fixture.route(Fixture.lead(locationId: "loc-columbus"), in: Self.directory(salesOnline: false))
        // team-sales → (team-bdc: nobody online) → team-sales fallback team-bdc: nobody → location fallback member-manager.
        #expect(decision.placement == Placement(ownerId: "member-manager", teamId: "team-bdc", locationId: "loc-columbus"))
        #expect(decision.isFallback)
        #expect(decision.strategy == .fallback)
        #expect(decision.consultedTeams == ["team-sales", "team-bdc"])
        #expect(decision.reason.contains("nobody at location loc-columbus can take the lead"))
        #expect(decision.candidate("member-manager")?.reason == "chosen: fallback owner")
    }

    @Test("when every fallback fails the lead waits in the platform's queue — never lost")
    func queue() {
        let directory = RoutingDirectory(teams: [Fixture.team("team-a")], members: [Fixture.member("member-a", online: false)])
        let decision = Fixture.route(Fixture.lead(), in: directory)
        #expect(decision.placement == Placement(queue: "unassigned"))
        let atLocation = Fixture.route(Fixture.lead(locationId: "loc-columbus"), in: Self.directory(salesOnline: false),
                                       excludedMembers: ["member-manager"])
        #expect(atLocation.placement == Placement(locationId: "loc-columbus", queue: "unassigned"))
        #expect(atLocation.responseTarget == nil)
        #expect(decision.isFallback)
        #expect(decision.responseTarget == nil)
        #expect(decision.reason.contains("waits in queue unassigned"))
    }

    @Test("the platform fallback may be an owner; an unusable one falls through to the queue")
    func platformFallback() {
        var settings = RoutingSettings(fallback: .member("member-zoe"))
        let empty = RoutingDirectory(settings: settings, teams: [Fixture.team("team-central")], members: [Fixture.member("member-zoe", team: "team-central", online: false)])
        let owner = Fixture.route(Fixture.lead(), in: empty)
        #expect(owner.placement.ownerId == "member-zoe")
        #expect(owner.isFallback)
        settings.fallback = .member("member-gone")
        let gone = Fixture.route(Fixture.lead(), in: RoutingDirectory(settings: settings))
        #expect(gone.placement.queue == "unassigned")
        #expect(gone.candidate("member-gone")?.eligible == false)
    }

    @Test("a location fallback sends the lead to that location (its contacts when nobody there is free)")
    func locationFallback() {
        let directory = RoutingDirectory(
            settings: RoutingSettings(fallback: .location("loc-cleveland")),
            locations: [Fixture.location("loc-cleveland")], teams: [], members: [])
        let decision = Fixture.route(Fixture.lead(), in: directory)
        #expect(decision.placement == Placement(locationId: "loc-cleveland"))
        #expect(decision.isFallback)
        #expect(decision.responseTarget?.party == .location)
    }

    @Test("an owner named on the lead keeps it when they are an active member")
    func namedOwner() {
        let decision = Fixture.route(Fixture.lead(postalCode: "43215", ownerId: "member-bob"), in: Self.directory())
        #expect(decision.placement == Placement(ownerId: "member-bob", teamId: "team-sales", locationId: "loc-columbus"))
        #expect(decision.strategy == .manual)
        let excluded = Fixture.route(Fixture.lead(postalCode: "43215", ownerId: "member-bob"), in: Self.directory(), excludedMembers: ["member-bob"])
        #expect(excluded.placement.ownerId == "member-ann")
    }

    @Test("re-routing avoids the location that rejected and the member who missed the target")
    func exclusions() {
        let decision = Fixture.route(
            Fixture.lead(postalCode: "43215", locationId: "loc-columbus"), in: Self.directory(), excludedLocations: ["loc-columbus"])
        #expect(decision.placement.ownerId == "member-zoe")  // no other location covers 43215 → central team
        let member = Fixture.route(Fixture.lead(locationId: "loc-columbus"), in: Self.directory(), excludedMembers: ["member-ann"])
        #expect(member.placement.ownerId == "member-bob")
    }

    @Test("too many re-routings go straight to the fallback")
    func fallbackOnly() {
        let decision = LeadRouter(directory: Self.directory()).route(
            RoutingRequest(lead: Fixture.lead(locationId: "loc-columbus"), now: Fixture.now, fallbackOnly: true), state: RoutingState())
        #expect(decision.placement.queue == "unassigned")
        #expect(decision.reason.contains("re-routed too often"))
    }

    @Test("the same input and state always give the same decision")
    func deterministic() {
        let lead = Fixture.lead(vehicleType: "suv", price: "40000", postalCode: "43219", score: 70)
        let state = RoutingState(lastAssigned: ["team-sales": "member-ann"])
        let first = Fixture.route(lead, in: Self.directory(), state: state)
        for _ in 0..<20 { #expect(Fixture.route(lead, in: Self.directory(), state: state) == first) }
        #expect(first.placement.ownerId == "member-bob")
    }
}
