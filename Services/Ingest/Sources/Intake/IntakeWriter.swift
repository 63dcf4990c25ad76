import Foundation
import LeadModel
import LeadServiceKit
import LeadStorage
import Logging
import PostgresNIO

/// A normalized lead ready to store, with how it arrived and who sent it.
public struct PreparedLead: Sendable {
    public var lead: Lead
    public var intake: Intake
    public var actor: Actor

    public init(lead: Lead, intake: Intake, actor: Actor) {
        self.lead = lead
        self.intake = intake
        self.actor = actor
    }
}

/// What became of one submission.
public struct IntakeResult: Sendable, Hashable, Codable {
    /// `created` (a new lead, `leads.received`), `merged` (a duplicate inquiry on an existing
    /// lead, `leads.lifecycle`) or `redelivered` (a source-native id seen before: nothing changed).
    public enum Outcome: String, Sendable, Hashable, Codable {
        case created, merged, redelivered
    }

    public var leadId: LeadID
    public var outcome: Outcome
    /// The event published, if any.
    public var eventId: UUID?
}

/// Stores submissions with de-duplication, inside the caller's transaction, and returns the
/// events to publish through the outbox.
///
/// Two instances receiving the same person at once serialize on advisory locks taken on every
/// identity (source-native id, e-mails, phones) in one global order, so exactly one lead results.
struct IntakeWriter: Sendable {
    let store: LeadStore
    let events: EventEncoder
    /// How long an identity keeps matching after it was last seen.
    let dedupWindow: TimeInterval

    func submit(_ batch: [PreparedLead], now: Date, on connection: PostgresConnection) async throws -> ([IntakeResult], [OutboxRecord]) {
        var lockKeys: [String] = []
        for item in batch {
            if let sourceLeadId = item.intake.sourceLeadId {
                lockKeys.append(DedupKeys.sourceLockKey(sourceId: item.intake.sourceId, sourceLeadId: sourceLeadId))
            }
            lockKeys += DedupKeys.contactKeys(of: item.lead).map(\.value)
        }
        try await store.lock(lockKeys, on: connection)

        var results: [IntakeResult] = []
        var records: [OutboxRecord] = []
        for item in batch {
            let (result, record) = try await submitOne(item, now: now, on: connection)
            results.append(result)
            if let record { records.append(record) }
        }
        return (results, records)
    }

    private func submitOne(_ item: PreparedLead, now: Date, on connection: PostgresConnection) async throws -> (IntakeResult, OutboxRecord?) {
        let sourceLeadId = item.intake.sourceLeadId
        if let sourceLeadId,
           let existing = try await store.leadId(sourceId: item.intake.sourceId, sourceLeadId: sourceLeadId, on: connection) {
            let current = try await MergeStore(logger: store.logger).resolve(existing, on: connection)
            return (IntakeResult(leadId: current, outcome: .redelivered, eventId: nil), nil)
        }
        let keys = DedupKeys.contactKeys(of: item.lead)
        let matches = try await store.matches(keys.map(\.value), since: now.addingTimeInterval(-dedupWindow), on: connection)
        if let (leadId, matchedOn) = DedupKeys.choose(keys, matches: matches),
           var stored = try await store.load(leadId, forUpdate: true, on: connection), stored.erasedAt == nil {
            let change = LifecycleChange.duplicateInquiry(DuplicateInquiry(lead: item.lead, intake: item.intake, matchedOn: matchedOn))
            stored.lead.apply(change, at: now)
            try await store.update(stored.lead, now: now, on: connection)
            try await store.upsertKeys(keys.map(\.value), leadId: leadId, now: now, on: connection)
            if let sourceLeadId {
                try await store.recordSourceLeadId(sourceId: item.intake.sourceId, sourceLeadId: sourceLeadId, leadId: leadId, now: now, on: connection)
            }
            let event = LeadLifecycleEvent(leadId: leadId, occurredAt: now, actor: item.actor, change: change)
            return (IntakeResult(leadId: leadId, outcome: .merged, eventId: event.eventId), try events.record(event))
        }
        try await store.insert(item.lead, now: now, on: connection)
        try await store.upsertKeys(keys.map(\.value), leadId: item.lead.id, now: now, on: connection)
        if let sourceLeadId {
            try await store.recordSourceLeadId(sourceId: item.intake.sourceId, sourceLeadId: sourceLeadId, leadId: item.lead.id, now: now, on: connection)
        }
        let event = LeadReceived(occurredAt: now, lead: item.lead, intake: item.intake, actor: item.actor)
        return (IntakeResult(leadId: item.lead.id, outcome: .created, eventId: event.eventId), try events.record(event))
    }
}
