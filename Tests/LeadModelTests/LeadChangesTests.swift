import Foundation
import LeadModel
import Testing

@Suite("Applying lifecycle changes to a lead snapshot")
struct LeadChangesTests {
    let lead = Fixtures.lead
    let at = Fixtures.later.addingTimeInterval(60)

    @Test("status changes update stage, pipeline status and location response")
    func statusChanges() {
        var copy = lead
        copy.apply(.stageChanged(from: .quote, to: .request), at: at)
        copy.apply(.pipelineStatusChanged(pipelineId: "default", from: .contacted, to: .qualified, lostReason: nil, note: nil), at: at)
        copy.apply(.locationResponseChanged(locationId: "loc-2", from: .acknowledged, to: .accepted, note: nil, followUpDelay: .oneHour), at: at)
        #expect(copy.lifecycleStage == .request)
        #expect(copy.pipelineStatus == .qualified)
        #expect(copy.locationResponse == .accepted)
        #expect(copy.locationId == "loc-2")
        #expect(copy.lastActivityAt == at)
    }

    @Test("an older event never moves last activity back")
    func lastActivityMonotonic() {
        let earlier = lead.applying(.noteAdded(text: "late note"), at: Fixtures.received)
        #expect(earlier.lastActivityAt == lead.lastActivityAt)
    }

    @Test("a preferred vehicle replaces the previous preference; collaborators add and remove")
    func vehiclesAndCollaborators() {
        var copy = lead
        copy.apply(.vehicleAdded(VehicleOfInterest(make: "Kia", model: "EV9", isPreferred: true)), at: at)
        #expect(copy.vehiclesOfInterest.filter(\.isPreferred).map(\.model) == ["EV9"])
        #expect(copy.preferredVehicle?.model == "EV9")
        copy.apply(.collaboratorsChanged(added: ["member-carl"], removed: ["member-bea"]), at: at)
        #expect(copy.collaborators == ["member-carl"])
        copy.apply(.manuallyAssigned(ownerId: "member-dana", locationId: nil, note: "covering"), at: at)
        #expect(copy.ownerId == "member-dana")
        #expect(copy.locationId == lead.locationId)
    }

    @Test("erasure removes personal data and keeps the anonymous facts")
    func erasure() {
        let erased = lead.applying(.erased, at: at)
        #expect(erased.fullName.isEmpty)
        #expect(erased.contacts.emails.isEmpty && erased.contacts.phones.isEmpty)
        #expect(erased.contacts.address?.lines.isEmpty == true)
        #expect(erased.contacts.address?.postalCode == nil)
        #expect(erased.contacts.address?.region == "OH")
        #expect(erased.comments == nil && erased.customFields.isEmpty && erased.consent == nil)
        #expect(erased.vehiclesOfInterest.allSatisfy { $0.vin == nil && $0.comments == nil })
        #expect(erased.source == lead.source && erased.ownerId == lead.ownerId)
        #expect(erased.vehiclesOfInterest.map(\.model) == lead.vehiclesOfInterest.map(\.model))
    }

    @Test("a duplicate inquiry adds new contact points and vehicles only once")
    func duplicateInquiry() {
        var repeat_ = Fixtures.minimalLead
        repeat_.contacts = ContactInfo(
            emails: [EmailAddress(address: "INGRID.SOLBERG@example.com"), EmailAddress(address: "ingrid@work.example")],
            phones: [PhoneNumber(raw: "614-555-0142", e164: "+16145550142")])
        repeat_.vehiclesOfInterest = [Fixtures.crv, VehicleOfInterest(make: "Honda", model: "Odyssey")]
        repeat_.lifecycleStage = .confirmed
        let inquiry = DuplicateInquiry(lead: repeat_, intake: Fixtures.intake, matchedOn: [.email])
        let merged = lead.applying(.duplicateInquiry(inquiry), at: at)
        #expect(merged.contacts.emails.map(\.address) == ["ingrid.solberg@example.com", "ingrid@work.example"])
        #expect(merged.contacts.phones.count == lead.contacts.phones.count)
        #expect(merged.vehiclesOfInterest.map(\.model) == ["CR-V Hybrid", "Pilot", "Odyssey"])
        #expect(merged.vehiclesOfInterest.filter(\.isPreferred).count == 1)
        #expect(merged.lifecycleStage == .confirmed)
        #expect(merged.fullName == lead.fullName)
    }
}
