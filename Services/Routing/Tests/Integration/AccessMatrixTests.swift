import Foundation
import LeadIntegrationSupport
import LeadModel
import LeadServiceKit
import LeadTestSupport
import Testing
@testable import LeadRouting

/// Issue 3 for routing: every endpoint with every kind of caller.
@Suite("Routing access matrix", .serialized)
struct AccessMatrixTests {
    /// One endpoint call.
    struct Call: Sendable, CustomStringConvertible {
        let method: String
        let path: String
        let body: String?
        var description: String { "\(method) \(path)" }
    }

    /// Matrix data: in-scope and out-of-scope locations, teams, members and leads.
    struct Fixture: Sendable {
        let env: FlowEnvironment
        let leadIn: LeadID
        let leadOut: LeadID
    }

    static let fixture = SharedFixture()

    actor SharedFixture {
        var task: Task<Fixture, any Error>?
        func get() async throws -> Fixture {
            if let task { return try await task.value }
            let task = Task { try await AccessMatrixTests.makeFixture() }
            self.task = task
            return try await task.value
        }
    }

    static func makeFixture() async throws -> Fixture {
        let env = try await FlowEnvironment.get()
        for side in ["in", "out"] {
            try await env.admin.configure("/v1/routing/locations/loc-mx-\(side)", Location(id: "loc-mx-\(side)", name: "Matrix \(side)"))
            try await env.admin.configure("/v1/routing/teams/team-mx-\(side)", Team(id: "team-mx-\(side)", name: "Matrix \(side)", locationId: "loc-mx-\(side)"))
            try await env.admin.configure("/v1/routing/members/member-mx-\(side)", Member(id: "member-mx-\(side)", teamId: "team-mx-\(side)", name: "M \(side)"))
        }
        let leadIn = TestEvents.scored(locationId: "loc-mx-in")
        let leadOut = TestEvents.scored(locationId: "loc-mx-out")
        try await env.publish([leadIn, leadOut])
        _ = await env.recorder.waitForAssignments(of: leadIn.leadId)
        _ = await env.recorder.waitForAssignments(of: leadOut.leadId)
        return Fixture(env: env, leadIn: leadIn.leadId, leadOut: leadOut.leadId)
    }

    /// Every routing endpoint, aimed at in-scope records where an id is needed.
    static func everyEndpoint(_ fixture: Fixture) -> [Call] {
        let location = #"{"name":"Matrix in"}"#
        let team = #"{"name":"Matrix in","locationId":"loc-mx-in"}"#
        let member = #"{"name":"M in","teamId":"team-mx-in"}"#
        return [
            Call(method: "GET", path: "/v1/routing/locations", body: nil),
            Call(method: "POST", path: "/v1/routing/locations", body: #"{"id":"loc-mx-new","name":"New"}"#),
            Call(method: "GET", path: "/v1/routing/locations/loc-mx-in", body: nil),
            Call(method: "PUT", path: "/v1/routing/locations/loc-mx-in", body: location),
            Call(method: "DELETE", path: "/v1/routing/locations/loc-mx-in", body: nil),
            Call(method: "GET", path: "/v1/routing/teams", body: nil),
            Call(method: "POST", path: "/v1/routing/teams", body: #"{"id":"team-mx-new","name":"New","locationId":"loc-mx-in"}"#),
            Call(method: "GET", path: "/v1/routing/teams/team-mx-in", body: nil),
            Call(method: "PUT", path: "/v1/routing/teams/team-mx-in", body: team),
            Call(method: "DELETE", path: "/v1/routing/teams/team-mx-in", body: nil),
            Call(method: "GET", path: "/v1/routing/members", body: nil),
            Call(method: "POST", path: "/v1/routing/members", body: #"{"id":"member-mx-new","name":"New","teamId":"team-mx-in"}"#),
            Call(method: "GET", path: "/v1/routing/members/member-mx-in", body: nil),
            Call(method: "PUT", path: "/v1/routing/members/member-mx-in", body: member),
            Call(method: "DELETE", path: "/v1/routing/members/member-mx-in", body: nil),
            Call(method: "PUT", path: "/v1/routing/members/member-mx-in/availability", body: #"{"online":true}"#),
            Call(method: "GET", path: "/v1/routing/settings", body: nil),
            Call(method: "PUT", path: "/v1/routing/settings", body: "{}"),
            Call(method: "PUT", path: "/v1/routing/postal-codes", body: #"{"points":[]}"#),
            Call(method: "GET", path: "/v1/routing/leads/\(fixture.leadIn)", body: nil),
            Call(method: "POST", path: "/v1/routing/leads/\(fixture.leadIn)/assign", body: #"{"ownerId":"member-mx-in","note":"matrix"}"#),
            Call(method: "GET", path: "/v1/routing/queue", body: nil),
        ]
    }

    static func perform(_ call: Call, headers: [String: String], env: FlowEnvironment) async throws -> TestHTTPResponse {
        var all = headers
        if call.body != nil { all["content-type"] = "application/json" }
        return try await TestHTTP.request(call.method, env.service.baseURL + call.path, headers: all, body: call.body.map { Array($0.utf8) })
    }

    @Test("every endpoint refuses unauthenticated callers with 401 and a problem")
    func unauthenticated() async throws {
        let fixture = try await Self.fixture.get()
        let callers = try await AccessMatrix.unauthenticatedCallers()
        for call in Self.everyEndpoint(fixture) {
            for caller in callers {
                let response = try await Self.perform(call, headers: caller.headers, env: fixture.env)
                #expect(response.status == 401, "\(call) as \(caller): \(response.status)")
                #expect(response.headers["content-type"] == "application/problem+json", "\(call) as \(caller)")
                #expect(!response.text.contains("Bearer"), "\(call) echoes a credential")
            }
        }
    }

    @Test("roles that may not configure routing or reach leads get 403 on every endpoint")
    func otherRoles() async throws {
        let fixture = try await Self.fixture.get()
        for (role, id) in [(Actor.Role.locationContact, "contact-1"), (.integrationSource, "src-web"), (.downstreamReader, "bi")] {
            let caller = try await AccessMatrix.caller("\(role)", Principal(id: id, role: role, scope: AccessScope(locationIds: ["loc-mx-in"], sourceIds: ["src-web"])))
            for call in Self.everyEndpoint(fixture) {
                let response = try await Self.perform(call, headers: caller.headers, env: fixture.env)
                #expect(response.status == 403, "\(call) as \(role): \(response.status) \(response.text)")
                #expect(response.json["code"] as? String == "forbidden", "\(call) as \(role)")
            }
        }
    }

    @Test("a salesperson: 403 on configuration, their own member record and availability, their own leads only")
    func salesperson() async throws {
        let fixture = try await Self.fixture.get()
        let env = fixture.env
        let me = try await AccessMatrix.caller("salesperson", Principal(id: "member-mx-in", role: .salesperson))
        let selfOnly: Set<String> = [
            "GET /v1/routing/members/member-mx-in", "PUT /v1/routing/members/member-mx-in/availability",
            "GET /v1/routing/leads/\(fixture.leadIn)", "GET /v1/routing/queue",
        ]
        for call in Self.everyEndpoint(fixture) {
            let response = try await Self.perform(call, headers: me.headers, env: env)
            if selfOnly.contains(call.description) {
                #expect(response.status == 200, "\(call): \(response.status) \(response.text)")
            } else {
                #expect(response.status == 403, "\(call): \(response.status) \(response.text)")
            }
        }
        let other = try await Self.perform(Call(method: "GET", path: "/v1/routing/leads/\(fixture.leadOut)", body: nil), headers: me.headers, env: env)
        #expect(other.status == 404)
        let otherAvailability = try await Self.perform(
            Call(method: "PUT", path: "/v1/routing/members/member-mx-out/availability", body: #"{"online":true}"#), headers: me.headers, env: env)
        #expect(otherAvailability.status == 403)
        let queue = try await Self.perform(Call(method: "GET", path: "/v1/routing/queue", body: nil), headers: me.headers, env: env)
        #expect((queue.json["items"] as? [Any])?.isEmpty == true)
    }

    @Test("a manager: full rights in scope, 403 out of scope, lists filtered to the scope")
    func manager() async throws {
        let fixture = try await Self.fixture.get()
        let env = fixture.env
        let manager = try await AccessMatrix.caller("manager", Principal(id: "mgr-mx", role: .manager, scope: AccessScope(locationIds: ["loc-mx-in"])))
        func call(_ method: String, _ path: String, _ body: String? = nil) async throws -> TestHTTPResponse {
            try await Self.perform(Call(method: method, path: path, body: body), headers: manager.headers, env: env)
        }

        // In scope.
        #expect(try await call("GET", "/v1/routing/locations/loc-mx-in").status == 200)
        #expect(try await call("PUT", "/v1/routing/locations/loc-mx-in", #"{"name":"Matrix in, renamed"}"#).status == 200)
        #expect(try await call("GET", "/v1/routing/teams/team-mx-in").status == 200)
        #expect(try await call("PUT", "/v1/routing/teams/team-mx-in", #"{"name":"In","locationId":"loc-mx-in"}"#).status == 200)
        #expect(try await call("GET", "/v1/routing/members/member-mx-in").status == 200)
        #expect(try await call("PUT", "/v1/routing/members/member-mx-in/availability", #"{"online":true}"#).status == 200)
        #expect(try await call("POST", "/v1/routing/teams", #"{"id":"team-mx-extra","name":"Extra","locationId":"loc-mx-in"}"#).status == 201)
        #expect(try await call("POST", "/v1/routing/members", #"{"id":"member-mx-extra","name":"Extra","teamId":"team-mx-extra"}"#).status == 201)
        #expect(try await call("DELETE", "/v1/routing/members/member-mx-extra").status == 204)
        #expect(try await call("DELETE", "/v1/routing/teams/team-mx-extra").status == 204)
        #expect(try await call("GET", "/v1/routing/leads/\(fixture.leadIn)").status == 200)
        let assigned = try await call("POST", "/v1/routing/leads/\(fixture.leadIn)/assign", #"{"ownerId":"member-mx-in","note":"mine"}"#)
        #expect(assigned.status == 200, "\(assigned.text)")
        #expect(assigned.json["actor"] as? [String: String] == ["id": "mgr-mx", "role": "manager"])

        // Out of scope.
        for (method, path, body) in [
            ("GET", "/v1/routing/locations/loc-mx-out", nil), ("PUT", "/v1/routing/locations/loc-mx-out", #"{"name":"x"}"#),
            ("DELETE", "/v1/routing/locations/loc-mx-out", nil), ("GET", "/v1/routing/teams/team-mx-out", nil),
            ("PUT", "/v1/routing/teams/team-mx-out", #"{"name":"x","locationId":"loc-mx-out"}"#),
            ("PUT", "/v1/routing/teams/team-mx-in", #"{"name":"moved","locationId":"loc-mx-out"}"#),
            ("POST", "/v1/routing/teams", #"{"id":"team-mx-sneak","name":"x","locationId":"loc-mx-out"}"#),
            ("GET", "/v1/routing/members/member-mx-out", nil), ("DELETE", "/v1/routing/members/member-mx-out", nil),
            ("PUT", "/v1/routing/members/member-mx-in", #"{"name":"moved","teamId":"team-mx-out"}"#),
            ("POST", "/v1/routing/members", #"{"id":"member-mx-sneak","name":"x","teamId":"team-mx-out"}"#),
            ("PUT", "/v1/routing/members/member-mx-out/availability", #"{"online":false}"#),
            ("GET", "/v1/routing/settings", nil), ("PUT", "/v1/routing/settings", "{}"),
            ("PUT", "/v1/routing/postal-codes", #"{"points":[]}"#),
            ("POST", "/v1/routing/leads/\(fixture.leadIn)/assign", #"{"ownerId":"member-mx-out","note":"give away"}"#),
        ] as [(String, String, String?)] {
            let response = try await call(method, path, body)
            #expect(response.status == 403, "\(method) \(path): \(response.status) \(response.text)")
        }
        // A lead out of scope is not found, so its existence does not leak.
        #expect(try await call("GET", "/v1/routing/leads/\(fixture.leadOut)").status == 404)
        #expect(try await call("POST", "/v1/routing/leads/\(fixture.leadOut)/assign", #"{"ownerId":"member-mx-in","note":"take"}"#).status == 404)

        // Lists hold in-scope records only.
        for path in ["/v1/routing/locations", "/v1/routing/teams", "/v1/routing/members", "/v1/routing/queue"] {
            let response = try await call("GET", path)
            #expect(response.status == 200, "\(path)")
            #expect(!response.text.contains("mx-out"), "\(path) lists out-of-scope data")
            #expect(!response.text.contains("flow"), "\(path) lists out-of-scope data")
        }
        let locations = try await call("GET", "/v1/routing/locations")
        #expect((locations.json["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == ["loc-mx-in"])
        let members = try await call("GET", "/v1/routing/members")
        #expect((members.json["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == ["member-mx-in"])

        // A manager scoped to a team (not a location) sees that team and its members only.
        let teamManager = try await AccessMatrix.caller("team manager", Principal(id: "mgr-team", role: .manager, scope: AccessScope(teamIds: ["team-mx-out"])))
        let teams = try await Self.perform(Call(method: "GET", path: "/v1/routing/teams", body: nil), headers: teamManager.headers, env: env)
        #expect((teams.json["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == ["team-mx-out"])
        let noLocations = try await Self.perform(Call(method: "GET", path: "/v1/routing/locations", body: nil), headers: teamManager.headers, env: env)
        #expect((noLocations.json["items"] as? [Any])?.isEmpty == true)
        // It may change its team's rule, but not attach the team to a location it does not manage.
        let renamed = try await Self.perform(Call(method: "PUT", path: "/v1/routing/teams/team-mx-out",
                                                  body: #"{"name":"Out, renamed","locationId":"loc-mx-out"}"#), headers: teamManager.headers, env: env)
        #expect(renamed.status == 200, "\(renamed.text)")
        let attached = try await Self.perform(Call(method: "PUT", path: "/v1/routing/teams/team-mx-out",
                                                   body: #"{"name":"Out","locationId":"loc-mx-in"}"#), headers: teamManager.headers, env: env)
        #expect(attached.status == 403)
    }

    @Test("a platform admin may use every endpoint")
    func admin() async throws {
        let fixture = try await Self.fixture.get()
        let env = fixture.env
        let admin = try await AccessMatrix.caller("admin", Principal(id: "admin-mx", role: .platformAdmin))
        // Throwaway records so deleting them leaves the matrix fixture intact.
        try await env.admin.configure("/v1/routing/locations/loc-mx-tmp", Location(id: "loc-mx-tmp", name: "Tmp"))
        try await env.admin.configure("/v1/routing/teams/team-mx-tmp", Team(id: "team-mx-tmp", name: "Tmp", locationId: "loc-mx-tmp"))
        try await env.admin.configure("/v1/routing/members/member-mx-tmp", Member(id: "member-mx-tmp", teamId: "team-mx-tmp", name: "Tmp"))
        for call in Self.everyEndpoint(fixture) {
            var target = call
            if call.method == "DELETE" {
                target = Call(method: "DELETE", path: call.path.replacingOccurrences(of: "mx-in", with: "mx-tmp"), body: nil)
            }
            if call.method == "POST", call.path.hasSuffix("locations") || call.path.hasSuffix("teams") || call.path.hasSuffix("members") {
                target = Call(method: "POST", path: call.path, body: call.body?.replacingOccurrences(of: "mx-new", with: "mx-admin"))
            }
            let response = try await Self.perform(target, headers: admin.headers, env: env)
            #expect((200..<300).contains(response.status) || (target.method == "DELETE" && response.status == 409),
                    "\(target): \(response.status) \(response.text)")
        }
        // The loop deleted the member; a location or team still in use answered 409; in dependency order they go.
        func delete(_ path: String) async throws -> Int {
            try await Self.perform(Call(method: "DELETE", path: path, body: nil), headers: admin.headers, env: env).status
        }
        #expect(try await delete("/v1/routing/members/member-mx-tmp") == 404)
        #expect(try await delete("/v1/routing/teams/team-mx-tmp") == 204)
        #expect(try await delete("/v1/routing/locations/loc-mx-tmp") == 204)
        #expect(try await delete("/v1/routing/locations/loc-mx-tmp") == 404)
    }
}
