import Foundation
import LeadModel

/// The `202 Accepted` body of a single-lead intake.
struct AcceptedLead: Encodable {
    var leadId: LeadID
    var outcome: IntakeResult.Outcome
    /// The published event's id, lower-case like every id Leadflow writes.
    var eventId: String?

    init(_ result: IntakeResult) {
        leadId = result.leadId
        outcome = result.outcome
        eventId = result.eventId?.uuidString.lowercased()
    }
}

/// The `202 Accepted` body of a multi-lead intake (ADF documents): the first lead's id at the
/// top, every lead in document order under `leads`.
struct AcceptedLeads: Encodable {
    var leadId: LeadID?
    var leads: [AcceptedLead]

    init(_ results: [IntakeResult]) {
        leads = results.map(AcceptedLead.init)
        leadId = results.first?.leadId
    }
}
