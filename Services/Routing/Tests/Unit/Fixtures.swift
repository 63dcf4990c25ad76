import Foundation
import LeadModel
@testable import LeadRouting

/// Building blocks for the domain tests.
enum Fixture {
    /// Wednesday 19 March 2025, 15:00 UTC (10:00 in Chicago, 16:00 in Berlin).
    static let now = LeadflowJSON.parseDate("2025-03-19T15:00:00.000Z")!

    static func lead(
        vehicleType: String? = nil, price: String? = nil, postalCode: String? = nil, country: String? = nil,
        score: Int? = 40, locationId: String? = nil, ownerId: String? = nil, customFields: [String: CustomFieldValue] = [:]
    ) -> Lead {
        var vehicles: [VehicleOfInterest] = []
        if vehicleType != nil || price != nil {
            vehicles.append(VehicleOfInterest(vehicleType: vehicleType, price: price.flatMap { Money($0) }, isPreferred: true))
        }
        return Lead(
            contacts: ContactInfo(address: postalCode.map { Address(postalCode: $0, country: country) }),
            source: LeadSource(id: "src-test", channel: .json),
            locationId: locationId, ownerId: ownerId,
            vehiclesOfInterest: vehicles, score: score, priority: score.map(Priority.init(score:)),
            createdAt: now, customFields: customFields)
    }

    static func member(
        _ id: String, team: String = "team-a", online: Bool = true, capacity: Int? = nil,
        vehicleTypes: [String] = [], priceRanges: [PriceRange] = [], timeZone: String = "UTC",
        hours: [WorkingPeriod] = [], active: Bool = true
    ) -> Member {
        Member(id: id, teamId: team, name: id, skills: MemberSkills(vehicleTypes: vehicleTypes, priceRanges: priceRanges),
               timeZone: timeZone, workingHours: hours, online: online, capacity: capacity, active: active)
    }

    static func team(_ id: String = "team-a", location: String? = nil, priority: Int = 0, rule: TeamRule = TeamRule()) -> Team {
        Team(id: id, name: id, locationId: location, priority: priority, rule: rule)
    }

    static func location(
        _ id: String, aliases: [String] = [], geo: GeoPoint? = nil, postalAreas: [String] = [], radiusKm: Double? = nil,
        country: String? = nil, sla: Int? = nil, fallbacks: [FallbackTarget] = [], active: Bool = true
    ) -> Location {
        Location(id: id, name: id, aliases: aliases, address: country.map { Address(country: $0) }, geo: geo,
                 postalAreas: postalAreas, serviceRadiusKm: radiusKm, responseSlaSeconds: sla, fallbacks: fallbacks, active: active)
    }

    static func time(_ text: String) -> TimeOfDay { TimeOfDay(text)! }

    /// Routes `lead` once.
    static func route(
        _ lead: Lead, in directory: RoutingDirectory, state: RoutingState = RoutingState(), now: Date = now,
        excludedLocations: Set<String> = [], excludedMembers: Set<String> = [], point: GeoPoint? = nil
    ) -> RoutingDecision {
        LeadRouter(directory: directory).route(
            RoutingRequest(lead: lead, leadPoint: point, now: now, excludedLocations: excludedLocations,
                           excludedMembers: excludedMembers, namedOwnerId: lead.ownerId),
            state: state)
    }
}

extension RoutingDecision {
    /// The candidate record of `id`.
    func candidate(_ id: String) -> AssignmentCandidate? { candidates.first { $0.memberId == id } }
}
