import Foundation
import Hummingbird
import LeadModel
import LeadServiceKit
import LeadStorage
import PostgresNIO

/// The configuration API's locations: list, create, read, replace, delete.
extension ConfigRoutes {

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

    func saveLocation(_ location: Location, principal: Principal, ifMatch: Int?, mustBeNew: Bool) async throws -> Response {
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
}
