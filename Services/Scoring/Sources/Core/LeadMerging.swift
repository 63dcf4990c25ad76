import Foundation
import LeadModel

extension EngagementHistory {
    /// Both histories together (a survivor with a lead merged into it): counts add up, flags
    /// and latest times combine; the outcome stays this lead's.
    public func combined(with other: EngagementHistory) -> EngagementHistory {
        var result = self
        result.replies += other.replies
        result.callsConnected += other.callsConnected
        result.appointmentsScheduled += other.appointmentsScheduled
        result.testDriveRequested = testDriveRequested || other.testDriveRequested
        result.appointmentsKept += other.appointmentsKept
        result.noShows += other.noShows
        result.lastChatAt = [lastChatAt, other.lastChatAt].compactMap { $0 }.max()
        result.lastEngagementAt = [lastEngagementAt, other.lastEngagementAt].compactMap { $0 }.max()
        result.duplicateInquiries += other.duplicateInquiries
        result.rejectedAsDuplicate = rejectedAsDuplicate || other.rejectedAsDuplicate
        return result
    }
}

/// Scoring's rules for merges (pure): merged leads' scores are retired and their engagement
/// counts for the survivor, which is scored once; an unmerge undoes both.
public enum LeadMerging {
    /// Retires `merged` (merged into `survivorId`): returns its record marked and the
    /// engagement the survivor takes over.
    public static func retire(_ merged: LeadRecord, into survivorId: LeadID) -> (record: LeadRecord, engagement: EngagementHistory) {
        var record = merged
        record.mergedInto = survivorId
        return (record, merged.engagement)
    }

    /// Adds the retired leads' engagement to the survivor's record.
    public static func absorb(_ survivor: inout LeadRecord, engagement: [LeadID: EngagementHistory]) {
        var histories = survivor.mergedHistories ?? [:]
        for (id, history) in engagement { histories[id.description] = history }
        survivor.mergedHistories = histories.isEmpty ? nil : histories
    }

    /// Takes the restored leads' engagement out of the survivor's record.
    public static func release(_ survivor: inout LeadRecord, restored: [LeadID]) {
        var histories = survivor.mergedHistories ?? [:]
        for id in restored { histories[id.description] = nil }
        survivor.mergedHistories = histories.isEmpty ? nil : histories
    }

    /// A restored lead's record: active again, with the snapshot it had at the merge when scoring
    /// lacks one (its score, owner and location stay what scoring knew).
    public static func restore(_ record: LeadRecord, snapshot: Lead?) -> LeadRecord {
        var record = record
        record.mergedInto = nil
        if let snapshot {
            if var lead = record.lead {
                lead.adoptRecord(of: snapshot)
                record.lead = lead
            } else {
                record.lead = snapshot
            }
        }
        return record
    }
}
