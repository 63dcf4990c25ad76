import Foundation
import Synchronization
import LeadModel
import Testing
@testable import LeadIngest

@Suite("Lifecycle commands follow LeadModel's transition rules")
struct PlannerTests {
    var lead = Lead(source: LeadSource(id: "s", channel: .json), createdAt: Date(timeIntervalSince1970: 0))

    func code(_ command: LifecycleCommand, on lead: Lead, context: CommandContext = CommandContext()) -> String? {
        do {
            _ = try CommandPlanner.changes(for: command, lead: lead, context: context)
            return nil
        } catch {
            return error.code
        }
    }

    @Test("pipeline status: forward moves, lost needs a reason, other needs a note, closed is final")
    func pipeline() throws {
        #expect(try CommandPlanner.changes(for: .changeStatus(to: .qualified, lostReason: nil, note: nil, pipelineId: nil), lead: lead)
                == [.pipelineStatusChanged(pipelineId: "default", from: .new, to: .qualified, lostReason: nil, note: nil)])
        #expect(code(.changeStatus(to: .closedLost, lostReason: nil, note: nil, pipelineId: nil), on: lead) == "lost_reason_required")
        #expect(code(.changeStatus(to: .closedLost, lostReason: .other, note: nil, pipelineId: nil), on: lead) == "note_required")
        #expect(code(.changeStatus(to: .qualified, lostReason: .badCredit, note: nil, pipelineId: nil), on: lead) == "unexpected_lost_reason")
        #expect(code(.changeStatus(to: "teleported", lostReason: nil, note: nil, pipelineId: nil), on: lead) == "unknown_status")
        #expect(code(.changeStatus(to: .new, lostReason: nil, note: nil, pipelineId: nil), on: lead) == "no_change")
        var closed = lead
        closed.pipelineStatus = .closedWon
        #expect(code(.changeStatus(to: .negotiation, lostReason: nil, note: nil, pipelineId: nil), on: closed) == "terminal_status")
        var later = lead
        later.pipelineStatus = .negotiation
        #expect(code(.changeStatus(to: .contacted, lostReason: nil, note: nil, pipelineId: nil), on: later) == "illegal_transition")
    }

    @Test("stage only moves forward")
    func stage() {
        var quote = lead
        quote.lifecycleStage = .quote
        #expect(code(.changeStage(to: .lead), on: quote) == "illegal_transition")
        #expect(code(.changeStage(to: .quote), on: quote) == "no_change")
        #expect(code(.changeStage(to: .confirmed), on: quote) == nil)
    }

    @Test("location response: needs a location; lost needs a reason; follow-up only when accepted or won")
    func locationResponse() throws {
        #expect(code(.respond(to: .acknowledged, note: nil, followUpDelay: nil, lostReason: nil), on: lead) == "no_location")
        var sent = lead
        sent.locationId = "loc-1"
        #expect(try CommandPlanner.changes(for: .respond(to: .accepted, note: nil, followUpDelay: .oneHour, lostReason: nil), lead: sent)
                == [.locationResponseChanged(locationId: "loc-1", from: .unacknowledged, to: .accepted, note: nil, followUpDelay: .oneHour)])
        sent.locationResponse = .accepted
        #expect(code(.respond(to: .lost, note: nil, followUpDelay: nil, lostReason: nil), on: sent) == "lost_reason_required")
        #expect(code(.respond(to: .lost, note: nil, followUpDelay: nil, lostReason: .other), on: sent) == "note_required")
        #expect(code(.respond(to: .complete, note: nil, followUpDelay: nil, lostReason: nil), on: sent) == "illegal_transition")
        #expect(code(.respond(to: .won, note: nil, followUpDelay: .custom(seconds: 60), lostReason: nil), on: sent) == nil)
        sent.locationResponse = .rejected
        #expect(code(.respond(to: .accepted, note: nil, followUpDelay: nil, lostReason: nil), on: sent) == "terminal_status")
        sent.locationResponse = .acknowledged
        #expect(code(.respond(to: .acknowledged, note: nil, followUpDelay: nil, lostReason: nil), on: sent) == "no_change")
        #expect(code(.respond(to: .rejected, note: nil, followUpDelay: .oneWeek, lostReason: nil), on: sent) == "unexpected_follow_up_delay")
    }

    @Test("tasks and appointments must exist and complete once")
    func tasksAndAppointments() {
        let complete = LifecycleCommand.completeTask(id: "t1", comment: "done", nextFollowUpAt: nil)
        #expect(code(complete, on: lead) == "task_not_found")
        #expect(code(complete, on: lead, context: CommandContext(taskCompletedAt: .some(nil))) == nil)
        #expect(code(complete, on: lead, context: CommandContext(taskCompletedAt: .some(Date()))) == "task_already_completed")
        let outcome = LifecycleCommand.recordAppointmentOutcome(id: "a1", kept: false)
        #expect(code(outcome, on: lead) == "appointment_not_found")
        #expect(code(outcome, on: lead, context: CommandContext(appointmentKept: .some(nil))) == nil)
        #expect(code(outcome, on: lead, context: CommandContext(appointmentKept: .some(true))) == "appointment_outcome_recorded")
    }

    @Test("conversion closes the lead as won first, unless it is lost")
    func conversion() throws {
        let conversion = Conversion(finalPrice: Money(amount: 40000))
        #expect(try CommandPlanner.changes(for: .convert(conversion), lead: lead)
                == [.pipelineStatusChanged(pipelineId: "default", from: .new, to: .closedWon, lostReason: nil, note: nil), .converted(conversion)])
        var won = lead
        won.pipelineStatus = .closedWon
        #expect(try CommandPlanner.changes(for: .convert(conversion), lead: won) == [.converted(conversion)])
        var lost = lead
        lost.pipelineStatus = .closedLost
        #expect(code(.convert(conversion), on: lost) == "terminal_status")
    }

    @Test("collaborators and assignment report no_change when nothing would change")
    func collaborators() throws {
        var shared = lead
        shared.collaborators = ["m-1"]
        shared.ownerId = "m-0"
        #expect(try CommandPlanner.changes(for: .changeCollaborators(add: ["m-1", "m-2", "m-0"], remove: ["m-9"]), lead: shared)
                == [.collaboratorsChanged(added: ["m-2"], removed: [])])
        #expect(code(.changeCollaborators(add: ["m-1"], remove: []), on: shared) == "no_change")
        #expect(code(.assign(ownerId: "m-0", locationId: nil, note: "x"), on: shared) == "no_change")
        #expect(code(.assign(ownerId: "m-5", locationId: nil, note: "x"), on: shared) == nil)
    }

    @Test("dedup keys: e-mails then phones, test leads apart; the first matching key picks the lead")
    func dedupKeys() {
        var person = lead
        person.contacts = ContactInfo(
            emails: [EmailAddress(address: "a@x.com")], phones: [PhoneNumber(raw: "614", e164: "+16145550100"), PhoneNumber(raw: "555")])
        #expect(DedupKeys.contactKeys(of: person).map(\.value) == ["email:a@x.com", "phone:+16145550100"])
        person.isTest = true
        #expect(DedupKeys.contactKeys(of: person).map(\.value) == ["test:email:a@x.com", "test:phone:+16145550100"])
        person.isTest = false
        let keys = DedupKeys.contactKeys(of: person)
        let a = LeadID()
        let b = LeadID()
        #expect(DedupKeys.choose(keys, matches: [:]) == nil)
        let both = DedupKeys.choose(keys, matches: ["phone:+16145550100": a, "email:a@x.com": a])
        #expect(both?.0 == a && both?.1 == [.email, .phone])
        let split = DedupKeys.choose(keys, matches: ["phone:+16145550100": b, "email:a@x.com": a])
        #expect(split?.0 == a && split?.1 == [.email])
    }

    @Test("the rate limiter refills over time")
    func rateLimiter() {
        let clock = TestClock()
        let limiter = RateLimiter(perMinute: 60, burst: 2, clock: { clock.now })
        #expect(limiter.acquire("s") == nil)
        #expect(limiter.acquire("s") == nil)
        #expect(limiter.acquire("s") != nil)
        #expect(limiter.acquire("other") == nil)
        clock.advance(1.1)
        #expect(limiter.acquire("s") == nil)
    }
}

/// A clock that runs with real time, and that tests can move forward by hand.
final class TestClock: Sendable {
    private let offset = Mutex<TimeInterval>(0)

    var now: Date { Date().addingTimeInterval(offset.withLock { $0 }) }

    func advance(_ seconds: TimeInterval) { offset.withLock { $0 += seconds } }
}
