import Foundation
import LeadModel
import Testing
@testable import LeadRouting

@Suite("Configuration validation")
struct ConfigValidatorTests {
    @Test("ids have their prefix and a small alphabet", arguments: [
        ("loc-columbus", true), ("loc-1.north_2", true), ("loc-", false), ("LOC-x", false), ("loc-X", false),
        ("loc-a b", false), ("loc-'; DROP TABLE x;--", false), ("team-a", false), ("loc-\u{202E}x", false),
        ("loc-" + String(repeating: "a", count: 64), false),
    ])
    func ids(id: String, valid: Bool) {
        #expect(ConfigValidator.isValidId(id, prefix: "loc") == valid)
    }

    @Test("a sound location has no issues")
    func validLocation() {
        let location = Location(
            id: "loc-columbus", name: "Columbus", aliases: ["DLR-30412"], geo: GeoPoint(latitude: 40, longitude: -83),
            postalAreas: ["432", "SW1A 1"], serviceRadiusKm: 80, timeZone: "America/New_York",
            contacts: [LocationContact(id: "contact-1", name: "Sales", email: "sales@example.com", followUpDelay: .tomorrow)],
            responseSlaSeconds: 3600, fallbacks: [.queue("columbus-overflow")])
        #expect(ConfigValidator.issues(in: location).isEmpty)
    }

    @Test("each broken location field is named with its rule")
    func brokenLocation() {
        func firstIssue(_ change: (inout Location) -> Void) -> ConfigIssue? {
            var location = Location(id: "loc-a", name: "A")
            change(&location)
            return ConfigValidator.issues(in: location).first
        }
        #expect(firstIssue { $0.name = "  " }?.field == "/name")
        #expect(firstIssue { $0.name = String(repeating: "x", count: 201) }?.rule == "too_long")
        #expect(firstIssue { $0.name = "bad\u{0007}" }?.rule == "format")
        #expect(firstIssue { $0.postalAreas = ["---"] }?.field == "/postalAreas/0")
        #expect(firstIssue { $0.geo = GeoPoint(latitude: 120, longitude: 0) }?.field == "/geo")
        #expect(firstIssue { $0.serviceRadiusKm = .infinity }?.field == "/serviceRadiusKm")
        #expect(firstIssue { $0.timeZone = "Mars/Olympus" }?.rule == "unknown_time_zone")
        #expect(firstIssue { $0.responseSlaSeconds = 5 }?.field == "/responseSlaSeconds")
        #expect(firstIssue { $0.fallbacks = [.member("loc-x")] }?.field == "/fallbacks/0/id")
        #expect(firstIssue { $0.contacts = [LocationContact(id: "contact-1", name: "A", email: "not-an-email")] }?.field == "/contacts/0/email")
        #expect(firstIssue {
            $0.contacts = [LocationContact(id: "contact-1", name: "A"), LocationContact(id: "contact-1", name: "B")]
        }?.rule == "duplicate")
        #expect(firstIssue { $0.aliases = Array(repeating: "x", count: 51) }?.rule == "too_many")
    }

    @Test("members: time zone, skills, shifts and capacity are checked")
    func members() {
        func firstIssue(_ change: (inout Member) -> Void) -> ConfigIssue? {
            var member = Member(id: "member-a", teamId: "team-a", name: "A")
            change(&member)
            return ConfigValidator.issues(in: member).first
        }
        #expect(firstIssue { _ in } == nil)
        #expect(firstIssue { $0.teamId = "loc-a" }?.field == "/teamId")
        #expect(firstIssue { $0.timeZone = "Nowhere/Land" }?.field == "/timeZone")
        #expect(firstIssue { $0.skills.vehicleTypes = ["<script>"] }?.field == "/skills/vehicleTypes/0")
        #expect(firstIssue { $0.skills.priceRanges = [PriceRange(min: 10, max: 5)] }?.field == "/skills/priceRanges/0/max")
        #expect(firstIssue { $0.skills.priceRanges = [PriceRange(min: -1)] }?.field == "/skills/priceRanges/0/min")
        #expect(firstIssue { $0.skills.priceRanges = [PriceRange(currency: "dollars")] }?.field == "/skills/priceRanges/0/currency")
        #expect(firstIssue { $0.workingHours = [WorkingPeriod(days: [], start: Fixture.time("09:00"), end: Fixture.time("17:00"))] }?.field == "/workingHours/0/days")
        #expect(firstIssue { $0.workingHours = [WorkingPeriod(days: [.mon], start: Fixture.time("09:00"), end: Fixture.time("09:00"))] }?.field == "/workingHours/0/end")
        #expect(firstIssue { $0.capacity = -1 }?.field == "/capacity")
    }

    @Test("teams and settings")
    func teamsAndSettings() {
        #expect(ConfigValidator.issues(in: Team(id: "team-a", name: "A", locationId: "loc-a")).isEmpty)
        #expect(ConfigValidator.issues(in: Team(id: "team-a", name: "A", locationId: "team-b")).first?.field == "/locationId")
        #expect(ConfigValidator.issues(in: Team(id: "team-a", name: "A", rule: TeamRule(bestResponders: 0))).first?.field == "/rule/bestResponders")
        #expect(ConfigValidator.issues(in: RoutingSettings()).isEmpty)
        #expect(ConfigValidator.issues(in: RoutingSettings(fallback: .queue("Bad Queue"))).first?.field == "/fallback/id")
        #expect(ConfigValidator.issues(in: RoutingSettings(maxReroutes: 1000)).first?.field == "/maxReroutes")
    }

    @Test("configuration JSON decodes with defaults and round-trips")
    func json() throws {
        let member = try LeadflowJSON.decode(Member.self, from: Array(#"""
            {"teamId": "team-a", "name": "Ann", "skills": {"vehicleTypes": ["suv"], "priceRanges": [{"min": "30000", "max": 60000}]},
             "workingHours": [{"days": ["mon", "fri"], "start": "09:00", "end": "17:30"}]}
            """#.utf8))
        #expect(member.id == "")
        #expect(member.online && member.active && member.timeZone == "UTC")
        #expect(member.skills.priceRanges == [PriceRange(min: 30_000, max: 60_000, currency: "USD")])
        #expect(member.workingHours.first?.end == Fixture.time("17:30"))
        let again = try LeadflowJSON.decode(Member.self, from: try LeadflowJSON.encode(member))
        #expect(again == member)
        #expect(throws: (any Error).self) {
            try LeadflowJSON.decode(Member.self, from: Array(#"{"teamId":"t","name":"n","workingHours":[{"days":["mon"],"start":"9am","end":"17:00"}]}"#.utf8))
        }
        let target = try LeadflowJSON.decode(FallbackTarget.self, from: Array(#"{"kind":"queue","id":"overflow"}"#.utf8))
        #expect(target == .queue("overflow"))
    }
}
