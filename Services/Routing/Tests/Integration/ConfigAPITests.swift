import Foundation
import LeadIntegrationSupport
import LeadModel
import LeadServiceKit
import LeadTestSupport
import Testing
@testable import LeadRouting

/// The configuration API's behaviour and its handling of hostile input.
@Suite("Routing configuration API", .serialized)
struct ConfigAPITests {
    @Test("create, read, replace with If-Match, conflict, delete")
    func lifecycle() async throws {
        let env = try await FlowEnvironment.get()
        let admin = env.admin
        let created = try await admin.send("POST", "/v1/routing/locations", json: #"{"name":"Akron","postalAreas":["443"],"geo":{"latitude":41.08,"longitude":-81.52}}"#)
        #expect(created.status == 201, "\(created.text)")
        let id = try #require(created.json["id"] as? String)
        #expect(id.hasPrefix("loc-"))
        #expect(created.headers["location"] == "/v1/routing/locations/\(id)")
        #expect(created.headers["etag"] == "\"1\"")

        let read = try await admin.get("/v1/routing/locations/\(id)")
        #expect(read.json["name"] as? String == "Akron")
        #expect(read.json["active"] as? Bool == true)

        let stale = try await admin.send("PUT", "/v1/routing/locations/\(id)", json: #"{"name":"Akron 2"}"#, headers: ["if-match": "\"7\""])
        #expect(stale.status == 412)
        #expect(stale.json["code"] as? String == "version_mismatch")
        let updated = try await admin.send("PUT", "/v1/routing/locations/\(id)", json: #"{"name":"Akron 2"}"#, headers: ["if-match": "\"1\""])
        #expect(updated.status == 200)
        #expect(updated.headers["etag"] == "\"2\"")

        let duplicate = try await admin.send("POST", "/v1/routing/locations", json: #"{"id":"\#(id)","name":"Again"}"#)
        #expect(duplicate.status == 409)
        let mismatch = try await admin.send("PUT", "/v1/routing/locations/\(id)", json: #"{"id":"loc-other","name":"x"}"#)
        #expect(mismatch.status == 422)
        #expect(mismatch.json["rule"] as? String == "id_mismatch")

        let team = try await admin.send("POST", "/v1/routing/teams", json: #"{"id":"team-akron","name":"Akron","locationId":"\#(id)"}"#)
        #expect(team.status == 201)
        #expect(try await admin.send("DELETE", "/v1/routing/locations/\(id)", json: "").status == 409)
        #expect(try await admin.send("DELETE", "/v1/routing/teams/team-akron", json: "").status == 204)
        #expect(try await admin.send("DELETE", "/v1/routing/locations/\(id)", json: "").status == 204)
        #expect(try await admin.get("/v1/routing/locations/\(id)").status == 404)
    }

    @Test("references must exist: a team's location, a member's team, fallbacks")
    func references() async throws {
        let admin = try await FlowEnvironment.get().admin
        let team = try await admin.send("PUT", "/v1/routing/teams/team-orphan", json: #"{"name":"x","locationId":"loc-nowhere"}"#)
        #expect(team.status == 422)
        #expect(team.json["field"] as? String == "/locationId")
        #expect(team.json["rule"] as? String == "unknown_reference")
        let member = try await admin.send("PUT", "/v1/routing/members/member-orphan", json: #"{"name":"x","teamId":"team-nowhere"}"#)
        #expect(member.status == 422)
        let fallback = try await admin.send("PUT", "/v1/routing/teams/team-fb", json: #"{"name":"x","rule":{"fallbacks":[{"kind":"member","id":"member-nobody"}]}}"#)
        #expect(fallback.status == 422)
        #expect(fallback.json["field"] as? String == "/rule/fallbacks/0/id")
    }

    @Test("pages through lists with limit and after")
    func paging() async throws {
        let admin = try await FlowEnvironment.get().admin
        for index in 0..<3 {
            try await admin.configure("/v1/routing/teams/team-page-\(index)", Team(id: "team-page-\(index)", name: "Page"))
        }
        let first = try await admin.get("/v1/routing/teams?limit=2&after=team-page")
        let items = (first.json["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        #expect(items == ["team-page-0", "team-page-1"])
        #expect(first.json["nextAfter"] as? String == "team-page-1")
        let second = try await admin.get("/v1/routing/teams?limit=2&after=team-page-1")
        #expect((second.json["items"] as? [[String: Any]])?.first?["id"] as? String == "team-page-2")
        #expect(try await admin.get("/v1/routing/teams?limit=0").status == 400)
        #expect(try await admin.get("/v1/routing/teams?limit=abc").status == 400)
    }

    @Test("hostile input gets a 4xx problem, never a crash or a stored record")
    func hostile() async throws {
        let env = try await FlowEnvironment.get()
        let admin = env.admin
        let path = "/v1/routing/locations/loc-hostile"
        let huge = try await admin.send("PUT", path, json: #"{"name":""# + String(repeating: "x", count: 3 << 20) + #""}"#)
        #expect(huge.status == 413)
        let invalidUTF8 = try await TestHTTP.request("PUT", env.service.baseURL + path,
            headers: admin.auth.merging(["content-type": "application/json"]) { a, _ in a }, body: [0x7B, 0x22, 0xFF, 0xFE, 0x22, 0x7D])
        #expect(invalidUTF8.status == 400)
        #expect(invalidUTF8.json["code"] as? String == "invalid_utf8")
        let deep = try await admin.send("PUT", path, json: String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000))
        #expect(deep.status == 400)
        let wrongType = try await admin.send("PUT", path, json: #"{"name": 42}"#)
        #expect(wrongType.status == 422)
        #expect(wrongType.json["field"] as? String == "/name")
        let notJSON = try await admin.send("PUT", path, json: "name=x")
        #expect(notJSON.status == 400)
        let injection = try await admin.send("PUT", "/v1/routing/locations/loc-x';DROP%20TABLE%20routing.leads;--", json: #"{"name":"x"}"#)
        #expect(injection.status == 422)
        let control = try await admin.send("PUT", path, json: #"{"name":"bad\u0000name"}"#)
        #expect(control.status == 422)
        let timeZone = try await admin.send("PUT", "/v1/routing/members/member-tz", json: #"{"name":"x","teamId":"team-flow-central","timeZone":"Mars/Base"}"#)
        #expect(timeZone.status == 422)
        #expect(timeZone.json["rule"] as? String == "unknown_time_zone")
        let hours = try await admin.send("PUT", "/v1/routing/members/member-tz", json: #"{"name":"x","teamId":"team-flow-central","workingHours":[{"days":["someday"],"start":"09:00","end":"17:00"}]}"#)
        #expect(hours.status == 422)
        let badLead = try await admin.get("/v1/routing/leads/not-a-uuid")
        #expect(badLead.status == 404)
        let badAfter = try await admin.get("/v1/routing/queue?after=%27%3B--")
        #expect(badAfter.status == 400)
        #expect(try await admin.get("/v1/routing/locations/loc-hostile").status == 404)
        #expect(try await RoutingDatabase.count(env.database, "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'routing' AND table_name = 'leads'") == 1)
        #expect(try await admin.get("/health/ready").status == 200)
    }

    @Test("settings and availability changes reach routing at once")
    func liveConfiguration() async throws {
        let env = try await FlowEnvironment.get()
        try await env.admin.configure("/v1/routing/locations/loc-live", Location(id: "loc-live", name: "Live"))
        try await env.admin.configure("/v1/routing/teams/team-live", Team(id: "team-live", name: "Live", locationId: "loc-live"))
        try await env.admin.configure("/v1/routing/members/member-live", Member(id: "member-live", teamId: "team-live", name: "Live"))
        let offline = try await env.admin.send("PUT", "/v1/routing/members/member-live/availability", json: #"{"online":false}"#)
        #expect(offline.status == 200)
        #expect(offline.json["online"] as? Bool == false)
        let first = TestEvents.scored(locationId: "loc-live")
        try await env.publish([first])
        let queued = try #require(await env.recorder.waitForAssignments(of: first.leadId).first)
        #expect(queued.ownerId == nil)
        #expect(queued.candidates.contains { $0.memberId == "member-live" && $0.reason == "offline" })
        let online = try await env.admin.send("PUT", "/v1/routing/members/member-live/availability", json: #"{"online":true}"#)
        #expect(online.status == 200)
        let second = TestEvents.scored(locationId: "loc-live")
        try await env.publish([second])
        #expect(await env.recorder.waitForAssignments(of: second.leadId).first?.ownerId == "member-live")
    }
}
