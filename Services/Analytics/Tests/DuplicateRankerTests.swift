import Foundation
import LeadModel
import Testing
@testable import LeadAnalytics

@Suite("Duplicate ranking")
struct DuplicateRankerTests {
    static let t0 = Date(timeIntervalSince1970: 1_742_000_000)

    static func lead(first: String, last: String, email: String? = nil, phone: String? = nil, postal: String? = nil,
                     vehicle: (String, String)? = nil, at: Date = t0) -> Lead {
        Lead(
            fullName: PersonName(first: first, last: last),
            contacts: ContactInfo(emails: email.map { [EmailAddress(address: $0)] } ?? [],
                                  phones: phone.map { [PhoneNumber(raw: $0, e164: $0)] } ?? [],
                                  address: postal.map { Address(postalCode: $0) }),
            source: LeadSource(id: "src-test", channel: .manual),
            vehiclesOfInterest: vehicle.map { [VehicleOfInterest(make: $0.0, model: $0.1)] } ?? [], createdAt: at)
    }

    @Test("ranks by combined reasons, strongest first, and leaves non-matches out")
    func ranking() {
        let lead = Self.lead(first: "José", last: "García", email: "jose@example.com", phone: "+16145550101", postal: "43215", vehicle: ("Honda", "CR-V"))
        let sameEmail = Self.lead(first: "J", last: "G", email: "JOSE@example.com")
        let samePhoneAndName = Self.lead(first: "Jose", last: "Garcia", phone: "+16145550101", postal: "43 215")
        let typo = Self.lead(first: "Jsoe", last: "Garcia", postal: "43215")
        let sameVehicle = Self.lead(first: "Kim", last: "Lee", vehicle: ("honda", "cr-v"), at: Self.t0 + 86_400)
        let vehicleTooLate = Self.lead(first: "Kim", last: "Lee", vehicle: ("Honda", "CR-V"), at: Self.t0 + 40 * 86_400)
        let stranger = Self.lead(first: "Pat", last: "Smith", email: "pat@example.com", postal: "43215")
        let ranked = DuplicateRanker().rank(lead, among: [stranger, sameVehicle, typo, sameEmail, samePhoneAndName, vehicleTooLate, lead])
        #expect(ranked.map(\.leadId) == [samePhoneAndName.id, sameEmail.id, typo.id, sameVehicle.id])
        #expect(ranked[0].reasons == [.sharedPhone, .similarNameSamePostalCode])
        #expect(ranked[0].confidence > ranked[1].confidence)
        #expect(ranked[2].reasons == [.similarNameSamePostalCode])
        #expect(ranked[3].reasons == [.sameVehicleWithinWindow])
    }

    @Test("name similarity folds accents, case, punctuation and word order; long names stay cheap")
    func names() {
        #expect(DuplicateRanker.nameKey("García, JOSÉ") == DuplicateRanker.nameKey("jose garcia"))
        #expect(DuplicateRanker.similarity("jose garcia", "jsoe garcia") >= 0.8)
        #expect(DuplicateRanker.similarity("pat smith", "jose garcia") < 0.5)
        let huge = String(repeating: "a", count: 100_000)
        #expect(DuplicateRanker.nameKey(huge).count <= 120)
    }
}
