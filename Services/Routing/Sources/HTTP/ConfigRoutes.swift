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

    // MARK: Helpers

    func read<T: Sendable>(_ body: @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        try await postgres.withConnection { connection in try await body(connection) }
    }

    func page<Value: Codable & Sendable & Identifiable>(
        _ kind: ConfigKind, _ type: Value.Type, scope: ConfigScope, request: Request
    ) async throws -> Response where Value.ID == String {
        let limit = try HTTPSupport.limit(request)
        let after = try HTTPSupport.after(request)
        let rows = try await read { try await config.list(kind, as: type, scope: scope, after: after, limit: limit + 1, on: $0) }
        let items = rows.prefix(limit).map(\.value)
        return try Response.json(Page(items: Array(items), nextAfter: rows.count > limit ? items.last?.id : nil))
    }

    func memberAndTeam(_ id: String) async throws -> (Versioned<Member>, Team?) {
        try await read { connection in
            guard let member = try await config.get(.member, id: id, as: Member.self, on: connection) else {
                throw Problem.notFound("no such member")
            }
            let team = try await config.get(.team, id: member.value.teamId, as: Team.self, on: connection)?.value
            return (member, team)
        }
    }

    func delete(_ kind: ConfigKind, id: String, inUse: String) async throws -> Response {
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
    func checkReferences(_ targets: [FallbackTarget], field: String, on connection: PostgresConnection) async throws {
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
