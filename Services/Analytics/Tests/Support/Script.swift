import Foundation
import LeadAnalytics
import LeadModel

/// One lead of the scripted history, described by what happens to it (times are seconds after
/// its creation unless said otherwise). The test derives both the events to publish and the
/// numbers every report must show from these descriptions, independently of the service.
struct ScriptedLead: Sendable {
    var key: String
    var id = LeadID()
    var name: String
    var email: String
    var phone: String
    var source: String
    var channel: IntakeChannel = .json
    /// Seconds before `now` the lead was created.
    var created: TimeInterval
    var owner: String?
    var location: String?
    var team: String?
    var collaborators: [String] = []
    var vehicleType: String?
    var score: Int?
    /// An outbound call by the owner.
    var responseAfter: TimeInterval?
    /// Pipeline status changes by the owner, in order, starting from `new`.
    var statuses: [(PipelineStatus, TimeInterval)] = []
    /// The final price, recorded when it is won.
    var price: Decimal?
    var stages: [(LifecycleStage, TimeInterval)] = []
    /// The location's responses, starting from `unacknowledged`.
    var locationResponses: [(LocationResponseStatus, TimeInterval)] = []
    /// Revenue the location reports in its survey.
    var survey: Decimal?
    var isTest = false
    /// Publish everything else before `leads.received`.
    var outOfOrder = false
    var erasedAfter: TimeInterval?
    /// The lead (key) this one gets merged into.
    var mergedInto: String?
    /// An open task due this long after creation.
    var taskDue: TimeInterval?
    /// An appointment this long after `now`, scheduled by the owner.
    var appointmentFromNow: TimeInterval?

    static let responseSLA: TimeInterval = 1800
    static let assignedAfter: TimeInterval = 5

    func createdAt(_ now: Date) -> Date { now.addingTimeInterval(-created) }

    var outcome: LeadOutcome? {
        switch statuses.last?.0 {
        case .closedWon?: .won
        case .closedLost?: .lost
        default: nil
        }
    }

    var closedAfter: TimeInterval? { outcome == nil ? nil : statuses.last?.1 }

    var appointmentScheduledAfter: TimeInterval? { appointmentFromNow.map { _ in (responseAfter ?? 60) + 30 } }

    /// The documented first-response rule applied to the script: an outbound call, a status
    /// change, the location acknowledging/accepting/rejecting, or an appointment scheduled.
    var firstResponseAfter: TimeInterval? {
        let candidates = [responseAfter, statuses.first?.1,
                          locationResponses.first { [.acknowledged, .accepted, .rejected].contains($0.0) }?.1,
                          appointmentScheduledAfter]
        return candidates.compactMap { $0 }.min()
    }

    var isOpen: Bool { outcome == nil }

    /// The status now.
    var status: PipelineStatus { statuses.last?.0 ?? .new }

    var furthestStage: LifecycleStage { stages.map(\.0).max() ?? .lead }

    var normalizedVehicleType: String? { vehicleType.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } }

    var priority: Priority? { score.map(Priority.init(score:)) }

    func isOverdue(now: Date) -> Bool {
        guard isOpen else { return false }
        var dues: [TimeInterval] = []
        if let taskDue { dues.append(taskDue) }
        if owner != nil {
            let responded = firstResponseAfter.map { $0 >= Self.assignedAfter } ?? false
            if !responded { dues.append(Self.assignedAfter + Self.responseSLA) }
        }
        guard let due = dues.min() else { return false }
        return createdAt(now).addingTimeInterval(due) < now
    }

    var ownerActor: Actor { Actor(id: owner ?? "mgr-1", role: owner == nil ? .manager : .salesperson) }

    func lead(_ now: Date) -> Lead {
        Lead(
            id: id, fullName: PersonName(full: name),
            contacts: ContactInfo(emails: [EmailAddress(address: email)], phones: [PhoneNumber(raw: phone, e164: phone)]),
            source: LeadSource(id: source, name: source.uppercased(), channel: channel),
            vehiclesOfInterest: vehicleType.map { [VehicleOfInterest(bodyStyle: $0, isPreferred: true)] } ?? [],
            createdAt: createdAt(now), isTest: isTest)
    }

    /// Every event of the lead except merges of other leads into it (``Script`` adds those).
    func events(_ now: Date) -> [AnyLeadflowEvent] {
        let start = createdAt(now)
        func at(_ seconds: TimeInterval) -> Date { start.addingTimeInterval(seconds) }
        func change(_ change: LifecycleChange, _ seconds: TimeInterval, by actor: Actor? = nil) -> AnyLeadflowEvent {
            .lifecycle(LeadLifecycleEvent(leadId: id, occurredAt: at(seconds), actor: actor ?? ownerActor, change: change))
        }
        var base = lead(now)
        var events: [AnyLeadflowEvent] = [.received(LeadReceived(
            occurredAt: start, lead: base,
            intake: Intake(channel: channel, sourceId: source, receivedAt: start),
            actor: Actor(id: source, role: .integrationSource)))]
        if let score {
            base.score = score
            base.priority = Priority(score: score)
            events.append(.scored(LeadScored(leadId: id, occurredAt: at(2), score: score, rulesVersion: 1,
                                             factors: [ScoreFactor(key: "source", label: "Source")],
                                             causationEventId: events[0].eventId, lead: base)))
        }
        if let owner {
            base.ownerId = owner
            base.locationId = location
            events.append(.assigned(LeadAssigned(
                leadId: id, occurredAt: at(Self.assignedAfter), locationId: location, teamId: team, ownerId: owner,
                strategy: .roundRobin, reason: "next in rotation", responseDueAt: at(Self.assignedAfter + Self.responseSLA),
                causationEventId: events[0].eventId, lead: base)))
            events.append(.notification(NotificationOutcome(
                leadId: id, occurredAt: at(6), notificationKey: "assigned-\(id)", channel: .email, purpose: .newLeadAssigned,
                recipient: NotificationRecipient(id: owner, kind: .member, maskedAddress: "a***@example.com"),
                status: .sent, attempts: 1)))
        }
        if !collaborators.isEmpty {
            events.append(change(.collaboratorsChanged(added: collaborators, removed: []), 7))
        }
        if let taskDue {
            events.append(change(.taskCreated(LeadTask(id: "task-\(key)", title: "Call back", dueAt: at(taskDue))), 60,
                                 by: .system("notifier")))
        }
        if let responseAfter {
            events.append(change(.activityLogged(Activity(kind: .call, direction: .outbound, outcome: .connected, at: at(responseAfter))),
                                 responseAfter))
        }
        if let appointmentFromNow, let scheduled = appointmentScheduledAfter {
            events.append(change(.appointmentScheduled(Appointment(
                id: "apt-\(key)", at: now.addingTimeInterval(appointmentFromNow), kind: .testDrive, locationId: location)), scheduled))
        }
        var previous = PipelineStatus.new
        for (status, seconds) in statuses {
            if status == .closedWon, let price {
                events.append(change(.converted(Conversion(finalPrice: Money(amount: price))), seconds))
            }
            events.append(change(.pipelineStatusChanged(
                pipelineId: "default", from: previous, to: status,
                lostReason: status == .closedLost ? .priceTooHigh : nil, note: nil), seconds))
            previous = status
        }
        var stage = LifecycleStage.lead
        for (next, seconds) in stages {
            events.append(change(.stageChanged(from: stage, to: next), seconds))
            stage = next
        }
        var response = LocationResponseStatus.unacknowledged
        let contact = Actor(id: "contact-\(location ?? "none")", role: .locationContact)
        for (next, seconds) in locationResponses {
            events.append(change(.locationResponseChanged(
                locationId: location ?? "none", from: response, to: next, note: nil, followUpDelay: nil), seconds, by: contact))
            response = next
        }
        if let survey {
            let after = (locationResponses.last?.1 ?? 0) + 3600
            events.append(change(.surveyAnswered(SurveyAnswer(kind: .locationRevenue, revenue: Money(amount: survey))), after, by: contact))
        }
        if let erasedAfter {
            events.append(change(.erased, erasedAfter, by: Actor(id: "admin-1", role: .platformAdmin)))
        }
        return events
    }
}

/// The scripted history: leads of several sources, locations, teams and salespeople, won,
/// lost and open, hot and overdue, one test lead, one merged away, one erased, one published
/// out of order.
struct Script: Sendable {
    let now: Date
    let leads: [ScriptedLead]
    /// Each lead's events, generated once (event ids are random).
    let eventsByLead: [String: [AnyLeadflowEvent]]

    static let day: TimeInterval = 86_400
    static let hour: TimeInterval = 3600
    static let minute: TimeInterval = 60

    init(now: Date) {
        self.now = now
        let d = Self.day, h = Self.hour, m = Self.minute
        leads = [
            ScriptedLead(key: "L1", name: "Alice Archer", email: "alice@example.com", phone: "+16145550101", source: "src-web",
                         created: 10 * d, owner: "member-ann", location: "loc-north", team: "team-a", vehicleType: "SUV", score: 75,
                         responseAfter: 4 * m,
                         statuses: [(.contacted, 5 * m), (.qualified, 1 * h), (.testDrive, 1 * d), (.negotiation, 2 * d), (.closedWon, 3 * d)],
                         price: 30000, stages: [(.quote, 1 * h), (.request, 2 * d), (.confirmed, 3 * d)],
                         locationResponses: [(.acknowledged, 2 * m), (.accepted, 10 * m), (.won, 3 * d), (.complete, 4 * d)], survey: 1500),
            ScriptedLead(key: "L2", name: "Bruno Baker", email: "bruno@example.com", phone: "+16145550102", source: "src-web",
                         created: 8 * d, owner: "member-bob", location: "loc-north", team: "team-a", vehicleType: "Sedan", score: 45,
                         responseAfter: 20 * m, statuses: [(.contacted, 25 * m), (.closedLost, 2 * d)], stages: [(.quote, 3 * h)],
                         locationResponses: [(.acknowledged, 30 * m), (.accepted, 1 * h), (.lost, 2 * d)]),
            ScriptedLead(key: "L3", name: "Chloe Carter", email: "chloe@example.com", phone: "+16145550103", source: "src-meta",
                         channel: .meta, created: 2 * h, owner: "member-cid", location: "loc-south", team: "team-b", score: 65),
            ScriptedLead(key: "L4", name: "Dmitri Dunn", email: "dmitri@example.com", phone: "+16145550104", source: "src-meta",
                         channel: .meta, created: 3 * d, owner: "member-cid", location: "loc-south", team: "team-b", score: 20,
                         responseAfter: 3 * h, statuses: [(.contacted, 3 * h), (.qualified, 5 * h)], taskDue: 1 * d),
            ScriptedLead(key: "L5", name: "Elena Evans", email: "elena@example.com", phone: "+16145550105", source: "src-adf",
                         channel: .adf, created: 2 * d, owner: "member-ann", location: "loc-north", team: "team-a",
                         vehicleType: "=HYPERLINK(\"http://evil.example\",\"x\")", score: 80, responseAfter: 90,
                         statuses: [(.contacted, 2 * m), (.testDrive, 1 * d)], stages: [(.quote, 1 * d)],
                         locationResponses: [(.accepted, 3 * m)], appointmentFromNow: 2 * h),
            ScriptedLead(key: "L6", name: "Farid Fox", email: "farid@example.com", phone: "+16145550106", source: "src-adf",
                         channel: .adf, created: 6 * d, owner: "member-bob", location: "loc-north", team: "team-a", vehicleType: "Truck",
                         score: 55, responseAfter: 30 * h, statuses: [(.contacted, 30 * h), (.closedWon, 5 * d)], price: 45000,
                         stages: [(.quote, 2 * d), (.request, 4 * d)],
                         locationResponses: [(.acknowledged, 2 * h), (.accepted, 31 * h), (.won, 5 * d)]),
            ScriptedLead(key: "L7", name: "Greta Green", email: "greta@example.com", phone: "+16145550107", source: "src-web",
                         created: 20 * d, owner: "member-cid", location: "loc-south", team: "team-b", vehicleType: "suv ", score: 35,
                         responseAfter: 10 * m, statuses: [(.contacted, 10 * m), (.negotiation, 1 * d), (.closedWon, 2 * d)], price: 25000,
                         stages: [(.quote, 1 * d)],
                         locationResponses: [(.acknowledged, 5 * m), (.accepted, 8 * m), (.won, 2 * d), (.complete, 3 * d)], survey: 500),
            ScriptedLead(key: "L8", name: "Hugo Hill", email: "hugo@example.com", phone: "+16145550108", source: "src-free",
                         created: 1 * d, score: 10),
            ScriptedLead(key: "L9", name: "Ivy Ignored", email: "ivy@example.com", phone: "+16145550109", source: "src-web",
                         created: 10 * d, owner: "member-ann", location: "loc-north", team: "team-a", score: 90, responseAfter: 1 * m,
                         statuses: [(.closedWon, 1 * d)], price: 99000, isTest: true),
            ScriptedLead(key: "L10", name: "@SUM(A1) Jones", email: "jules@example.com", phone: "+16145550110", source: "src-meta",
                         channel: .meta, created: 5 * h, owner: "member-ann", location: "loc-north", team: "team-a", score: 62,
                         responseAfter: 6 * m, statuses: [(.contacted, 6 * m)], outOfOrder: true),
            ScriptedLead(key: "L11", name: "Karl King", email: "karl@example.com", phone: "+16145550111", source: "src-web",
                         created: 40 * d, owner: "member-ann", location: "loc-north", team: "team-a", score: 50, responseAfter: 2 * m,
                         statuses: [(.closedWon, 1 * d)], price: 10000),
            ScriptedLead(key: "L12", name: "Lena Lopez", email: "lopez@example.com", phone: "+16145550112", source: "src-adf",
                         channel: .adf, created: 12 * d, owner: "member-cid", location: "loc-south", team: "team-b", vehicleType: "Truck",
                         score: 70, responseAfter: 1 * m, statuses: [(.closedLost, 1 * h)],
                         locationResponses: [(.rejected, 15 * m)]),
            ScriptedLead(key: "L13", name: "Chloe Carter", email: "chloe.carter@example.com", phone: "+16145550113", source: "src-meta",
                         channel: .meta, created: 90 * m, score: 30, mergedInto: "L3"),
            ScriptedLead(key: "L14", name: "Erin Erased", email: "erin@example.com", phone: "+16145550114", source: "src-web",
                         created: 4 * d, owner: "member-bob", location: "loc-north", team: "team-a", score: 30, responseAfter: 1 * h,
                         statuses: [(.contacted, 1 * h)], erasedAfter: 2 * d),
            ScriptedLead(key: "L15", name: "Omar Ortiz", email: "omar@example.com", phone: "+16145550115", source: "src-web",
                         created: 1 * d, owner: "member-ann", location: "loc-north", team: "team-a", collaborators: ["member-cid"],
                         score: 40, responseAfter: 15 * m),
            ScriptedLead(key: "L16", name: "Pia Park", email: "pia@example.com", phone: "+16145550116", source: "src-web",
                         created: 20 * m, owner: "member-bob", location: "loc-north", team: "team-a", score: 50, responseAfter: 3 * m,
                         statuses: [(.closedLost, 10 * m)]),
            ScriptedLead(key: "L17", name: "Quinn Quiz", email: "quinn@example.com", phone: "+16145550117", source: "src-web",
                         created: 15 * m, owner: "member-bob", location: "loc-north", team: "team-a", score: 95, isTest: true),
        ]
        var events = Dictionary(uniqueKeysWithValues: leads.map { ($0.key, $0.events(now)) })
        for lead in leads {
            guard let survivor = lead.mergedInto, let survivorId = leads.first(where: { $0.key == survivor })?.id else { continue }
            events[survivor]!.append(.lifecycle(LeadLifecycleEvent(
                leadId: survivorId, occurredAt: now.addingTimeInterval(-Self.minute), actor: Actor(id: "mgr-1", role: .manager),
                change: .merged(mergedLeadIds: [lead.id]))))
        }
        eventsByLead = events
    }

    func lead(_ key: String) -> ScriptedLead { leads.first { $0.key == key }! }

    /// The events of the lead `key`.
    func events(of key: String) -> [AnyLeadflowEvent] { eventsByLead[key]! }

    /// The events to publish: first the out-of-order leads' later events, then everything else
    /// (with their `leads.received` last).
    func events() -> (early: [AnyLeadflowEvent], rest: [AnyLeadflowEvent]) {
        var early: [AnyLeadflowEvent] = []
        var rest: [AnyLeadflowEvent] = []
        var late: [AnyLeadflowEvent] = []
        for lead in leads {
            let own = eventsByLead[lead.key]!
            if lead.outOfOrder {
                early += own.dropFirst()
                late.append(own[0])
            } else {
                rest += own
            }
        }
        return (early, rest + late)
    }

    /// The leads reports count: not test leads, not merged away, created in `[from, to)`.
    func reportable(from: Date? = nil, to: Date? = nil) -> [ScriptedLead] {
        let start = from ?? now.addingTimeInterval(-30 * Self.day)
        let end = to ?? now
        return leads.filter { !$0.isTest && $0.mergedInto == nil && $0.createdAt(now) >= start && $0.createdAt(now) < end }
    }

    /// Every visible lead regardless of age (hot sheet, pipeline).
    var current: [ScriptedLead] { leads.filter { !$0.isTest && $0.mergedInto == nil } }
}
