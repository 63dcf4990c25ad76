import Foundation
import Hummingbird
import LeadModel
import LeadServiceKit
import LeadStorage
import Logging
import PostgresNIO

/// The routing configuration admin API under `/v1/routing`: locations, teams, members (with
/// their availability), platform settings and postal-code coordinates.
struct ConfigRoutes: Sendable {
    let postgres: PostgresClient
    let config: ConfigRepository
    let logger: Logger

    func add(to router: Router<LeadflowRequestContext>) {
        let group = router.group("v1/routing")
        group.get("locations", use: listLocations)
        group.post("locations", use: createLocation)
        group.get("locations/:id", use: getLocation)
        group.put("locations/:id", use: putLocation)
        group.delete("locations/:id", use: deleteLocation)
        group.get("teams", use: listTeams)
        group.post("teams", use: createTeam)
        group.get("teams/:id", use: getTeam)
        group.put("teams/:id", use: putTeam)
        group.delete("teams/:id", use: deleteTeam)
        group.get("members", use: listMembers)
        group.post("members", use: createMember)
        group.get("members/:id", use: getMember)
        group.put("members/:id", use: putMember)
        group.delete("members/:id", use: deleteMember)
        group.put("members/:id/availability", use: putAvailability)
        group.get("settings", use: getSettings)
        group.put("settings", use: putSettings)
        group.put("postal-codes", use: putPostalCodes)
    }

    // MARK: Locations

    @Sendable func listLocations(_ request: Request, context: LeadflowRequestContext) async throws -> Response {
        let scope = try RoutingAccess.configScope(of: try context.requirePrincipal())
        return try await page(.location, Location.self, scope: scope, request: request)
    }

    @Sendable func getLocation(_ request: Request, context: LeadflowRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        _ = try RoutingAccess.configScope(of: principal)
        let id = try HTTPSupport.pathId(context)
        try RoutingAccess.requireLocation(principal, id)
        guard let found = try await read({ try await config.get(.location, id: id, as: Location.self, on: $0) }) else {
            throw Problem.notFound("no such location")
        }
        return try Response.json(found.value, headers: [.eTag: HTTPSupport.etag(found.version)])
    }

    @Sendable func createLocation(_ request: Request, context: LeadflowRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        _ = try RoutingAccess.configScope(of: principal)
        var location = try await request.decodeJSON(Location.self)
        if location.id.isEmpty { location.id = Self.newId("loc") }
        return try await saveLocation(location, principal: principal, ifMatch: nil, mustBeNew: true)
    }

    @Sendable func putLocation(_ request: Request, context: LeadflowRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        _ = try RoutingAccess.configScope(of: principal)
        let id = try HTTPSupport.pathId(context)
        try RoutingAccess.requireLocation(principal, id)
        var location = try await request.decodeJSON(Location.self)
        try Self.adopt(pathId: id, into: &location.id)
        return try await saveLocation(location, principal: principal, ifMatch: try HTTPSupport.ifMatch(request), mustBeNew: false)
    }

    private func saveLocation(_ location: Location, principal: Principal, ifMatch: Int?, mustBeNew: Bool) async throws -> Response {
        try HTTPSupport.requireValid(ConfigValidator.issues(in: location))
        try RoutingAccess.requireLocation(principal, location.id)
        let outcome = try await postgres.transaction(logger: logger) { connection -> WriteOutcome in
            if mustBeNew, try await config.exists(.location, id: location.id, on: connection) {
                throw Problem(status: .conflict, code: "already_exists", detail: "location \(location.id) exists; use PUT to change it")
            }
            try await checkReferences(location.fallbacks, field: "/fallbacks", on: connection)
            return try await config.put(location, ifMatch: ifMatch, on: connection)
        }
        return try Self.respond(location, outcome: outcome, path: "/v1/routing/locations/\(location.id)")
    }

    @Sendable func deleteLocation(_ request: Request, context: LeadflowRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        _ = try RoutingAccess.configScope(of: principal)
        let id = try HTTPSupport.pathId(context)
        try RoutingAccess.requireLocation(principal, id)
        return try await delete(.location, id: id, inUse: "teams still belong to location \(id)")
    }

    // MARK: Teams

    @Sendable func listTeams(_ request: Request, context: LeadflowRequestContext) async throws -> Response {
        let scope = try RoutingAccess.configScope(of: try context.requirePrincipal())
        return try await page(.team, Team.self, scope: scope, request: request)
    }

    @Sendable func getTeam(_ request: Request, context: LeadflowRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        _ = try RoutingAccess.configScope(of: principal)
        let id = try HTTPSupport.pathId(context)
        guard let found = try await read({ try await config.get(.team, id: id, as: Team.self, on: $0) }) else {
            throw Problem.notFound("no such team")
        }
        try RoutingAccess.requireTeam(principal, teamId: id, locationId: found.value.locationId)
        return try Response.json(found.value, headers: [.eTag: HTTPSupport.etag(found.version)])
    }

    @Sendable func createTeam(_ request: Request, context: LeadflowRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        _ = try RoutingAccess.configScope(of: principal)
        var team = try await request.decodeJSON(Team.self)
        if team.id.isEmpty { team.id = Self.newId("team") }
        return try await saveTeam(team, principal: principal, ifMatch: nil, mustBeNew: true)
    }

    @Sendable func putTeam(_ request: Request, context: LeadflowRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        _ = try RoutingAccess.configScope(of: principal)
        let id = try HTTPSupport.pathId(context)
        var team = try await request.decodeJSON(Team.self)
        try Self.adopt(pathId: id, into: &team.id)
        return try await saveTeam(team, principal: principal, ifMatch: try HTTPSupport.ifMatch(request), mustBeNew: false)
    }

    private func saveTeam(_ team: Team, principal: Principal, ifMatch: Int?, mustBeNew: Bool) async throws -> Response {
        try HTTPSupport.requireValid(ConfigValidator.issues(in: team))
        try RoutingAccess.requireTeam(principal, teamId: team.id, locationId: team.locationId)
        let outcome = try await postgres.transaction(logger: logger) { connection -> WriteOutcome in
            if let existing = try await config.get(.team, id: team.id, as: Team.self, on: connection) {
                if mustBeNew {
                    throw Problem(status: .conflict, code: "already_exists", detail: "team \(team.id) exists; use PUT to change it")
                }
                // Moving a team out of a location needs the right to configure it there too.
                try RoutingAccess.requireTeam(principal, teamId: team.id, locationId: existing.value.locationId)
            }
            if let locationId = team.locationId, try await !config.exists(.location, id: locationId, on: connection) {
                throw Problem(status: .unprocessableContent, code: "invalid_field", detail: "no location \(locationId)",
                              field: "/locationId", rule: "unknown_reference")
            }
            try await checkReferences(team.rule.fallbacks, field: "/rule/fallbacks", on: connection)
            return try await config.put(team, ifMatch: ifMatch, on: connection)
        }
        return try Self.respond(team, outcome: outcome, path: "/v1/routing/teams/\(team.id)")
    }

    @Sendable func deleteTeam(_ request: Request, context: LeadflowRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        _ = try RoutingAccess.configScope(of: principal)
        let id = try HTTPSupport.pathId(context)
        guard let found = try await read({ try await config.get(.team, id: id, as: Team.self, on: $0) }) else {
            throw Problem.notFound("no such team")
        }
        try RoutingAccess.requireTeam(principal, teamId: id, locationId: found.value.locationId)
        return try await delete(.team, id: id, inUse: "members still belong to team \(id)")
    }

    // MARK: Members

    @Sendable func listMembers(_ request: Request, context: LeadflowRequestContext) async throws -> Response {
        let scope = try RoutingAccess.configScope(of: try context.requirePrincipal())
        return try await page(.member, Member.self, scope: scope, request: request)
    }

    @Sendable func getMember(_ request: Request, context: LeadflowRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try HTTPSupport.pathId(context)
        let isSelf = principal.role == .salesperson && principal.id == id
        if !isSelf { _ = try RoutingAccess.configScope(of: principal) }
        let (member, team) = try await memberAndTeam(id)
        if !isSelf { try RoutingAccess.requireTeam(principal, teamId: member.value.teamId, locationId: team?.locationId) }
        return try Response.json(member.value, headers: [.eTag: HTTPSupport.etag(member.version)])
    }

    @Sendable func createMember(_ request: Request, context: LeadflowRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        _ = try RoutingAccess.configScope(of: principal)
        var member = try await request.decodeJSON(Member.self)
        if member.id.isEmpty { member.id = Self.newId("member") }
        return try await saveMember(member, principal: principal, ifMatch: nil, mustBeNew: true)
    }

    @Sendable func putMember(_ request: Request, context: LeadflowRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        _ = try RoutingAccess.configScope(of: principal)
        let id = try HTTPSupport.pathId(context)
        var member = try await request.decodeJSON(Member.self)
        try Self.adopt(pathId: id, into: &member.id)
        return try await saveMember(member, principal: principal, ifMatch: try HTTPSupport.ifMatch(request), mustBeNew: false)
    }

    private func saveMember(_ input: Member, principal: Principal, ifMatch: Int?, mustBeNew: Bool) async throws -> Response {
        var member = input
        member.skills.vehicleTypes = member.skills.vehicleTypes.map { $0.lowercased().trimmingCharacters(in: .whitespaces) }
        try HTTPSupport.requireValid(ConfigValidator.issues(in: member))
        let outcome = try await postgres.transaction(logger: logger) { connection -> WriteOutcome in
            guard let team = try await config.get(.team, id: member.teamId, as: Team.self, on: connection) else {
                // Refuse before revealing anything: the caller must be able to configure the team it names.
                try RoutingAccess.requireTeam(principal, teamId: member.teamId, locationId: nil)
                throw Problem(status: .unprocessableContent, code: "invalid_field", detail: "no team \(member.teamId)",
                              field: "/teamId", rule: "unknown_reference")
            }
            try RoutingAccess.requireTeam(principal, teamId: member.teamId, locationId: team.value.locationId)
            if let existing = try await config.get(.member, id: member.id, as: Member.self, on: connection) {
                if mustBeNew {
                    throw Problem(status: .conflict, code: "already_exists", detail: "member \(member.id) exists; use PUT to change it")
                }
                if existing.value.teamId != member.teamId {
                    let oldTeam = try await config.get(.team, id: existing.value.teamId, as: Team.self, on: connection)
                    try RoutingAccess.requireTeam(principal, teamId: existing.value.teamId, locationId: oldTeam?.value.locationId)
                }
            }
            return try await config.put(member, ifMatch: ifMatch, on: connection)
        }
        return try Self.respond(member, outcome: outcome, path: "/v1/routing/members/\(member.id)")
    }

    @Sendable func deleteMember(_ request: Request, context: LeadflowRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        _ = try RoutingAccess.configScope(of: principal)
        let id = try HTTPSupport.pathId(context)
        let (member, team) = try await memberAndTeam(id)
        try RoutingAccess.requireTeam(principal, teamId: member.value.teamId, locationId: team?.locationId)
        return try await delete(.member, id: id, inUse: "member \(id) is still referenced")
    }

    /// Availability: the member themselves (a salesperson token with their id) or a manager of their team.
    @Sendable func putAvailability(_ request: Request, context: LeadflowRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try HTTPSupport.pathId(context)
        let isSelf = principal.role == .salesperson && principal.id == id
        if !isSelf { _ = try RoutingAccess.configScope(of: principal) }
        let body = try await request.decodeJSON(AvailabilityInput.self, limits: JSONBodyLimits(maxBytes: 4096, maxDepth: 4))
        let (member, team) = try await memberAndTeam(id)
        if !isSelf { try RoutingAccess.requireTeam(principal, teamId: member.value.teamId, locationId: team?.locationId) }
        let version = try await postgres.transaction(logger: logger) { connection in
            try await config.setOnline(memberId: id, online: body.online, on: connection)
        }
        guard let version else { throw Problem.notFound("no such member") }
        var updated = member.value
        updated.online = body.online
        return try Response.json(updated, headers: [.eTag: HTTPSupport.etag(version)])
    }

    // MARK: Settings and postal codes

    @Sendable func getSettings(_ request: Request, context: LeadflowRequestContext) async throws -> Response {
        try RoutingAccess.requirePlatform(try context.requirePrincipal())
        return try Response.json(try await read { try await config.settings(on: $0) })
    }

    @Sendable func putSettings(_ request: Request, context: LeadflowRequestContext) async throws -> Response {
        try RoutingAccess.requirePlatform(try context.requirePrincipal())
        let settings = try await request.decodeJSON(RoutingSettings.self)
        try HTTPSupport.requireValid(ConfigValidator.issues(in: settings))
        try await postgres.transaction(logger: logger) { connection in
            try await checkReferences([settings.fallback], field: "/fallback", on: connection)
            try await config.saveSettings(settings, on: connection)
        }
        return try Response.json(settings)
    }

    @Sendable func putPostalCodes(_ request: Request, context: LeadflowRequestContext) async throws -> Response {
        try RoutingAccess.requirePlatform(try context.requirePrincipal())
        let input = try await request.decodeJSON(PostalPointsInput.self, limits: JSONBodyLimits(maxBytes: 4 << 20, maxDepth: 8))
        guard input.points.count <= 20_000 else {
            throw Problem(status: .unprocessableContent, code: "invalid_field", detail: "at most 20000 points per request",
                          field: "/points", rule: "too_many")
        }
        for (index, point) in input.points.enumerated() {
            let code = LeadFacts.normalizedPostalCode(point.postalCode)
            if code.isEmpty || code.count > 12 {
                throw Problem(status: .unprocessableContent, code: "invalid_field", detail: "a postal code is 1–12 letters or digits",
                              field: "/points/\(index)/postalCode", rule: "format")
            }
            if point.country.count != 2 || !point.country.allSatisfy({ $0.isASCII && $0.isLetter }) {
                throw Problem(status: .unprocessableContent, code: "invalid_field", detail: "an ISO 3166 alpha-2 country code",
                              field: "/points/\(index)/country", rule: "format")
            }
            if !GeoPoint(latitude: point.latitude, longitude: point.longitude).isValid {
                throw Problem(status: .unprocessableContent, code: "invalid_field", detail: "latitude -90…90, longitude -180…180",
                              field: "/points/\(index)", rule: "range")
            }
        }
        let stored = try await postgres.transaction(logger: logger) { connection in
            try await config.putPostalPoints(input.points, on: connection)
        }
        return try Response.json(["stored": stored])
    }

    // MARK: Helpers

    private func read<T: Sendable>(_ body: @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        try await postgres.withConnection { connection in try await body(connection) }
    }

    private func page<Value: Codable & Sendable & Identifiable>(
        _ kind: ConfigKind, _ type: Value.Type, scope: ConfigScope, request: Request
    ) async throws -> Response where Value.ID == String {
        let limit = try HTTPSupport.limit(request)
        let after = try HTTPSupport.after(request)
        let rows = try await read { try await config.list(kind, as: type, scope: scope, after: after, limit: limit + 1, on: $0) }
        let items = rows.prefix(limit).map(\.value)
        return try Response.json(Page(items: Array(items), nextAfter: rows.count > limit ? items.last?.id : nil))
    }

    private func memberAndTeam(_ id: String) async throws -> (Versioned<Member>, Team?) {
        try await read { connection in
            guard let member = try await config.get(.member, id: id, as: Member.self, on: connection) else {
                throw Problem.notFound("no such member")
            }
            let team = try await config.get(.team, id: member.value.teamId, as: Team.self, on: connection)?.value
            return (member, team)
        }
    }

    private func delete(_ kind: ConfigKind, id: String, inUse: String) async throws -> Response {
        let deleted: Bool
        do {
            deleted = try await postgres.transaction(logger: logger) { connection in
                try await config.delete(kind, id: id, on: connection)
            }
        } catch where sqlState(of: error) == "23503" {
            throw Problem(status: .conflict, code: "in_use", detail: inUse)
        }
        guard deleted else { throw Problem.notFound("no such \(kind.rawValue)") }
        return Response(status: .noContent)
    }

    /// 422 when a fallback names a member, team or location that does not exist.
    private func checkReferences(_ targets: [FallbackTarget], field: String, on connection: PostgresConnection) async throws {
        for (index, target) in targets.enumerated() {
            let kind: ConfigKind
            switch target {
            case .member: kind = .member
            case .team: kind = .team
            case .location: kind = .location
            case .queue: continue
            }
            if try await !config.exists(kind, id: target.id, on: connection) {
                throw Problem(status: .unprocessableContent, code: "invalid_field", detail: "no \(kind.rawValue) \(target.id)",
                              field: field == "/fallback" ? "/fallback/id" : "\(field)/\(index)/id", rule: "unknown_reference")
            }
        }
    }

    /// Takes the id from the path; 422 when the body names another one.
    static func adopt(pathId: String, into id: inout String) throws {
        if !id.isEmpty, id != pathId {
            throw Problem(status: .unprocessableContent, code: "invalid_field", detail: "the body's id differs from the path's",
                          field: "/id", rule: "id_mismatch")
        }
        id = pathId
    }

    static func respond(_ value: some Encodable, outcome: WriteOutcome, path: String) throws -> Response {
        switch outcome {
        case .created(let version):
            return try Response.json(value, status: .created, headers: [.eTag: HTTPSupport.etag(version), .location: path])
        case .updated(let version):
            return try Response.json(value, headers: [.eTag: HTTPSupport.etag(version)])
        case .versionMismatch(let current):
            guard let current else { throw Problem.notFound("no such record to update with If-Match") }
            throw Problem(status: .preconditionFailed, code: "version_mismatch",
                          detail: "the record is at version \(current); read it again and retry")
        }
    }

    static func newId(_ prefix: String) -> String {
        "\(prefix)-" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(12)
    }
}

/// `PUT /v1/routing/members/{id}/availability` body.
struct AvailabilityInput: Decodable, Sendable {
    let online: Bool
}

/// `PUT /v1/routing/postal-codes` body.
struct PostalPointsInput: Decodable, Sendable {
    let points: [PostalPoint]
}
