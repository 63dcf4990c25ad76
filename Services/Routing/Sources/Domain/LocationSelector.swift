import Foundation
import LeadModel

/// How a location was chosen.
public enum LocationChoice: Hashable, Sendable {
    /// The lead named it (vendor, dealer or form location).
    case named(reference: String)
    /// Its postal areas cover the customer's postal code (the longest matching prefix wins).
    case postalArea(prefix: String)
    /// It is the nearest location within its service radius.
    case distance(km: Double)
}

/// The location a lead goes to, and every location considered.
public struct LocationSelection: Sendable, Hashable {
    /// The chosen location, if any.
    public var location: Location?
    /// Why it was chosen.
    public var choice: LocationChoice?
    /// Every location considered, with why (kind `location`).
    public var candidates: [AssignmentCandidate]
    /// Names the lead gave that match no configured location.
    public var unknownReferences: [String] = []

    /// A sentence explaining the choice.
    public var explanation: String? {
        guard let location, let choice else { return nil }
        switch choice {
        case .named(let reference):
            return reference == location.id
                ? "the lead names location \(location.id)"
                : "the lead names \"\(reference)\", an alias of location \(location.id)"
        case .postalArea(let prefix):
            return "location \(location.id) covers postal area \(prefix)"
        case .distance(let km):
            return "location \(location.id) is the nearest (\(Self.format(km)) km)"
        }
    }

    static func format(_ km: Double) -> String { String(format: "%.1f", km) }
}

/// Picks the location first: the one the lead names, else by territory (postal area, then
/// distance). Locations that rejected the lead or missed its response target are skipped.
public enum LocationSelector {
    /// Selects the location for `facts`.
    public static func select(
        facts: LeadFacts, point: GeoPoint?, directory: RoutingDirectory, excluded: Set<String>
    ) -> LocationSelection {
        var candidates: [AssignmentCandidate] = []
        var considered: Set<String> = []
        var unknownReferences: [String] = []

        // 1. A location the lead names wins when it can take the lead.
        for reference in facts.namedLocations {
            guard let location = directory.location(named: reference) else {
                unknownReferences.append(reference)
                continue
            }
            guard considered.insert(location.id).inserted else { continue }
            if !location.active {
                candidates.append(.init(memberId: location.id, eligible: false, reason: "named by the lead but inactive", kind: .location))
            } else if excluded.contains(location.id) {
                candidates.append(.init(memberId: location.id, eligible: false,
                                        reason: "named by the lead but already rejected it or missed its response target", kind: .location))
            } else {
                candidates.append(.init(memberId: location.id, eligible: true, reason: "named by the lead", kind: .location))
                return LocationSelection(
                    location: location, choice: .named(reference: reference), candidates: candidates,
                    unknownReferences: unknownReferences)
            }
        }

        // 2. Territory: postal areas first (longest prefix), then distance; ties by id.
        var postalMatches: [(location: Location, prefix: String, km: Double?)] = []
        var distanceMatches: [(location: Location, km: Double)] = []
        for location in directory.activeLocations where !considered.contains(location.id) {
            let km = point.flatMap { point in location.geo.map { point.distanceKm(to: $0) } }
            if excluded.contains(location.id) {
                candidates.append(.init(memberId: location.id, eligible: false,
                                        reason: "already rejected the lead or missed its response target", kind: .location))
                continue
            }
            if let prefix = postalPrefix(of: location, facts: facts) {
                postalMatches.append((location, prefix, km))
            } else if let km, location.serviceRadiusKm.map({ km <= $0 }) ?? true {
                distanceMatches.append((location, km))
            } else if let km {
                candidates.append(.init(memberId: location.id, eligible: false,
                                        reason: "\(LocationSelection.format(km)) km away, beyond its \(LocationSelection.format(location.serviceRadiusKm ?? 0)) km radius",
                                        kind: .location))
            } else {
                candidates.append(.init(memberId: location.id, eligible: false, reason: "outside its territory", kind: .location))
            }
        }
        postalMatches.sort { lhs, rhs in
            if lhs.prefix.count != rhs.prefix.count { return lhs.prefix.count > rhs.prefix.count }
            if lhs.km != rhs.km { return (lhs.km ?? .infinity) < (rhs.km ?? .infinity) }
            return lhs.location.id < rhs.location.id
        }
        distanceMatches.sort { ($0.km, $0.location.id) < ($1.km, $1.location.id) }

        var selection = LocationSelection(location: nil, choice: nil, candidates: candidates, unknownReferences: unknownReferences)
        for (index, match) in postalMatches.enumerated() {
            if index == 0 {
                selection.location = match.location
                selection.choice = .postalArea(prefix: match.prefix)
                selection.candidates.append(.init(memberId: match.location.id, eligible: true,
                                                  reason: "covers postal area \(match.prefix) (longest match)", kind: .location))
            } else {
                selection.candidates.append(.init(memberId: match.location.id, eligible: true,
                                                  reason: "covers postal area \(match.prefix), a shorter or later match", kind: .location))
            }
        }
        for match in distanceMatches {
            if selection.location == nil {
                selection.location = match.location
                selection.choice = .distance(km: match.km)
                selection.candidates.append(.init(memberId: match.location.id, eligible: true,
                                                  reason: "nearest: \(LocationSelection.format(match.km)) km", kind: .location))
            } else {
                selection.candidates.append(.init(memberId: match.location.id, eligible: true,
                                                  reason: "\(LocationSelection.format(match.km)) km, not the nearest", kind: .location))
            }
        }
        return selection
    }

    /// The longest of the location's postal areas that prefixes the lead's postal code (same country when both are known).
    static func postalPrefix(of location: Location, facts: LeadFacts) -> String? {
        guard let code = facts.postalCode else { return nil }
        if let leadCountry = facts.country, let country = location.address?.country?.uppercased(), leadCountry != country {
            return nil
        }
        return location.postalAreas
            .map(LeadFacts.normalizedPostalCode)
            .filter { !$0.isEmpty && code.hasPrefix($0) }
            .max { $0.count < $1.count }
    }
}
