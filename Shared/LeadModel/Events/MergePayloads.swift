import Foundation

/// What a merge did, for consumers that keep their own copy of the leads (`merge` field of a
/// `merged` change). Older events carry only the merged ids.
public struct MergeDetails: Hashable, Sendable, Codable {
    /// The surviving lead right after the merge (field choices applied, the merged leads'
    /// contact points, vehicles, trade-ins, collaborators and custom fields taken over).
    public var survivor: Lead
    /// The merged leads as they were at the merge (what an unmerge restores).
    public var mergedLeads: [Lead]
    /// For each conflicting field the operator chose (`name`, `email`, `phone`, `address`,
    /// `budget`, `timeframe`, `comments`, `partner`), the lead whose value won.
    public var fieldChoices: [String: LeadID]

    /// Creates merge details.
    public init(survivor: Lead, mergedLeads: [Lead], fieldChoices: [String: LeadID] = [:]) {
        self.survivor = survivor
        self.mergedLeads = mergedLeads
        self.fieldChoices = fieldChoices
    }
}

/// What an unmerge did (`unmerge` field of an `unmerged` change).
public struct UnmergeDetails: Hashable, Sendable, Codable {
    /// The surviving lead after the unmerge (the restored leads' contributions taken out,
    /// changes made since the merge kept).
    public var survivor: Lead
    /// The restored leads, exactly as they were when merged, so consumers can recreate them.
    public var restoredLeads: [Lead]
    /// Events recorded on the survivor after the merge that now belong to a restored lead, as
    /// the operator moved them explicitly. Everything else stays on the survivor.
    public var movedEvents: [MovedEvent]

    /// Creates unmerge details.
    public init(survivor: Lead, restoredLeads: [Lead], movedEvents: [MovedEvent] = []) {
        self.survivor = survivor
        self.restoredLeads = restoredLeads
        self.movedEvents = movedEvents
    }

    /// An event (an activity, note, task…) moved from the survivor to a restored lead.
    public struct MovedEvent: Hashable, Sendable, Codable {
        /// The event's id.
        public var eventId: UUID
        /// The restored lead it now belongs to.
        public var leadId: LeadID

        /// Creates a move.
        public init(eventId: UUID, leadId: LeadID) {
            self.eventId = eventId
            self.leadId = leadId
        }
    }
}

extension Lead {
    /// Takes over the record content of `other` (a survivor snapshot published with a merge or
    /// unmerge) while keeping what other services own: owner, location, score, priority, the
    /// pipeline and location response status, creation and activity times, the test flag.
    public mutating func adoptRecord(of other: Lead) {
        fullName = other.fullName
        contacts = other.contacts
        partner = other.partner
        collaborators = other.collaborators
        vehiclesOfInterest = other.vehiclesOfInterest
        tradeIns = other.tradeIns
        budget = other.budget
        timeframe = other.timeframe
        if other.lifecycleStage > lifecycleStage { lifecycleStage = other.lifecycleStage }
        customFields = other.customFields
        comments = other.comments
        consent = other.consent
    }
}
