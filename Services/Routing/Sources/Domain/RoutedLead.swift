import Foundation
import LeadModel

/// Routing's record of one lead: the snapshot it keeps in step with the topics, where the lead
/// sits, what it must avoid on re-routing, and its SLA clock.
public struct RoutedLead: Sendable, Hashable {
    /// The lead.
    public var leadId: LeadID
    /// The lead as routing knows it (nil until its first `leads.scored` arrives).
    public var lead: Lead?
    /// Where it sits now.
    public var placement: Placement
    /// Whether it still counts against its owner's capacity.
    public var isOpen: Bool
    /// Whether its personal data was erased (a snapshot arriving later is erased too).
    public var isErased: Bool
    /// Collaborators (kept here too, for a lead whose snapshot has not arrived yet).
    public var collaborators: [String]
    /// Locations that rejected it or missed its response target.
    public var excludedLocations: [String]
    /// Members who missed its response target or lost it to a rejection.
    public var excludedMembers: [String]
    /// When the current assignee got it.
    public var assignedAt: Date?
    /// When the current assignee must have acknowledged it (the SLA timer; nil: not running).
    public var responseDueAt: Date?
    /// Whose response the timer waits for.
    public var responseParty: ResponseParty?
    /// The `leads.assigned` event of the current placement (nil: never routed).
    public var lastAssignmentEventId: UUID?
    /// Automatic re-routings so far.
    public var reroutes: Int

    /// A lead routing has not seen before.
    public init(leadId: LeadID) {
        self.leadId = leadId
        lead = nil
        placement = .none
        isOpen = true
        isErased = false
        collaborators = []
        excludedLocations = []
        excludedMembers = []
        assignedAt = nil
        responseDueAt = nil
        responseParty = nil
        lastAssignmentEventId = nil
        reroutes = 0
    }

    /// Whether routing has placed it at least once.
    public var wasRouted: Bool { lastAssignmentEventId != nil }
}
