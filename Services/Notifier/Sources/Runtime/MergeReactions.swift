import Foundation
import LeadModel
import Logging
import PostgresNIO

/// The notifier's reaction to merges, in the transaction that applies the survivor's event:
/// every pending job of the merged leads (follow-up and task reminders, appointment alerts,
/// status-update requests, escalations) is cancelled, so the person is not chased twice — the
/// survivor's own schedule carries on. An unmerge schedules and sends nothing again.
enum MergeReactions {
    /// The leads whose jobs `change` (on `survivorId`) cancels.
    static func leadsToSilence(_ change: LifecycleChange, survivorId: LeadID) -> [LeadID] {
        guard case .merged(let ids, _) = change else { return [] }
        return ids.filter { $0 != survivorId }.sorted()
    }

    /// Cancels the pending jobs of the leads `change` merged away.
    static func apply(_ change: LifecycleChange, survivorId: LeadID, jobs: JobStore, on connection: PostgresConnection, logger: Logger) async throws {
        for id in leadsToSilence(change, survivorId: survivorId) {
            try await jobs.cancel([.all], leadId: id, on: connection, logger: logger)
        }
    }
}
