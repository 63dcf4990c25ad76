import Foundation
import LeadModel

/// Everything the audit reads for one run: the topics (each event once, by id, plus how many
/// copies the topic holds) and the rows of every service's schema that record an effect.
struct AuditEvidence {
    /// A notifier delivery row.
    struct Delivery {
        var key: String
        var leadId: UUID
        var kind: String
        var recipientId: String
        var channel: String
        var state: String
    }

    /// What analytics' projection says about one lead.
    struct ProjectedLead {
        var score: Int?
        var ownerId: String?
    }

    // Topics (first copy of each event id).
    var received: [UUID: LeadReceived] = [:]
    var lifecycle: [UUID: LeadLifecycleEvent] = [:]
    var scored: [UUID: LeadScored] = [:]
    var assigned: [UUID: LeadAssigned] = [:]
    var outcomes: [UUID: NotificationOutcome] = [:]
    var deadLetters: [DeadLetter] = []
    /// Messages on each topic beyond the first copy of an event id (an outbox relay that died
    /// between publishing and marking re-publishes; consumers drop the copy by id).
    var topicCopies: [String: Int] = [:]
    /// Messages on the topics that are not Leadflow events at all.
    var unreadable = 0
    /// Messages on `leads.inbound` (raw feeds: not CloudEvents, so counted by position).
    var inboundMessages = 0

    // PostgreSQL.
    var ingestLeads: Set<UUID> = []
    /// Rows of `ingest.source_lead_ids`: every accepted intake that carried a source-native id.
    var intakesRecorded = 0
    /// Rows of `ingest.processed_events` for the `leads.inbound` consumer.
    var inboundProcessed = 0
    var processed: [String: Set<UUID>] = [:]
    var scoreChanges: Set<UUID> = []
    var scoringScores: [UUID: Int?] = [:]
    var assignmentRows: Set<UUID> = []
    var routingOwners: [UUID: String] = [:]
    var deliveries: [Delivery] = []
    /// Active location contacts per location (the notifier's recipients directory).
    var locationContacts: [String: [String]] = [:]
    /// Active webhook subscribers of new-lead alerts: id → the location they are limited to (nil: all).
    var newLeadSubscribers: [String: String?] = [:]
    var projection: [UUID: ProjectedLead] = [:]

    /// Mail the SMTP sink received: notification key → one Message-ID per message received.
    var mail: [String: [String]]?
}

/// One line of the audit: what should exist, what does, and how it differs.
struct AuditLine: Encodable {
    var stage: String
    var check: String
    var expected: Int
    var found: Int
    var lost: Int
    var duplicated: Int
    /// Effects without a cause, or two services disagreeing about a lead.
    var unexpected: Int
    var note: String = ""

    var passed: Bool { lost == 0 && duplicated == 0 && unexpected == 0 }
}

/// The audit's verdict.
struct AuditReport: Encodable {
    var lines: [AuditLine]
    var deadLetters: [String: Int]
    var topicCopies: [String: Int]
    var smtpResends: Int
    var examples: [String]

    var lost: Int { lines.reduce(0) { $0 + $1.lost } }
    var duplicated: Int { lines.reduce(0) { $0 + $1.duplicated } }
    var unexpected: Int { lines.reduce(0) { $0 + $1.unexpected } }
    var passed: Bool { lines.allSatisfy(\.passed) }
}

/// The exactly-once invariants of the pipeline, checked on what a run left behind. Pure, so the
/// rules are readable in one place:
///
/// * intake: every accepted submission is recorded once (a new lead or a merge into one);
/// * ingest: every lead in `ingest.leads` has exactly one `leads.received`;
/// * each consumer (scoring, routing, notifier, analytics) recorded every input event id of its
///   topics in `processed_events` (dead-lettered ones aside) — the idempotency record that makes
///   its effects happen once;
/// * scoring: exactly one first score per received lead (caused by its `leads.received`), never
///   two `leads.scored` for one input (scoring publishes only when the score or priority
///   changes, so later inputs may publish nothing), and its history equals the topic;
/// * routing: exactly one first assignment per scored lead (caused by a `leads.scored`; later
///   assignments are re-routes or manual ones, each with its own cause), its history equals the
///   topic, and the record's owner is the last assignment's;
/// * notifier: one new-lead delivery per recipient per assignment, each sent (or suppressed),
///   one `sent` outcome per delivery, and one SMTP message per sent e-mail;
/// * analytics: every ingest lead projected, agreeing with scoring's score and routing's owner;
/// * no dead letters for valid input.
enum AuditInvariants {
    static func check(_ e: AuditEvidence, acceptedIntakes: Int?, strictSMTP: Bool = false) -> AuditReport {
        var lines: [AuditLine] = []
        var examples: [String] = []
        func example(_ text: String) { if examples.count < 20 { examples.append(text) } }

        // Dead-lettered inputs per consumer stage (by the original event id).
        var deadByStage: [String: Set<UUID>] = [:]
        var deadCounts: [String: Int] = [:]
        for letter in e.deadLetters {
            deadCounts["\(letter.stage.rawValue)/\(letter.errorCode)", default: 0] += 1
            if let id = letter.originalHeaders["ce_id"].flatMap(UUID.init(uuidString:)) {
                deadByStage[letter.stage.rawValue, default: []].insert(id)
            }
        }

        // MARK: intake and ingest
        if let accepted = acceptedIntakes {
            lines.append(AuditLine(
                stage: "intake", check: "accepted submissions recorded (new or merged)", expected: accepted,
                found: e.intakesRecorded, lost: max(0, accepted - e.intakesRecorded),
                duplicated: max(0, e.intakesRecorded - accepted), unexpected: 0,
                note: "ingest.source_lead_ids vs. the sender's accepted count"))
        }
        let inboundDead = e.deadLetters.filter { $0.stage.rawValue == "ingest" && $0.originalTopic.hasSuffix(Topic.inbound.name) }.count
        let inboundExpected = e.inboundMessages - inboundDead
        lines.append(AuditLine(
            stage: "ingest", check: "every leads.inbound message processed", expected: inboundExpected,
            found: min(e.inboundProcessed, inboundExpected), lost: max(0, inboundExpected - e.inboundProcessed), duplicated: 0,
            unexpected: max(0, e.inboundProcessed - inboundExpected), note: inboundDead > 0 ? "\(inboundDead) dead-lettered" : ""))
        var receivedByLead: [UUID: [LeadReceived]] = [:]
        for event in e.received.values { receivedByLead[event.leadId.uuid, default: []].append(event) }
        let receivedLost = e.ingestLeads.filter { receivedByLead[$0] == nil }
        let receivedDup = receivedByLead.values.reduce(0) { $0 + max(0, $1.count - 1) }
        let receivedOrphans = receivedByLead.keys.filter { !e.ingestLeads.contains($0) }
        receivedLost.prefix(3).forEach { example("ingest lead \($0) has no leads.received") }
        lines.append(AuditLine(
            stage: "ingest", check: "one leads.received per lead", expected: e.ingestLeads.count,
            found: e.ingestLeads.count - receivedLost.count, lost: receivedLost.count, duplicated: receivedDup,
            unexpected: receivedOrphans.count))

        // MARK: consumers' idempotency records
        func consumed(_ service: String, _ ids: [UUID], stage: String? = nil, deadStage: String? = nil) {
            let dead = deadByStage[deadStage ?? service] ?? []
            let inputs = Set(ids).subtracting(dead)
            let recorded = e.processed[service] ?? []
            let missing = inputs.subtracting(recorded)
            missing.prefix(3).forEach { example("\(service) never processed event \($0)") }
            let strangers = recorded.subtracting(ids)
            lines.append(AuditLine(
                stage: stage ?? service, check: stage == nil ? "every input event processed" : "every \(service.split(separator: ".").last ?? "") event processed",
                expected: inputs.count,
                found: inputs.count - missing.count, lost: missing.count, duplicated: 0, unexpected: strangers.count,
                note: dead.isEmpty ? "" : "\(dead.count) dead-lettered"))
        }
        let receivedIds = Array(e.received.keys), lifecycleIds = Array(e.lifecycle.keys)
        let scoredIds = Array(e.scored.keys), assignedIds = Array(e.assigned.keys), outcomeIds = Array(e.outcomes.keys)

        consumed("ingest.assigned", Array(e.assigned.keys), stage: "ingest", deadStage: "ingest")

        // MARK: scoring
        consumed("scoring", receivedIds + lifecycleIds + assignedIds)
        var scoredByCause: [UUID: Int] = [:]
        var scoredByLead: [UUID: [LeadScored]] = [:]
        for event in e.scored.values {
            scoredByCause[event.causationEventId, default: 0] += 1
            scoredByLead[event.leadId.uuid, default: []].append(event)
        }
        var firstLost = 0, firstDup = 0
        for (lead, events) in receivedByLead {
            let causes = Set(events.map(\.eventId))
            let first = scoredByLead[lead]?.filter { causes.contains($0.causationEventId) }.count ?? 0
            if first == 0 { firstLost += 1; example("lead \(lead) was never scored") }
            firstDup += max(0, first - 1)
        }
        lines.append(AuditLine(
            stage: "scoring", check: "one first score per received lead", expected: receivedByLead.count,
            found: receivedByLead.count - firstLost, lost: firstLost, duplicated: firstDup, unexpected: 0))
        let perInputDup = scoredByCause.values.reduce(0) { $0 + max(0, $1 - 1) }
        lines.append(AuditLine(
            stage: "scoring", check: "at most one leads.scored per input", expected: scoredByCause.count,
            found: e.scored.count, lost: 0, duplicated: perInputDup, unexpected: 0,
            note: "published only when the score or priority changes"))
        lines.append(outbox("scoring", "score history = leads.scored", rows: e.scoreChanges, topic: Set(e.scored.keys)))

        // MARK: routing
        consumed("routing", scoredIds + lifecycleIds)
        var assignedByLead: [UUID: [LeadAssigned]] = [:]
        for event in e.assigned.values { assignedByLead[event.leadId.uuid, default: []].append(event) }
        var routeLost = 0, routeDup = 0, reroutes = 0
        for (lead, scores) in scoredByLead {
            let causes = Set(scores.map(\.eventId))
            let all = assignedByLead[lead] ?? []
            let first = all.filter { causes.contains($0.causationEventId) }.count
            reroutes += all.count - first
            if first == 0 { routeLost += 1; example("lead \(lead) was scored but never assigned") }
            routeDup += max(0, first - 1)
        }
        lines.append(AuditLine(
            stage: "routing", check: "one first assignment per scored lead", expected: scoredByLead.count,
            found: scoredByLead.count - routeLost, lost: routeLost, duplicated: routeDup,
            unexpected: assignedByLead.keys.filter { scoredByLead[$0] == nil }.count,
            note: reroutes > 0 ? "\(reroutes) later (re-)assignments with their own causes" : ""))
        var causePairs: [String: Int] = [:]
        for event in e.assigned.values { causePairs["\(event.leadId)/\(event.causationEventId)", default: 0] += 1 }
        var ownerMismatch = 0
        for (lead, events) in assignedByLead {
            guard let last = events.max(by: { ($0.occurredAt, $0.eventId.uuidString) < ($1.occurredAt, $1.eventId.uuidString) }) else { continue }
            let owner = last.ownerId ?? last.lead?.ownerId
            if let owner, e.routingOwners[lead] != owner {
                ownerMismatch += 1
                example("lead \(lead): routing's owner \(e.routingOwners[lead] ?? "none") is not the last assignment's \(owner)")
            }
        }
        lines.append(AuditLine(
            stage: "routing", check: "one owner: record = last assignment", expected: assignedByLead.count,
            found: assignedByLead.count - ownerMismatch, lost: 0,
            duplicated: causePairs.values.reduce(0) { $0 + max(0, $1 - 1) }, unexpected: ownerMismatch))
        lines.append(outbox("routing", "assignment history = leads.assigned", rows: e.assignmentRows, topic: Set(e.assigned.keys)))

        // MARK: notifier
        consumed("notifier", assignedIds + lifecycleIds)
        // Who each assignment alerts: the owner, the location's contacts (or the location itself,
        // as a suppressed delivery, when it has none), and webhook subscribers of new-lead alerts.
        var expectedAlerts: [String: Int] = [:]
        for event in e.assigned.values {
            var recipients: Set<String> = []
            if let owner = event.ownerId ?? event.lead?.ownerId { recipients.insert(owner) }
            let location = event.locationId ?? event.lead?.locationId
            if let location {
                let contacts = e.locationContacts[location] ?? []
                recipients.formUnion(contacts.isEmpty ? [location] : contacts)
            }
            if !recipients.isEmpty {
                for (id, limit) in e.newLeadSubscribers where limit == nil || limit == location { recipients.insert(id) }
            }
            for recipient in recipients { expectedAlerts["\(event.leadId.uuid)/\(recipient)", default: 0] += 1 }
        }
        var alerts: [String: Int] = [:]
        let newLead = e.deliveries.filter { $0.kind == "new_lead_assigned" }
        for delivery in newLead { alerts["\(delivery.leadId)/\(delivery.recipientId)", default: 0] += 1 }
        let alertsLost = expectedAlerts.keys.filter { alerts[$0] == nil }
        alertsLost.prefix(3).forEach { example("no new-lead notification for lead/recipient \($0)") }
        let alertsDup = alerts.reduce(0) { $0 + max(0, $1.value - (expectedAlerts[$1.key] ?? 0)) }
        lines.append(AuditLine(
            stage: "notifier", check: "one new-lead alert per recipient per assignment", expected: expectedAlerts.count,
            found: expectedAlerts.count - alertsLost.count, lost: alertsLost.count, duplicated: alertsDup,
            unexpected: alerts.keys.filter { expectedAlerts[$0] == nil }.count))
        let unsent = newLead.filter { !["sent", "suppressed"].contains($0.state) }
        unsent.prefix(3).forEach { example("delivery \($0.key) is \($0.state)") }
        lines.append(AuditLine(
            stage: "notifier", check: "new-lead alerts sent", expected: newLead.count, found: newLead.count - unsent.count,
            lost: unsent.count, duplicated: 0, unexpected: 0,
            note: "\(newLead.filter { $0.state == "suppressed" }.count) suppressed"))
        var sentOutcomes: [String: Int] = [:]
        for outcome in e.outcomes.values where outcome.status == .sent { sentOutcomes[outcome.notificationKey, default: 0] += 1 }
        let sent = e.deliveries.filter { $0.state == "sent" }
        let sentKeys = Set(sent.map(\.key))
        let outcomeLost = sentKeys.filter { sentOutcomes[$0] == nil }.count
        lines.append(AuditLine(
            stage: "notifier", check: "one 'sent' outcome per sent delivery", expected: sentKeys.count,
            found: sentKeys.count - outcomeLost, lost: outcomeLost,
            duplicated: sentOutcomes.values.reduce(0) { $0 + max(0, $1 - 1) },
            unexpected: sentOutcomes.keys.filter { !sentKeys.contains($0) }.count))
        var smtpResends = 0
        if let mail = e.mail {
            let emailKeys = Set(sent.filter { $0.channel == "email" }.map(\.key))
            let missing = emailKeys.filter { mail[$0] == nil }
            missing.prefix(3).forEach { example("no SMTP message for \($0)") }
            var distinctCopies = 0
            for ids in mail.values {
                smtpResends += ids.count - 1
                distinctCopies += Set(ids).count - 1  // a copy under another Message-ID
            }
            // A copy under the same Message-ID is the documented crash window (the server accepted
            // the message, the process died before the `sent` mark): receivers drop it by its id.
            // It fails the audit only when `strictSMTP`; a copy under another Message-ID always does.
            let sameId = smtpResends - distinctCopies
            lines.append(AuditLine(
                stage: "smtp", check: "one message per sent e-mail (by key)", expected: emailKeys.count,
                found: emailKeys.count - missing.count, lost: missing.count,
                duplicated: distinctCopies + (strictSMTP ? sameId : 0),
                unexpected: mail.keys.filter { !sentKeys.contains($0) }.count,
                note: sameId == 0 ? "" : "\(sameId) re-sent with the same Message-ID after a crash mid-send\(strictSMTP ? "" : ", not counted")"))
        }

        // MARK: analytics
        consumed("analytics", receivedIds + lifecycleIds + scoredIds + assignedIds + outcomeIds + e.deadLetters.map(\.eventId))
        let projectedLost = e.ingestLeads.filter { e.projection[$0] == nil }
        projectedLost.prefix(3).forEach { example("lead \($0) is missing from analytics") }
        lines.append(AuditLine(
            stage: "analytics", check: "every lead projected once", expected: e.ingestLeads.count,
            found: e.ingestLeads.count - projectedLost.count, lost: projectedLost.count, duplicated: 0,
            unexpected: e.projection.keys.filter { !e.ingestLeads.contains($0) }.count))
        var disagree = 0
        for (lead, projected) in e.projection {
            let score = e.scoringScores[lead] ?? nil
            let owner = e.routingOwners[lead]
            if projected.score != score || projected.ownerId != owner {
                disagree += 1
                example("analytics has lead \(lead) with score \(projected.score.map(String.init) ?? "-") owner \(projected.ownerId ?? "-"); scoring/routing say \(score.map(String.init) ?? "-")/\(owner ?? "-")")
            }
        }
        lines.append(AuditLine(
            stage: "analytics", check: "score and owner agree with scoring/routing", expected: e.projection.count,
            found: e.projection.count - disagree, lost: 0, duplicated: 0, unexpected: disagree))

        let deadTotal = e.deadLetters.count
        lines.append(AuditLine(
            stage: "all", check: "no dead letters for valid input", expected: 0, found: deadTotal, lost: 0,
            duplicated: 0, unexpected: deadTotal + e.unreadable, note: e.unreadable > 0 ? "\(e.unreadable) unreadable messages" : ""))

        return AuditReport(lines: lines, deadLetters: deadCounts, topicCopies: e.topicCopies, smtpResends: smtpResends, examples: examples)
    }

    /// An outbox's history table against the topic it publishes to.
    private static func outbox(_ stage: String, _ check: String, rows: Set<UUID>, topic: Set<UUID>) -> AuditLine {
        let missing = rows.subtracting(topic).count
        return AuditLine(
            stage: stage, check: check, expected: rows.count, found: rows.count - missing, lost: missing, duplicated: 0,
            unexpected: topic.subtracting(rows).count)
    }
}
