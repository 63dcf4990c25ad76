import Foundation
import LeadModel
import Testing
@testable import LeadRouting

@Suite("Member strategies and filters")
struct StrategyTests {
    func select(
        _ members: [Member], rule: TeamRule = TeamRule(), lead: Lead = Fixture.lead(), state: RoutingState = RoutingState(),
        excluded: Set<String> = [], now: Date = Fixture.now
    ) -> MemberSelection {
        MemberSelector.select(
            team: Fixture.team(rule: rule), members: members.sorted { $0.id < $1.id }, facts: LeadFacts(lead), now: now,
            excluded: excluded, state: state)
    }

    let trio = [Fixture.member("member-a"), Fixture.member("member-b"), Fixture.member("member-c")]

    // MARK: Round robin

    @Test("round robin: next after the team's last assignee, wrapping; every member is a candidate")
    func roundRobin() {
        let first = select(trio)
        #expect(first.winner?.id == "member-a")
        #expect(first.strategy == .roundRobin)
        #expect(first.reason == "first in rotation")
        let next = select(trio, state: RoutingState(lastAssigned: ["team-a": "member-a"]))
        #expect(next.winner?.id == "member-b")
        #expect(next.reason == "next in rotation after member-a")
        #expect(select(trio, state: RoutingState(lastAssigned: ["team-a": "member-c"])).winner?.id == "member-a")
        #expect(next.candidates.map(\.memberId) == ["member-a", "member-b", "member-c"])
        #expect(next.candidates.first { $0.memberId == "member-b" }?.reason.hasPrefix("chosen:") == true)
    }

    @Test("round robin skips members who cannot take the lead and keeps the order")
    func roundRobinSkips() {
        var members = trio
        members[1].online = false
        let selection = select(members, state: RoutingState(lastAssigned: ["team-a": "member-a"]))
        #expect(selection.winner?.id == "member-c")
        #expect(selection.candidates.first { $0.memberId == "member-b" } == AssignmentCandidate(memberId: "member-b", eligible: false, reason: "offline"))
    }

    // MARK: Availability

    @Test("availability: offline and off-shift members are skipped, with the local time as reason")
    func availability() {
        let shift = WorkingPeriod(days: [.mon, .tue, .wed, .thu, .fri], start: Fixture.time("09:00"), end: Fixture.time("15:00"))
        let members = [
            Fixture.member("member-a", online: false),
            Fixture.member("member-b", timeZone: "Europe/Berlin", hours: [shift]),
            Fixture.member("member-c", timeZone: "America/Chicago", hours: [shift]),
        ]
        let selection = select(members)
        #expect(selection.winner?.id == "member-c")
        #expect(selection.candidates[1].reason == "outside working hours (wed 16:00 Europe/Berlin)")
    }

    @Test("a rule may ignore availability")
    func availabilityOff() {
        let members = [Fixture.member("member-a", online: false)]
        #expect(select(members, rule: TeamRule(requireAvailability: false)).winner?.id == "member-a")
        #expect(select(members).winner == nil)
    }

    // MARK: Capacity

    @Test("capacity caps: a member at their cap is skipped")
    func capacity() {
        let members = [Fixture.member("member-a", capacity: 2), Fixture.member("member-b", capacity: 5)]
        let selection = select(members, state: RoutingState(openLeads: ["member-a": 2, "member-b": 4]))
        #expect(selection.winner?.id == "member-b")
        #expect(selection.candidates[0].reason == "at capacity 2/2")
        let full = select(members, state: RoutingState(openLeads: ["member-a": 2, "member-b": 5]))
        #expect(full.winner == nil)
    }

    @Test("least loaded: the smallest share of capacity wins; rotation order breaks ties")
    func leastLoaded() {
        let members = [Fixture.member("member-a", capacity: 10), Fixture.member("member-b", capacity: 4), Fixture.member("member-c", capacity: 10)]
        let rule = TeamRule(strategy: .leastLoaded)
        let selection = select(members, rule: rule, state: RoutingState(openLeads: ["member-a": 5, "member-b": 1, "member-c": 3]))
        #expect(selection.winner?.id == "member-b")  // 25 % < 30 % < 50 %
        #expect(selection.strategy == .capacity)
        let tie = select(members, rule: rule, state: RoutingState(lastAssigned: ["team-a": "member-a"], openLeads: ["member-a": 2, "member-c": 2, "member-b": 4]))
        #expect(tie.winner?.id == "member-c")  // a and c at 20 %: c comes first after a
        let uncapped = [Fixture.member("member-a"), Fixture.member("member-b", capacity: 100)]
        #expect(select(uncapped, rule: rule, state: RoutingState(openLeads: ["member-a": 3, "member-b": 7])).winner?.id == "member-a")
    }

    // MARK: Specialization

    @Test("specialization: a vehicle-type specialist is preferred over generalists; mismatches are skipped")
    func vehicleType() {
        let members = [
            Fixture.member("member-a"),
            Fixture.member("member-b", vehicleTypes: ["truck"]),
            Fixture.member("member-c", vehicleTypes: ["suv", "ev"]),
        ]
        let selection = select(members, lead: Fixture.lead(vehicleType: "SUV"))
        #expect(selection.winner?.id == "member-c")
        #expect(selection.strategy == .specialization)
        #expect(selection.reason.contains("suv specialist"))
        #expect(selection.candidates[0] == AssignmentCandidate(memberId: "member-a", eligible: true, reason: "generalist; a specialist was available"))
        #expect(selection.candidates[1] == AssignmentCandidate(memberId: "member-b", eligible: false, reason: "does not handle vehicle type suv"))
    }

    @Test("specialization: price ranges match in the same currency only")
    func priceRange() {
        let members = [
            Fixture.member("member-a", priceRanges: [PriceRange(min: 0, max: 30_000)]),
            Fixture.member("member-b", priceRanges: [PriceRange(min: 30_000, max: nil)]),
        ]
        #expect(select(members, lead: Fixture.lead(price: "51995.00")).winner?.id == "member-b")
        #expect(select(members, lead: Fixture.lead(price: "12000")).winner?.id == "member-a")
        #expect(select(members, lead: Fixture.lead(price: "30000")).winner?.id == "member-a")  // both; rotation picks a
        var euro = Fixture.lead()
        euro.vehiclesOfInterest = [VehicleOfInterest(price: Money(amount: 20_000, currency: "EUR"), isPreferred: true)]
        #expect(select(members, lead: euro).winner == nil)
    }

    @Test("specialization: with no specialist free, generalists take the lead; leads without the fact match everyone")
    func generalists() {
        let members = [Fixture.member("member-a"), Fixture.member("member-b", online: false, vehicleTypes: ["suv"])]
        let selection = select(members, lead: Fixture.lead(vehicleType: "suv"))
        #expect(selection.winner?.id == "member-a")
        let noType = select([Fixture.member("member-b", vehicleTypes: ["suv"])], lead: Fixture.lead())
        #expect(noType.winner?.id == "member-b")
        #expect(noType.strategy == .roundRobin)
    }

    @Test("a rule may ignore specialization")
    func specializationOff() {
        let members = [Fixture.member("member-a", vehicleTypes: ["truck"])]
        #expect(select(members, rule: TeamRule(matchSpecialization: false), lead: Fixture.lead(vehicleType: "suv")).winner?.id == "member-a")
    }

    // MARK: Score-weighted

    @Test("score-weighted: Hot leads rotate among the best responders only")
    func hotToBestResponders() {
        let members = (1...4).map { Fixture.member("member-\($0)") }
        let stats: [String: ResponderStats] = [
            "member-1": ResponderStats(acknowledged: 10, totalResponseSeconds: 6000),  // 600 s
            "member-2": ResponderStats(acknowledged: 10, totalResponseSeconds: 600),   // 60 s
            "member-3": ResponderStats(acknowledged: 4, totalResponseSeconds: 480),    // 120 s
        ]
        let rule = TeamRule(strategy: .scoreWeighted, bestResponders: 2)
        let hot = Fixture.lead(score: 85)
        var state = RoutingState(responders: stats)
        let first = select(members, rule: rule, lead: hot, state: state)
        #expect(first.winner?.id == "member-2")
        #expect(first.strategy == .scoreWeighted)
        state.lastAssigned["team-a"] = "member-2"
        #expect(select(members, rule: rule, lead: hot, state: state).winner?.id == "member-3")
        state.lastAssigned["team-a"] = "member-3"
        #expect(select(members, rule: rule, lead: hot, state: state).winner?.id == "member-2")
        let second = select(members, rule: rule, lead: hot, state: state)
        #expect(second.candidates.first { $0.memberId == "member-4" }?.reason.contains("not among the 2 best responders") == true)
    }

    @Test("score-weighted: cold and medium leads rotate over everyone")
    func coldToEveryone() {
        let members = (1...3).map { Fixture.member("member-\($0)") }
        let rule = TeamRule(strategy: .scoreWeighted, bestResponders: 1)
        let stats = ["member-3": ResponderStats(acknowledged: 5, totalResponseSeconds: 50)]
        let cold = select(members, rule: rule, lead: Fixture.lead(score: 10), state: RoutingState(lastAssigned: ["team-a": "member-1"], responders: stats))
        #expect(cold.winner?.id == "member-2")
        #expect(cold.strategy == .roundRobin)
        let hot = select(members, rule: rule, lead: Fixture.lead(score: 60), state: RoutingState(lastAssigned: ["team-a": "member-1"], responders: stats))
        #expect(hot.winner?.id == "member-3")
    }

    @Test("responder ranking: faster mean first, then more history, then id; no history last")
    func responderTieBreak() {
        let members = ["member-d", "member-c", "member-b", "member-a"].map { Fixture.member($0) }
        let stats = [
            "member-a": ResponderStats(acknowledged: 2, totalResponseSeconds: 200),
            "member-b": ResponderStats(acknowledged: 4, totalResponseSeconds: 400),
            "member-c": ResponderStats(acknowledged: 4, totalResponseSeconds: 400),
        ]
        #expect(MemberSelector.rankByResponse(members, stats: stats).map(\.id) == ["member-b", "member-c", "member-a", "member-d"])
    }

    // MARK: Exclusions

    @Test("members who missed the lead's response target are excluded")
    func exclusions() {
        let selection = select(trio, excluded: ["member-a"])
        #expect(selection.winner?.id == "member-b")
        #expect(selection.candidates[0].eligible == false)
    }

    @Test("a team with nobody able to take the lead says so")
    func nobody() {
        let selection = select([Fixture.member("member-a", online: false)])
        #expect(selection.winner == nil)
        #expect(selection.reason == "no member of team team-a can take the lead")
        #expect(select([]).reason == "team team-a has no active members")
    }
}
