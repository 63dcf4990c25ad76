import Foundation
import Hummingbird
import LeadModel
import LeadServiceKit
import LeadStorage
import PostgresNIO

/// The configuration API's teams: list, create, read, replace (moving needs both scopes), delete.
extension ConfigRoutes {

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

    func saveTeam(_ team: Team, principal: Principal, ifMatch: Int?, mustBeNew: Bool) async throws -> Response {
        try HTTPSupport.requireValid(ConfigValidator.issues(in: team))
        try RoutingAccess.requireTeam(principal, teamId: team.id, locationId: team.locationId)
        let outcome = try await postgres.transaction(logger: logger) { connection -> WriteOutcome in
            let existing = try await config.get(.team, id: team.id, as: Team.self, on: connection)
            if let existing {
                if mustBeNew {
                    throw Problem(status: .conflict, code: "already_exists", detail: "team \(team.id) exists; use PUT to change it")
                }
                // Moving a team out of a location needs the right to configure it there too.
                try RoutingAccess.requireTeam(principal, teamId: team.id, locationId: existing.value.locationId)
            }
            // Attaching a team to a location (it would receive that location's leads) needs the location itself.
            if let locationId = team.locationId, locationId != existing?.value.locationId {
                try RoutingAccess.requireLocation(principal, locationId)
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
}
