import Foundation
import LeadModel
import Testing
@testable import LeadIngest

@Suite("Merge planner")
struct MergePlannerTests {
    static let t0 = Date(timeIntervalSince1970: 1_742_000_000)

    static func lead(_ name: String, email: String, phone: String, vehicle: String? = nil, collaborators: [String] = [], budget: Decimal? = nil) -> Lead {
        Lead(
            fullName: PersonName(first: String(name.split(separator: " ")[0]), last: String(name.split(separator: " ")[1])),
            contacts: ContactInfo(emails: [EmailAddress(address: email)], phones: [PhoneNumber(raw: phone, e164: phone)],
                                  address: Address(postalCode: "43215")),
            source: LeadSource(id: "src-test", channel: .manual), collaborators: collaborators,
            vehiclesOfInterest: vehicle.map { [VehicleOfInterest(make: "Honda", model: $0, isPreferred: true)] } ?? [],
            budget: budget.map { BudgetRange(min: nil, max: Money(amount: $0)) },
            createdAt: t0)
    }

    @Test("merging unites lists, keeps the survivor's scalars unless chosen, and unmerge takes it all back out")
    func roundTrip() {
        let survivor = Self.lead("Ana Perez", email: "ana@example.com", phone: "+16145550101", vehicle: "CR-V", collaborators: ["member-a"])
        let merged = Self.lead("Anna Perez", email: "anna@example.org", phone: "+16145550199", vehicle: "Pilot", collaborators: ["member-b"], budget: 30000)
        let after = MergePlanner.merge(survivor: survivor, merged: [merged], choices: [.name: merged.id, .email: merged.id])
        #expect(after.fullName.full == "Anna Perez")
        #expect(after.contacts.primaryEmail?.address == "anna@example.org")
        #expect(Set(after.contacts.emails.map(\.address)) == ["ana@example.com", "anna@example.org"])
        #expect(after.contacts.phones.count == 2)
        #expect(after.vehiclesOfInterest.map(\.model) == ["CR-V", "Pilot"])
        #expect(after.vehiclesOfInterest.filter(\.isPreferred).count == 1)
        #expect(after.collaborators == ["member-a", "member-b"])
        #expect(after.budget == merged.budget, "a field the survivor lacks comes from the merged lead")
        #expect(after.id == survivor.id && after.ownerId == survivor.ownerId)

        var later = after
        later.contacts.phones.append(PhoneNumber(raw: "+16145550222", e164: "+16145550222"))
        let restored = MergePlanner.unmerge(current: later, record: MergeRecord(snapshot: merged, survivorBefore: survivor, survivorAfter: after))
        #expect(restored.fullName == survivor.fullName)
        #expect(restored.contacts.emails == survivor.contacts.emails)
        #expect(restored.contacts.phones.map(\.raw) == ["+16145550101", "+16145550222"], "a phone added after the merge stays")
        #expect(restored.vehiclesOfInterest == survivor.vehiclesOfInterest)
        #expect(restored.collaborators == ["member-a"])
        #expect(restored.budget == nil)
    }

    @Test("a field changed again after the merge is not reverted")
    func laterChangesStay() {
        let survivor = Self.lead("Ana Perez", email: "ana@example.com", phone: "+16145550101")
        let merged = Self.lead("Anna Perez", email: "anna@example.org", phone: "+16145550199")
        let after = MergePlanner.merge(survivor: survivor, merged: [merged], choices: [.name: merged.id])
        var later = after
        later.fullName = PersonName(first: "Ana María", last: "Perez")
        let restored = MergePlanner.unmerge(current: later, record: MergeRecord(snapshot: merged, survivorBefore: survivor, survivorAfter: after))
        #expect(restored.fullName.full == "Ana María Perez")
    }
}
