import Foundation
import Hummingbird
import LeadModel
import LeadServiceKit
import LeadStorage
import PostgresNIO

/// The configuration API's members: list, create, read, replace, delete, availability.
extension ConfigRoutes {

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

    func saveMember(_ input: Member, principal: Principal, ifMatch: Int?, mustBeNew: Bool) async throws -> Response {
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
}
