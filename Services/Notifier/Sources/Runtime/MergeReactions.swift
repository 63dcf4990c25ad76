import Foundation
import LeadModel
import Logging
import PostgresNIO

/// The notifier's reaction to merges, in the transaction that applies the survivor's event.
///
/// A merge hands the merged leads' task and appointment reminders to the survivor (the tasks and
/// appointments themselves moved there) and cancels their other pending jobs (follow-up
/// reminders, status-update requests, response alerts), so the person is not chased twice — the
/// survivor's own schedule carries on. An unmerge hands the carried-over reminders back to the
/// restored leads and schedules or sends nothing else.
enum MergeReactions {
    /// Jobs that belong to a task or an appointment, which travel with it to the survivor.
    static let carriedKinds: Set<JobKind> = [.taskDue, .appointmentToday]

    /// What `change` on `survivorId` does to other leads' jobs.
    enum Reaction: Equatable {
        /// Carry the merged leads' task jobs over to the survivor, cancel the rest.
        case absorb([LeadID])
        /// Hand the carried-over jobs back to the restored leads.
        case restore([LeadID])
        case none
    }

    /// The reaction to `change` on `survivorId`.
    static func reaction(to change: LifecycleChange, survivorId: LeadID) -> Reaction {
        switch change {
        case .merged(let ids, _): .absorb(ids.filter { $0 != survivorId }.sorted())
        case .unmerged(let ids, _): .restore(ids.filter { $0 != survivorId }.sorted())
        default: .none
        }
    }

    /// Applies the reaction to `change`.
    static func apply(_ change: LifecycleChange, survivorId: LeadID, jobs: JobStore, on connection: PostgresConnection, logger: Logger) async throws {
        switch reaction(to: change, survivorId: survivorId) {
        case .absorb(let merged):
            for id in merged {
                try await jobs.carryOver(carriedKinds, from: id, to: survivorId, on: connection, logger: logger)
                try await jobs.cancel([.all], leadId: id, on: connection, logger: logger)
            }
        case .restore(let restored):
            for id in restored {
                try await jobs.handBack(to: id, from: survivorId, on: connection, logger: logger)
            }
        case .none:
            break
        }
    }
}
