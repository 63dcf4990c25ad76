import Foundation
import LeadModel

/// The flat facts about one lead that lists, filters and reports work with: one row of the
/// `leads` read model. Built from a ``LeadProjection``; read back for reports.
public struct LeadFacts: Hashable, Sendable, Codable {
    public var leadId: LeadID
    public var createdAt: Date
    public var lastActivityAt: Date
    public var sourceId: String
    public var sourceName: String?
    public var channel: IntakeChannel?
    public var partner: String?
    public var locationId: String?
    public var teamId: String?
    public var ownerId: String?
    public var collaborators: [String]
    public var lifecycleStage: LifecycleStage
    public var pipelineId: String
    public var pipelineStatus: PipelineStatus
    public var locationResponse: LocationResponseStatus?
    public var score: Int?
    public var priority: Priority?
    public var isTest: Bool
    public var hasVehicle: Bool
    /// The preferred vehicle's normalized type (`suv`, `truck`…), else its body style, lower-cased.
    public var vehicleType: String?
    public var firstResponseAt: Date?
    public var responseDueAt: Date?
    /// The earliest pending obligation (response SLA, open task, promised follow-up); `nil` when
    /// nothing is pending or the lead is closed. The lead is overdue once this has passed.
    public var nextDueAt: Date?
    public var outcome: LeadOutcome?
    public var closedAt: Date?
    public var lostReason: LostReason?
    /// The final price of a converted lead.
    public var wonRevenue: Money?
    /// Revenue the location reported in surveys.
    public var surveyRevenue: [Money]
    public var locationSentAt: Date?
    public var acknowledgedAt: Date?
    public var acceptedAt: Date?
    public var rejectedAt: Date?
    public var locationWonAt: Date?
    public var locationLostAt: Date?
    public var completedAt: Date?
    /// The furthest lifecycle stage reached.
    public var furthestStage: LifecycleStage
    /// The pipeline statuses the lead went through, in order.
    public var statusHistory: [StatusPeriod]
    public var erased: Bool

    /// Whether the lead is still open (neither won nor lost).
    public var isOpen: Bool { outcome == nil }

    /// Whether the lead is overdue at `now`.
    public func isOverdue(at now: Date) -> Bool {
        guard isOpen, let nextDueAt else { return false }
        return nextDueAt < now
    }
}

extension LeadProjection {
    /// The row facts, or `nil` while no base lead is known.
    public var facts: LeadFacts? {
        guard let lead else { return nil }
        let vehicle = lead.preferredVehicle
        let type = (vehicle?.vehicleType ?? vehicle?.bodyStyle)?.trimmingCharacters(in: .whitespaces).lowercased()
        let furthest = stageReachedAt.keys.compactMap(LifecycleStage.init(rawValue:)).max() ?? lead.lifecycleStage
        return LeadFacts(
            leadId: leadId,
            createdAt: lead.createdAt,
            lastActivityAt: lead.lastActivityAt,
            sourceId: lead.source.id,
            sourceName: lead.source.name,
            channel: intakeChannel ?? lead.source.channel,
            partner: lead.partner ?? lead.source.partner,
            locationId: lead.locationId,
            teamId: teamId,
            ownerId: lead.ownerId,
            collaborators: lead.collaborators,
            lifecycleStage: lead.lifecycleStage,
            pipelineId: lead.pipelineId,
            pipelineStatus: lead.pipelineStatus,
            locationResponse: lead.locationResponse,
            score: lead.score,
            priority: lead.priority,
            isTest: lead.isTest,
            hasVehicle: !lead.vehiclesOfInterest.isEmpty,
            vehicleType: type?.isEmpty == false ? type : nil,
            firstResponseAt: firstResponseAt,
            responseDueAt: responseDueAt,
            nextDueAt: nextDueAt,
            outcome: outcome,
            closedAt: closedAt,
            lostReason: lostReason,
            wonRevenue: outcome == .won ? conversion?.finalPrice : nil,
            surveyRevenue: surveyRevenue,
            locationSentAt: locationSentAt,
            acknowledgedAt: locationResponseAt[LocationResponseStatus.acknowledged.rawValue],
            acceptedAt: locationResponseAt[LocationResponseStatus.accepted.rawValue],
            rejectedAt: locationResponseAt[LocationResponseStatus.rejected.rawValue],
            locationWonAt: locationResponseAt[LocationResponseStatus.won.rawValue],
            locationLostAt: locationResponseAt[LocationResponseStatus.lost.rawValue],
            completedAt: locationResponseAt[LocationResponseStatus.complete.rawValue],
            furthestStage: furthest,
            statusHistory: statusHistory,
            erased: erased
        )
    }

    /// The earliest pending obligation of an open lead:
    /// * the response deadline of the latest assignment, until a person responds after it;
    /// * the due time of every open task;
    /// * a follow-up promised on task completion, until a person responds after the promise.
    public var nextDueAt: Date? {
        guard outcome == nil else { return nil }
        var dues: [Date] = Array(openTasks.values)
        if let responseDueAt, let assignedAt, (lastResponseAt.map { $0 < assignedAt } ?? true) {
            dues.append(responseDueAt)
        }
        if let followUp, (lastResponseAt.map { $0 <= followUp.promisedAt } ?? true) {
            dues.append(followUp.dueAt)
        }
        return dues.min()
    }
}
