import Foundation
import LeadModel
import LeadServiceKit

/// What the notifier knows about a lead, kept in step with `leads.assigned` and `leads.lifecycle`.
///
/// The two topics are not ordered with each other, so the routing facts (owner, location,
/// response status) live beside the snapshot and are updated from whichever event carries them.
public struct TrackedLead: Hashable, Sendable {
    /// The lead.
    public var leadId: LeadID
    /// The latest snapshot (from `leads.assigned`, then kept current with `Lead.applying`).
    public var snapshot: Lead?
    /// Its owner.
    public var ownerId: String?
    /// Its location.
    public var locationId: String?
    /// Its team.
    public var teamId: String?
    /// Its collaborators.
    public var collaborators: [String]
    /// The location's response.
    public var locationResponse: LocationResponseStatus?
    /// When the location's response last changed.
    public var locationResponseAt: Date?
    /// The pipeline.
    public var pipelineId: String
    /// The pipeline status.
    public var pipelineStatus: PipelineStatus?
    /// The status-update delay the location chose.
    public var followUpDelay: FollowUpDelay?
    /// The owner last alerted with "new lead assigned".
    public var alertedOwnerId: String?
    /// The location whose contacts were last alerted with "new lead assigned".
    public var alertedLocationId: String?
    /// Whether its personal data was erased (nothing more is sent about it).
    public var erased: Bool

    /// A lead the notifier has not seen yet.
    public init(leadId: LeadID) {
        self.leadId = leadId
        self.snapshot = nil
        self.ownerId = nil
        self.locationId = nil
        self.teamId = nil
        self.collaborators = []
        self.locationResponse = nil
        self.locationResponseAt = nil
        self.pipelineId = Pipeline.default.id
        self.pipelineStatus = nil
        self.followUpDelay = nil
        self.alertedOwnerId = nil
        self.alertedLocationId = nil
        self.erased = false
    }

    /// Writes the routing facts, which follow every event, into the snapshot (which may come from an
    /// assignment older than a response already seen), so messages show the lead as it is.
    mutating func reconcileSnapshot() {
        guard var lead = snapshot else { return }
        lead.ownerId = ownerId ?? lead.ownerId
        lead.locationId = locationId ?? lead.locationId
        lead.collaborators = collaborators
        if let locationResponse { lead.locationResponse = locationResponse }
        if let pipelineStatus {
            lead.pipelineStatus = pipelineStatus
            lead.pipelineId = pipelineId
        }
        snapshot = lead
    }

    /// Whether it is a test lead.
    public var isTest: Bool { snapshot?.isTest ?? false }

    /// Whether its pipeline status is closed (won or lost).
    public var isClosed: Bool {
        pipelineStatus.map { PipelineRules.outcome(of: $0, pipelineId: pipelineId) != nil } ?? false
    }

    /// The facts access checks use.
    public var accessFacts: LeadAccessFacts {
        LeadAccessFacts(locationId: locationId, teamId: teamId, ownerId: ownerId, collaborators: collaborators,
                        sourceId: snapshot?.source.id)
    }
}

/// What the notifier needs to know about pipelines it may not have the definition of.
public enum PipelineRules {
    /// Won or lost for a closed status, `nil` while open. The default pipeline's definitions are
    /// used; custom pipelines follow the naming convention `…won` / `…lost`.
    public static func outcome(of status: PipelineStatus, pipelineId: String) -> PipelineOutcome? {
        if pipelineId == Pipeline.default.id, let definition = Pipeline.default.definition(of: status) {
            return definition.isTerminal ? definition.outcome : nil
        }
        if status.rawValue.hasSuffix("won") { return .won }
        if status.rawValue.hasSuffix("lost") { return .lost }
        return nil
    }
}
