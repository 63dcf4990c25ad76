import Foundation
import LeadMessaging
import LeadModel
import LeadServiceKit
import LeadStorage
import Logging
import PostgresNIO

/// Applies `leads.assigned` and `leads.lifecycle` exactly once: in one transaction it records the
/// event id, updates the tracked lead, cancels and creates scheduled jobs, and records the
/// deliveries to make (unique notification keys) with the outcomes of suppressed ones. Right after
/// the commit it wakes the dispatcher, so the assignee's alert leaves at once (speed to lead).
/// In the same transaction it records the outbound subscription deliveries the event matches;
/// `leads.received` and `leads.scored` are consumed for subscriptions only.
struct NotifierEventHandler: EventHandler {
    static let consumerName = "notifier"

    let core: NotifierCore
    let subscriptions: SubscriptionCore

    func handle(_ message: ConsumedMessage) async throws {
        let incoming = try IncomingEvent(message)
        switch incoming.event {
        case .received where message.topic.hasSuffix(Topic.received.name), .scored where message.topic.hasSuffix(Topic.scored.name):
            try await subscriptions.applyOnce(incoming.event, consumer: Self.consumerName, applier: core.applier)
        case .assigned(let event):
            try await apply(eventId: incoming.eventId, leadId: event.leadId, event: incoming.event) { previous, zones, planner, now in
                planner.plan(assigned: event, previous: previous, zones: zones, now: now)
            } referencedIds: { previous in
                Planner.referencedIds(assigned: event, previous: previous)
            }
        case .lifecycle(let event):
            try await apply(eventId: incoming.eventId, leadId: event.leadId, event: incoming.event) { previous, zones, planner, now in
                planner.plan(lifecycle: event, previous: previous, zones: zones, now: now)
            } referencedIds: { previous in
                Planner.referencedIds(lifecycle: event, previous: previous)
            } also: { core, connection in
                try await MergeReactions.apply(event.change, survivorId: event.leadId, jobs: core.jobs, on: connection, logger: core.logger)
            }
        default:
            throw EventRejection(
                code: "unexpected_event_type",
                reason: "the notifier consumes lead.received, lead.scored, lead.assigned and lead.lifecycle events from their topics, not \(message.topic) events")
        }
    }

    private func apply(
        eventId: UUID, leadId: LeadID, event: AnyLeadflowEvent,
        plan: (TrackedLead?, TimeZones, Planner, Date) -> (TrackedLead, Plan),
        referencedIds: (TrackedLead?) -> (locations: Set<String>, members: Set<String>),
        also: @Sendable (NotifierCore, PostgresConnection) async throws -> Void = { _, _ in }
    ) async throws {
        let core = self.core
        let logger = core.logger
        var pending = 0
        var scheduled = false
        var subscribed = 0
        let subscriptions = self.subscriptions
        try await core.applier.applyOnce(consumer: Self.consumerName, eventId: eventId) { connection in
            let now = core.clock()
            let previous = try await core.leads.lock(leadId, on: connection, logger: logger)
            let ids = referencedIds(previous)
            let zones = try await core.recipients.timeZones(locations: ids.locations, members: ids.members, on: connection, logger: logger)
            var options = core.configuration.planner
            options.defaultTasks = try await core.cachedDefaultTasks(on: connection)
            let (lead, plan) = plan(previous, zones, Planner(options: options), now)
            try await core.leads.save(lead, on: connection, logger: logger)
            var records: [OutboxRecord] = []
            if previous != nil {  // a lead seen for the first time has no jobs to cancel
                try await core.jobs.cancel(plan.cancellations, leadId: leadId, on: connection, logger: logger)
            }
            try await also(core, connection)
            if plan.eraseDeliveries {
                for stopped in try await core.deliveries.erase(leadId: leadId, on: connection, logger: logger) {
                    records.append(try core.outcomes.outcome(
                        stopped, status: .suppressed, attempts: stopped.attempts, error: "lead_erased", nextAttemptAt: nil, now: now))
                }
            }
            scheduled = !(try await core.jobs.create(plan.jobs, leadId: leadId, by: "event:\(eventId.uuidString.lowercased())",
                                                      on: connection, logger: logger)).isEmpty
            let composed = try await core.composer.compose(
                plan.notifications, lead: lead, cause: .event(eventId), causeEventId: eventId, now: now, on: connection, logger: logger)
            pending = composed.pending
            subscribed = try await subscriptions.fanout.record(
                event, known: SubscribedEvent.LeadFacts(sourceId: lead.snapshot?.source.id, locationId: lead.locationId),
                now: now, on: connection)
            return records + composed.records
        }
        if subscribed > 0 { subscriptions.signal.wake() }
        if pending > 0 { core.dispatcherSignal.wake() }
        if scheduled { core.schedulerSignal.wake() }
    }
}
