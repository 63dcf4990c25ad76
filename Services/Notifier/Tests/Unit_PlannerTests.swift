import Foundation
import LeadModel
import Testing

@testable import LeadNotifier

@Suite("Planner: what events and due jobs make the notifier do")
struct PlannerTests {
    let now = Date(timeIntervalSince1970: 1_750_000_000)  // 2025-06-15 15:06:40 UTC
    let planner = Planner(options: PlannerOptions(maxStatusRequests: 3))

    func snapshot(channel: IntakeChannel = .json) -> Lead {
        Lead(fullName: PersonName(full: "Ada Lovelace"), source: LeadSource(id: "src", channel: channel),
             locationId: "loc-1", ownerId: "member-1", collaborators: ["member-2"], createdAt: now)
    }

    func assigned(_ lead: Lead, owner: String = "member-1", location: String? = "loc-1", due: Date? = nil) -> LeadAssigned {
        LeadAssigned(leadId: lead.id, occurredAt: now, locationId: location, teamId: "team-1", ownerId: owner, strategy: .roundRobin,
                     reason: "next", responseDueAt: due, causationEventId: UUID(), lead: lead)
    }

    func lifecycle(_ id: LeadID, _ change: LifecycleChange, at: Date? = nil, actor: Actor = Actor(id: "x", role: .system)) -> LeadLifecycleEvent {
        LeadLifecycleEvent(leadId: id, occurredAt: at ?? now, actor: actor, change: change)
    }

    @Test("a first assignment alerts the owner and the location's contacts at once, schedules default tasks and the deadline")
    func firstAssignment() {
        let lead = snapshot()
        let due = now.addingTimeInterval(1800)
        let (state, plan) = planner.plan(assigned: assigned(lead, due: due), previous: nil, zones: TimeZones(), now: now)
        #expect(plan.notifications.map(\.audience) == [.member("member-1", isOwner: true), .locationContacts("loc-1")])
        #expect(plan.notifications.allSatisfy { $0.kind == .newLeadAssigned && $0.dueAt == now && $0.respondBy == due })
        #expect(plan.jobs.filter { $0.kind == .taskDue }.count == DefaultTask.seed[.thirdParty]!.count)
        #expect(plan.jobs.first { $0.kind == .taskDue }?.dueAt == now.addingTimeInterval(900))
        #expect(plan.jobs.contains { $0.kind == .responseOverdue && $0.dueAt == due })
        #expect(state.alertedOwnerId == "member-1" && state.alertedLocationId == "loc-1")
        #expect(state.locationResponse == .unacknowledged)
        #expect(state.collaborators == ["member-2"])
        #expect(!plan.notifications.contains { $0.kind == .customerAcknowledgement })
    }

    @Test("manual leads get the manual task set; the customer acknowledgement is optional")
    func manualAndAcknowledgement() {
        let planner = Planner(options: PlannerOptions(customerAcknowledgement: true))
        let (_, plan) = planner.plan(assigned: assigned(snapshot(channel: .manual)), previous: nil, zones: TimeZones(), now: now)
        #expect(plan.jobs.filter { $0.kind == .taskDue }.compactMap(\.payload.taskTitle) == DefaultTask.seed[.manual]!.map(\.title))
        #expect(plan.notifications.contains { $0.kind == .customerAcknowledgement && $0.audience == .customer })
    }

    @Test("a repeated assignment to the same people alerts nobody; a new owner is alerted, the old deadline replaced")
    func reassignment() {
        let lead = snapshot()
        let (first, _) = planner.plan(assigned: assigned(lead), previous: nil, zones: TimeZones(), now: now)
        let (_, again) = planner.plan(assigned: assigned(lead), previous: first, zones: TimeZones(), now: now)
        #expect(again.notifications.isEmpty)
        let (second, moved) = planner.plan(assigned: assigned(lead, owner: "member-9"), previous: first, zones: TimeZones(), now: now)
        #expect(moved.notifications.map(\.audience) == [.member("member-9", isOwner: true)])
        #expect(moved.cancellations.contains(JobCancellation(kinds: [.responseOverdue])))
        #expect(second.ownerId == "member-9")
    }

    @Test("a manual reassignment seen first does not swallow the alert of the assignment that follows")
    func manualThenAssigned() {
        let lead = snapshot()
        let (first, _) = planner.plan(assigned: assigned(lead), previous: nil, zones: TimeZones(), now: now)
        let (manual, _) = planner.plan(lifecycle: lifecycle(lead.id, .manuallyAssigned(ownerId: "member-7", locationId: nil, note: "vacation")),
                                       previous: first, zones: TimeZones(), now: now)
        let (_, plan) = planner.plan(assigned: assigned(lead, owner: "member-7"), previous: manual, zones: TimeZones(), now: now)
        #expect(plan.notifications.map(\.audience).contains(.member("member-7", isOwner: true)))
    }

    @Test("a location response seen before the assignment (topics are not ordered) survives it")
    func responseBeforeAssignment() {
        let lead = snapshot()
        let accepted = lifecycle(lead.id, .locationResponseChanged(locationId: "loc-1", from: .unacknowledged, to: .accepted, note: nil,
                                                                   followUpDelay: .oneHour))
        let (early, earlyPlan) = planner.plan(lifecycle: accepted, previous: nil, zones: TimeZones(), now: now)
        #expect(earlyPlan.jobs.map(\.kind) == [.statusUpdateRequest])
        let (state, plan) = planner.plan(assigned: assigned(lead), previous: early, zones: TimeZones(), now: now)
        #expect(!plan.cancellations.contains { $0.kinds.contains(.statusUpdateRequest) })
        #expect(state.locationResponse == .accepted)
        #expect(state.snapshot?.locationResponse == .accepted)  // messages show the lead as it is
        #expect(plan.notifications.map(\.audience).contains(.locationContacts("loc-1")))
        // Re-routed elsewhere later: the first location's requests stop.
        let (_, rerouted) = planner.plan(assigned: assigned(lead, location: "loc-2"), previous: state, zones: TimeZones(), now: now)
        #expect(rerouted.cancellations.contains { $0.kinds.contains(.statusUpdateRequest) })
    }

    @Test("accepting schedules a status-update request at the chosen delay in the location's zone; advancing stops it")
    func statusUpdateRequests() {
        let lead = snapshot()
        let (state, _) = planner.plan(assigned: assigned(lead), previous: nil, zones: TimeZones(), now: now)
        let accepted = lifecycle(lead.id, .locationResponseChanged(locationId: "loc-1", from: .unacknowledged, to: .accepted, note: nil,
                                                                   followUpDelay: .tomorrow))
        let tokyo = TimeZone(identifier: "Asia/Tokyo")!
        let (acceptedState, plan) = planner.plan(lifecycle: accepted, previous: state, zones: TimeZones(locations: ["loc-1": tokyo]), now: now)
        let job = try! #require(plan.jobs.first { $0.kind == .statusUpdateRequest })
        // 15:06 UTC is 00:06 in Tokyo on 16 June; "tomorrow" is 17 June 09:00 Tokyo = 00:00 UTC.
        #expect(job.dueAt == Date(timeIntervalSince1970: 1_750_118_400))
        #expect(job.payload.awaitedStatus == .accepted && job.payload.delay == .tomorrow)
        #expect(plan.cancellations.contains(JobCancellation(kinds: [.statusUpdateRequest])))
        #expect(acceptedState.followUpDelay == .tomorrow)

        let scheduled = ScheduledJob(id: UUID(), leadId: lead.id, kind: .statusUpdateRequest, dueAt: job.dueAt, occurrence: 0,
                                     subject: nil, payload: job.payload)
        let fire = planner.evaluate(scheduled, lead: acceptedState, zones: TimeZones(), now: job.dueAt)
        #expect(fire.notifications.map(\.kind) == [.statusUpdateRequest])
        #expect(fire.notifications.first?.audience == .locationContacts("loc-1"))
        #expect(fire.nextDueAt != nil)

        var won = acceptedState
        won.locationResponse = .won
        #expect(planner.evaluate(scheduled, lead: won, zones: TimeZones(), now: job.dueAt) == .stop)

        var last = scheduled
        last.occurrence = 2
        #expect(planner.evaluate(last, lead: acceptedState, zones: TimeZones(), now: job.dueAt).nextDueAt == nil)
    }

    @Test("won asks again for completion; complete stops asking and sends both surveys")
    func completion() {
        let lead = snapshot()
        let (state, _) = planner.plan(assigned: assigned(lead), previous: nil, zones: TimeZones(), now: now)
        let (wonState, wonPlan) = planner.plan(
            lifecycle: lifecycle(lead.id, .locationResponseChanged(locationId: "loc-1", from: .accepted, to: .won, note: nil, followUpDelay: nil)),
            previous: state, zones: TimeZones(), now: now)
        #expect(wonPlan.jobs.first { $0.kind == .statusUpdateRequest }?.payload.awaitedStatus == .won)
        #expect(wonPlan.jobs.first { $0.kind == .statusUpdateRequest }?.payload.delay == .tomorrow)
        let (_, completePlan) = planner.plan(
            lifecycle: lifecycle(lead.id, .locationResponseChanged(locationId: "loc-1", from: .won, to: .complete, note: nil, followUpDelay: nil)),
            previous: wonState, zones: TimeZones(), now: now)
        #expect(completePlan.jobs.isEmpty)
        #expect(completePlan.cancellations.contains(JobCancellation(kinds: [.statusUpdateRequest])))
        #expect(completePlan.notifications.map(\.kind) == [.locationSurvey, .customerReviewRequest])
    }

    @Test("closing the pipeline stops reminders; a sale starts the sold task set")
    func closing() {
        let lead = snapshot()
        let (state, _) = planner.plan(assigned: assigned(lead), previous: nil, zones: TimeZones(), now: now)
        let (closed, plan) = planner.plan(
            lifecycle: lifecycle(lead.id, .pipelineStatusChanged(pipelineId: "default", from: .negotiation, to: .closedWon, lostReason: nil, note: nil)),
            previous: state, zones: TimeZones(), now: now)
        #expect(plan.cancellations.first?.kinds == [.followUpReminder, .taskDue, .appointmentToday, .responseOverdue])
        #expect(plan.jobs.compactMap(\.payload.category) == Array(repeating: .sold, count: DefaultTask.seed[.sold]!.count))
        #expect(closed.isClosed)
        let reminder = ScheduledJob(id: UUID(), leadId: lead.id, kind: .followUpReminder, dueAt: now, occurrence: 0, subject: nil,
                                    payload: JobPayload(recipientId: "member-1"))
        #expect(planner.evaluate(reminder, lead: closed, zones: TimeZones(), now: now) == .stop)
        let soldTask = ScheduledJob(id: UUID(), leadId: lead.id, kind: .taskDue, dueAt: now, occurrence: 0, subject: "default-sold-0",
                                    payload: JobPayload(taskTitle: "Schedule the delivery", taskDueAt: now, category: .sold))
        #expect(planner.evaluate(soldTask, lead: closed, zones: TimeZones(), now: now).notifications.count == 1)
    }

    @Test("tasks remind when due, then alert overdue; completing one cancels it and may set the next follow-up")
    func tasks() {
        let lead = snapshot()
        let (state, _) = planner.plan(assigned: assigned(lead), previous: nil, zones: TimeZones(), now: now)
        let task = LeadTask(id: "t-1", title: "Send brochure", dueAt: now.addingTimeInterval(7200))
        let (_, created) = planner.plan(lifecycle: lifecycle(lead.id, .taskCreated(task)), previous: state, zones: TimeZones(), now: now)
        let job = try! #require(created.jobs.first)
        #expect(job.kind == .taskDue && job.dueAt == task.dueAt && job.subject == "t-1")
        let scheduled = ScheduledJob(id: UUID(), leadId: lead.id, kind: .taskDue, dueAt: job.dueAt, occurrence: 0, subject: "t-1", payload: job.payload)
        let first = planner.evaluate(scheduled, lead: state, zones: TimeZones(), now: job.dueAt)
        #expect(first.notifications.map(\.kind) == [.taskDue])
        #expect(first.nextDueAt == task.dueAt.addingTimeInterval(86_400))
        var overdue = scheduled
        overdue.occurrence = 1
        let second = planner.evaluate(overdue, lead: state, zones: TimeZones(), now: job.dueAt.addingTimeInterval(86_400))
        #expect(second.notifications.map(\.kind) == [.overdue] && second.nextDueAt == nil)

        let next = now.addingTimeInterval(3 * 86_400)
        let (_, completed) = planner.plan(
            lifecycle: lifecycle(lead.id, .taskCompleted(taskId: "t-1", comment: "done", nextFollowUpAt: next),
                                 actor: Actor(id: "member-2", role: .salesperson)),
            previous: state, zones: TimeZones(), now: now)
        #expect(completed.cancellations == [JobCancellation(kinds: [.taskDue], subject: "t-1")])
        #expect(completed.jobs.first?.kind == .followUpReminder && completed.jobs.first?.dueAt == next)
        #expect(completed.jobs.first?.payload.recipientId == "member-2")
    }

    @Test("appointments need attention on the morning of their day in the owner's zone")
    func appointments() {
        let lead = snapshot()
        let (state, _) = planner.plan(assigned: assigned(lead), previous: nil, zones: TimeZones(), now: now)
        let at = now.addingTimeInterval(2 * 86_400)  // 17 June 15:06 UTC
        let appointment = Appointment(id: "a-1", at: at, kind: .testDrive)
        let (_, plan) = planner.plan(lifecycle: lifecycle(lead.id, .appointmentScheduled(appointment)), previous: state,
                                     zones: TimeZones(members: ["member-1": TimeZone(identifier: "UTC")!]), now: now)
        #expect(plan.jobs.first?.dueAt == Date(timeIntervalSince1970: 1_750_150_800))  // 17 June 09:00 UTC
        // Scheduled later the same day: due at once.
        let soon = Appointment(id: "a-2", at: now.addingTimeInterval(3600), kind: .visit)
        let (_, today) = planner.plan(lifecycle: lifecycle(lead.id, .appointmentScheduled(soon)), previous: state, zones: TimeZones(), now: now)
        #expect(today.jobs.first?.dueAt == now)
        let (_, outcome) = planner.plan(lifecycle: lifecycle(lead.id, .appointmentOutcome(appointmentId: "a-1", kept: true)),
                                        previous: state, zones: TimeZones(), now: now)
        #expect(outcome.cancellations == [JobCancellation(kinds: [.appointmentToday], subject: "a-1")])
    }

    @Test("the response deadline alerts only while nobody responded")
    func responseDeadline() {
        let lead = snapshot()
        let (state, _) = planner.plan(assigned: assigned(lead), previous: nil, zones: TimeZones(), now: now)
        let job = ScheduledJob(id: UUID(), leadId: lead.id, kind: .responseOverdue, dueAt: now, occurrence: 0, subject: nil,
                               payload: JobPayload(locationId: "loc-1", respondBy: now))
        #expect(planner.evaluate(job, lead: state, zones: TimeZones(), now: now).notifications.map(\.audience)
                == [.locationContacts("loc-1"), .member("member-1", isOwner: true)])
        var acknowledged = state
        acknowledged.locationResponse = .acknowledged
        #expect(planner.evaluate(job, lead: acknowledged, zones: TimeZones(), now: now) == .stop)
    }

    @Test("erasure cancels everything and nothing more is planned for the lead")
    func erasure() {
        let lead = snapshot()
        let (state, _) = planner.plan(assigned: assigned(lead), previous: nil, zones: TimeZones(), now: now)
        let (erased, plan) = planner.plan(lifecycle: lifecycle(lead.id, .erased), previous: state, zones: TimeZones(), now: now)
        #expect(plan.cancellations == [.all] && plan.eraseDeliveries)
        #expect(erased.erased && erased.snapshot?.fullName.isEmpty == true)
        let (_, after) = planner.plan(assigned: assigned(lead, owner: "member-5"), previous: erased, zones: TimeZones(), now: now)
        #expect(after.notifications.isEmpty && after.jobs.isEmpty)
        let (_, task) = planner.plan(lifecycle: lifecycle(lead.id, .taskCreated(LeadTask(id: "t", title: "x", dueAt: now))),
                                     previous: erased, zones: TimeZones(), now: now)
        #expect(task.jobs.isEmpty)
    }
}
