import Foundation
import LeadMessaging
import LeadModel
import LeadServiceKit
import LeadStorage
import Logging
import Metrics
import PostgresNIO

/// Applies `leads.received`, `leads.lifecycle` and `leads.assigned` messages exactly once each:
/// locks the lead's row, runs ``LeadScoring``, stores the new record (and a close, for training)
/// and puts a `leads.scored` event into the outbox when the score or priority changed — all in
/// the transaction that records the event id.
///
/// Dead-letter codes besides those of `IncomingEvent`: `unexpected_event_type` (an event type
/// that does not belong on the topic), `key_mismatch` (the message key is not the event's lead),
/// `lead_id_mismatch`, `lead_unknown` (too many changes waiting for a lead never received).
struct ScoringEventHandler: EventHandler {
    /// The consumer name of the idempotency records.
    static let consumer = "scoring"

    let applier: EventApplier
    let events: EventEncoder
    let store: LeadStore
    let versions: ScoringVersions
    let clock: @Sendable () -> Date
    let logger: Logger

    func handle(_ message: ConsumedMessage) async throws {
        let incoming = try IncomingEvent(message)
        let (leadId, input) = try input(of: incoming)
        if let key = message.keyString, LeadID(key) != leadId {
            throw EventRejection(code: "key_mismatch", reason: "the message key '\(key.prefix(80))' is not the event's lead \(leadId)")
        }
        let started = ContinuousClock.now
        var published = false
        try await applier.applyOnce(consumer: Self.consumer, eventId: incoming.eventId) { connection in
            var (record, rulesVersion, modelVersion) = try await store.lock(leadId, on: connection)
            let scoring = try await versions.active(rulesVersion: rulesVersion, modelVersion: modelVersion, on: connection)
            var records: [OutboxRecord] = []
            if case .lifecycle(let event) = input {
                records = try await applyMerge(event, survivor: &record, scoring: scoring, on: connection)
            }
            let step: ScoringStep
            do throws(ScoringRejection) {
                step = try LeadScoring(scoring: scoring, now: clock()).step(record, leadId: leadId, input: input)
            } catch {
                throw EventRejection(code: error.code, reason: error.reason)
            }
            try await store.save(leadId, step.record, published: step.scored, on: connection)
            if let closed = step.closed { try await store.recordOutcome(leadId, closed, on: connection) }
            published = step.scored != nil || !records.isEmpty
            guard let scored = step.scored else { return records }
            return records + [try events.record(scored)]
        }
        ScoringMetrics.recordHandled(topic: incoming.envelope.type, published: published, since: started)
    }

    /// The other leads a merge or unmerge on `survivor` touches, in this transaction: merged
    /// leads are retired (never scored again) and their engagement moves to the survivor;
    /// restored leads come back and are rescored (published only when their score changed).
    private func applyMerge(
        _ event: LeadLifecycleEvent, survivor: inout LeadRecord, scoring: ActiveScoring, on connection: PostgresConnection
    ) async throws -> [OutboxRecord] {
        switch event.change {
        case .merged(let ids, _):
            var engagement: [LeadID: EngagementHistory] = [:]
            for id in ids.sorted() where id != event.leadId {
                let (merged, _, _) = try await store.lock(id, on: connection)
                guard merged.mergedInto != event.leadId else { continue }
                let retired = LeadMerging.retire(merged, into: event.leadId)
                engagement[id] = retired.engagement
                try await store.save(id, retired.record, published: nil, on: connection)
            }
            LeadMerging.absorb(&survivor, engagement: engagement)
            return []
        case .unmerged(let ids, let details):
            LeadMerging.release(&survivor, restored: ids)
            var records: [OutboxRecord] = []
            for id in ids.sorted() where id != event.leadId {
                let (stored, _, _) = try await store.lock(id, on: connection)
                var restored = LeadMerging.restore(stored, snapshot: details?.restoredLeads.first { $0.id == id })
                let scored = LeadScoring(scoring: scoring, now: clock()).rescore(&restored, leadId: id, cause: event.eventId)
                try await store.save(id, restored, published: scored, on: connection)
                if let scored { records.append(try events.record(scored)) }
            }
            return records
        default:
            return []
        }
    }

    /// What the message means for which lead; rejects event types that do not belong on its topic.
    private func input(of incoming: IncomingEvent) throws(EventRejection) -> (LeadID, ScoringInput) {
        let topic = incoming.message.topic
        switch incoming.event {
        case .received(let event) where topic == events.topicName(.received):
            return (event.leadId, .received(event))
        case .lifecycle(let event) where topic == events.topicName(.lifecycle):
            return (event.leadId, .lifecycle(event))
        case .assigned(let event) where topic == events.topicName(.assigned):
            return (event.leadId, .assigned(event))
        default:
            throw EventRejection(
                code: "unexpected_event_type",
                reason: "\(incoming.envelope.type.prefix(120)) does not belong on \(topic.prefix(200))")
        }
    }
}

/// The scoring service's own metrics.
enum ScoringMetrics {
    /// Counts a handled event, whether it published a score, and how long it took.
    static func recordHandled(topic: String, published: Bool, since started: ContinuousClock.Instant) {
        Counter(label: "leadflow_scoring_events_total", dimensions: [("type", topic)]).increment()
        if published {
            Counter(label: "leadflow_scoring_published_total").increment()
        } else {
            Counter(label: "leadflow_scoring_unchanged_total").increment()
        }
        let elapsed = ContinuousClock.now - started
        Timer(label: "leadflow_scoring_apply_seconds", preferredDisplayUnit: .seconds)
            .recordNanoseconds(elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
    }

    /// Counts leads a rescore job looked at and re-published.
    static func recordRescored(scanned: Int, republished: Int, reason: String) {
        Counter(label: "leadflow_scoring_rescored_total", dimensions: [("reason", reason)]).increment(by: scanned)
        Counter(label: "leadflow_scoring_republished_total", dimensions: [("reason", reason)]).increment(by: republished)
    }
}
