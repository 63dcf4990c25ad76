import Foundation
import LeadModel
import Testing
@testable import LeadRouting

@Suite("Location selection: named first, else territory")
struct LocationSelectionTests {
    static let columbus = GeoPoint(latitude: 39.9612, longitude: -82.9988)
    static let cleveland = GeoPoint(latitude: 41.4993, longitude: -81.6944)
    static let cincinnati = GeoPoint(latitude: 39.1031, longitude: -84.5120)

    let directory = RoutingDirectory(locations: [
        Fixture.location("loc-columbus", aliases: ["DLR-30412", "Lakeshore  Auto Group"], geo: columbus, postalAreas: ["432"], country: "US"),
        Fixture.location("loc-downtown", geo: columbus, postalAreas: ["43215"], country: "US"),
        Fixture.location("loc-cleveland", geo: cleveland, postalAreas: ["441"], radiusKm: 100),
        Fixture.location("loc-cincinnati", geo: cincinnati, radiusKm: 150),
        Fixture.location("loc-closed", aliases: ["DLR-CLOSED"], postalAreas: ["4"], active: false),
    ])

    func select(_ lead: Lead, point: GeoPoint? = nil, excluded: Set<String> = []) -> LocationSelection {
        LocationSelector.select(facts: LeadFacts(lead), point: point, directory: directory, excluded: excluded)
    }

    @Test("haversine distance matches known city pairs")
    func haversine() {
        let london = GeoPoint(latitude: 51.5074, longitude: -0.1278)
        let paris = GeoPoint(latitude: 48.8566, longitude: 2.3522)
        #expect(abs(london.distanceKm(to: paris) - 343.5) < 1)
        #expect(abs(Self.columbus.distanceKm(to: Self.cleveland) - 203) < 2)
        #expect(london.distanceKm(to: london) == 0)
        #expect(!GeoPoint(latitude: 91, longitude: 0).isValid)
        #expect(!GeoPoint(latitude: .nan, longitude: 0).isValid)
    }

    @Test("a lead naming a location by id goes there, even outside its territory")
    func namedById() {
        let selection = select(Fixture.lead(postalCode: "44114", locationId: "loc-columbus"))
        #expect(selection.location?.id == "loc-columbus")
        #expect(selection.choice == .named(reference: "loc-columbus"))
        #expect(selection.candidates.count == 1)
    }

    @Test("an ADF vendor id or vendor name matches an alias, case and spacing ignored")
    func namedByAlias() {
        #expect(select(Fixture.lead(locationId: "dlr-30412")).location?.id == "loc-columbus")
        let byName = select(Fixture.lead(customFields: ["vendorName": "lakeshore auto group"]))
        #expect(byName.location?.id == "loc-columbus")
        #expect(byName.explanation?.contains("alias of location loc-columbus") == true)
    }

    @Test("an unknown vendor is noted and territory decides")
    func unknownVendor() {
        let selection = select(Fixture.lead(postalCode: "44114", locationId: "DLR-99999"))
        #expect(selection.unknownReferences == ["DLR-99999"])
        #expect(selection.location?.id == "loc-cleveland")
    }

    @Test("a named location that rejected the lead is skipped for the next candidate")
    func namedButExcluded() {
        let selection = select(Fixture.lead(postalCode: "43215", locationId: "loc-columbus"), excluded: ["loc-columbus"])
        #expect(selection.location?.id == "loc-downtown")
        #expect(selection.candidates.first { $0.memberId == "loc-columbus" }?.eligible == false)
    }

    @Test("an inactive named location is not used")
    func namedInactive() {
        let selection = select(Fixture.lead(postalCode: "44114", locationId: "DLR-CLOSED"))
        #expect(selection.location?.id == "loc-cleveland")
    }

    @Test("the longest matching postal area wins; postal codes are normalized")
    func postalArea() {
        #expect(select(Fixture.lead(postalCode: "43215-1234")).location?.id == "loc-downtown")
        #expect(select(Fixture.lead(postalCode: "43219")).location?.id == "loc-columbus")
        #expect(select(Fixture.lead(postalCode: " 441 14")).location?.id == "loc-cleveland")
    }

    @Test("postal areas do not match across countries")
    func country() {
        let selection = select(Fixture.lead(postalCode: "43219", country: "DE"))
        #expect(selection.location == nil)
    }

    @Test("without a postal match the nearest location within its radius wins")
    func nearest() {
        let dayton = GeoPoint(latitude: 39.7589, longitude: -84.1916)  // ~75 km to Cincinnati, ~115 km to Columbus
        let selection = select(Fixture.lead(postalCode: "99999"), point: dayton)
        #expect(selection.location?.id == "loc-cincinnati")
        if case .distance(let km)? = selection.choice { #expect(abs(km - 78) < 8) } else { Issue.record("not by distance") }
    }

    @Test("a location's radius limits distance matches")
    func radius() {
        let pittsburgh = GeoPoint(latitude: 40.4406, longitude: -79.9959)  // ~185 km from Cleveland (radius 100)
        let selection = select(Fixture.lead(), point: pittsburgh)
        #expect(selection.location?.id == "loc-columbus" || selection.location?.id == "loc-downtown")
        #expect(selection.candidates.first { $0.memberId == "loc-cleveland" }?.eligible == false)
    }

    @Test("equal distances are broken by location id")
    func tieBreak() {
        // loc-columbus and loc-downtown share a point: the lower id wins.
        let selection = select(Fixture.lead(), point: GeoPoint(latitude: 40.0, longitude: -83.0))
        #expect(selection.location?.id == "loc-columbus")
    }

    @Test("coordinates in the lead's custom fields are used when no point is given")
    func leadCoordinates() {
        let facts = LeadFacts(Fixture.lead(customFields: ["latitude": "39.10", "longitude": .number(-84.5)]))
        #expect(facts.point == GeoPoint(latitude: 39.10, longitude: -84.5))
        #expect(LeadFacts(Fixture.lead(customFields: ["latitude": "999", "longitude": "0"])).point == nil)
    }

    @Test("nothing matches: no location")
    func none() {
        #expect(select(Fixture.lead(postalCode: "10001")).location == nil)
    }
}
