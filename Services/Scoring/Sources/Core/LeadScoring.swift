import Foundation
import LeadModel

/// What arrived for a lead.
public enum ScoringInput: Sendable {
    /// A new lead (`leads.received`).
    case received(LeadReceived)
    /// A change (`leads.lifecycle`).
    case lifecycle(LeadLifecycleEvent)
    /// An assignment (`leads.assigned`): only who works the lead, for access checks.
    case assigned(LeadAssigned)
    /// A rescoring pass (an operator's rescore job or the recency sweep) with this id.
    case rescore(jobId: UUID)
}

/// A lead that just closed: training data for the learned model.
public struct ClosedLead: Hashable, Sendable {
    /// Won or lost.
    public var outcome: PipelineOutcome
    /// Its facts at the close.
    public var facts: LeadFacts
    /// When it closed.
    public var closedAt: Date
}

/// The result of one input: the new record, the `leads.scored` event to publish (only when the
/// score or the priority changed), and the close to remember for training.
public struct ScoringStep: Sendable {
    /// The record to store.
    public var record: LeadRecord
    /// The event to publish, if any.
    public var scored: LeadScored?
    /// The close, if this input closed the lead.
    public var closed: ClosedLead?
}

/// Why an input cannot be applied, ever (the event is dead-lettered).
public struct ScoringRejection: Error, Hashable, Sendable {
    /// Stable code.
    public var code: String
    /// For people.
    public var reason: String
}

/// Scoring's decision for one lead and one input: pure, so every rule of "when is a lead
/// (re)scored and when is that published" is unit-tested without Kafka or SQL.
public struct LeadScoring: Sendable {
    /// The most lifecycle changes kept for a lead scoring has not received yet.
    public static let maximumPending = 1000

    /// The scoring in force.
    public var scoring: ActiveScoring
    /// The time scores are computed at (recency decay, recent chat).
    public var now: Date
    /// Makes the ids of published events.
    public var makeEventId: @Sendable () -> UUID

    /// Creates the decision maker.
    public init(scoring: ActiveScoring, now: Date, makeEventId: @escaping @Sendable () -> UUID = { UUID() }) {
        self.scoring = scoring
        self.now = now
        self.makeEventId = makeEventId
    }

    /// Applies `input` to `record` (the stored state of `leadId`).
    public func step(_ record: LeadRecord, leadId: LeadID, input: ScoringInput) throws(ScoringRejection) -> ScoringStep {
        var record = record
        switch input {
        case .received(let event):
            guard event.lead.id == leadId else {
                throw ScoringRejection(code: "lead_id_mismatch",
                                       reason: "the event's leadId \(leadId) differs from its lead's id \(event.lead.id)")
            }
            guard record.lead == nil else {
                // Ingest publishes a lead once; a re-publication under a new id changes nothing.
                return ScoringStep(record: record, scored: nil, closed: nil)
            }
            var lead = event.lead
            var closed: ClosedLead?
            for pending in Self.inOrder(record.pending) {
                lead.apply(pending.change, at: pending.occurredAt)
                if let outcome = record.history.record(pending.change, at: pending.occurredAt, duplicateKeywords: duplicateKeywords) {
                    closed = ClosedLead(outcome: outcome, facts: facts(lead, record.history), closedAt: pending.occurredAt)
                }
            }
            record.pending = []
            if let assignment = record.assignment, assignment.at >= lead.createdAt {
                if let owner = assignment.ownerId { lead.ownerId = owner }
                if let location = assignment.locationId { lead.locationId = location }
            }
            record.lead = lead
            let scored = rescore(&record, leadId: leadId, cause: event.eventId)
            return ScoringStep(record: record, scored: scored, closed: closed.map { closedNow($0, record) })

        case .lifecycle(let event):
            guard var lead = record.lead else {
                guard record.pending.count < Self.maximumPending else {
                    throw ScoringRejection(code: "lead_unknown",
                                           reason: "\(Self.maximumPending) changes are already waiting for lead \(leadId), which scoring never received")
                }
                record.pending.append(PendingChange(eventId: event.eventId, occurredAt: event.occurredAt, change: event.change))
                return ScoringStep(record: record, scored: nil, closed: nil)
            }
            lead.apply(event.change, at: event.occurredAt)
            if case .manuallyAssigned(let owner, let location, _) = event.change {
                record.assignment = AssignmentFacts(
                    ownerId: owner, locationId: location ?? lead.locationId, teamId: record.assignment?.teamId,
                    at: max(event.occurredAt, record.assignment?.at ?? event.occurredAt))
            }
            let outcome = record.history.record(event.change, at: event.occurredAt, duplicateKeywords: duplicateKeywords)
            record.lead = lead
            let scored = rescore(&record, leadId: leadId, cause: event.eventId)
            let closed = outcome.map {
                ClosedLead(outcome: $0, facts: facts(lead, record.engagement), closedAt: event.occurredAt)
            }
            return ScoringStep(record: record, scored: scored, closed: closed)

        case .assigned(let event):
            if let last = record.assignment, event.occurredAt < last.at {
                return ScoringStep(record: record, scored: nil, closed: nil)  // an older assignment arriving late
            }
            let owner = event.ownerId ?? event.lead?.ownerId
            let location = event.locationId ?? event.lead?.locationId
            record.assignment = AssignmentFacts(ownerId: owner, locationId: location, teamId: event.teamId, at: event.occurredAt)
            if var lead = record.lead {
                if let owner { lead.ownerId = owner }
                if let location { lead.locationId = location }
                record.lead = lead
            }
            return ScoringStep(record: record, scored: nil, closed: nil)

        case .rescore(let jobId):
            guard record.lead != nil else { return ScoringStep(record: record, scored: nil, closed: nil) }
            let scored = rescore(&record, leadId: leadId, cause: jobId)
            return ScoringStep(record: record, scored: scored, closed: nil)
        }
    }

    /// Scores the record's lead now; returns the event to publish when the score or priority changed.
    func rescore(_ record: inout LeadRecord, leadId: LeadID, cause: UUID) -> LeadScored? {
        guard var lead = record.lead, record.mergedInto == nil else { return nil }
        let card = scoring.score(facts(lead, record.engagement))
        let previous = record.current
        lead.score = card.score
        lead.priority = card.priority
        record.lead = lead
        record.current = card
        record.scoredAt = now
        record.causationEventId = cause
        if let previous, previous.score == card.score, previous.priority == card.priority { return nil }
        return LeadScored(
            eventId: makeEventId(), leadId: leadId, occurredAt: now, score: card.score, priority: card.priority,
            previousScore: previous?.score, previousPriority: previous?.priority, rulesVersion: card.rulesVersion,
            modelKind: card.modelKind, factors: card.factors, causationEventId: cause, lead: lead)
    }

    /// The facts of `lead` with `history` now.
    public func facts(_ lead: Lead, _ history: EngagementHistory) -> LeadFacts {
        LeadFacts(lead: lead, history: history, now: now, pricingKeywords: scoring.rules.intent.pricingKeywords)
    }

    private var duplicateKeywords: [String] { scoring.rules.negative.duplicateKeywords }

    /// A close found among pending changes, with the facts of the lead once all of them applied.
    private func closedNow(_ closed: ClosedLead, _ record: LeadRecord) -> ClosedLead {
        guard let lead = record.lead else { return closed }
        return ClosedLead(outcome: closed.outcome, facts: facts(lead, record.engagement), closedAt: closed.closedAt)
    }

    /// Pending changes by time, arrival order breaking ties.
    private static func inOrder(_ pending: [PendingChange]) -> [PendingChange] {
        pending.enumerated().sorted { ($0.element.occurredAt, $0.offset) < ($1.element.occurredAt, $1.offset) }.map(\.element)
    }
}
