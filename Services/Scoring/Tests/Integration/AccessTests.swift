import Foundation
import LeadIntegrationSupport
import LeadModel
import LeadServiceKit
import LeadTestSupport
import Testing
@testable import LeadScoring

/// Every scoring endpoint with every kind of caller: rejected credentials (401), each role in and
/// out of scope (403, or 404 for a single lead the caller may not know exists).
@Suite("Scoring access control (real service)")
struct AccessTests {
    struct Endpoint: Sendable, CustomStringConvertible {
        var method: String
        var path: String
        var body: String?
        var description: String { "\(method) \(path)" }
    }

    /// Every admin endpoint, with bodies an admin may send without changing what other tests see.
    static func adminEndpoints(jobId: String) -> [Endpoint] {
        [
            Endpoint(method: "GET", path: "/v1/scoring/rules"),
            Endpoint(method: "PUT", path: "/v1/scoring/rules", body: #"{"rules": {"thresholds": {"hot": 10, "medium": 20}}}"#),
            Endpoint(method: "GET", path: "/v1/scoring/rules/versions"),
            Endpoint(method: "GET", path: "/v1/scoring/rules/versions/1"),
            Endpoint(method: "GET", path: "/v1/scoring/model"),
            Endpoint(method: "POST", path: "/v1/scoring/model/train", body: #"{"minimumOutcomes": 1000000}"#),
            Endpoint(method: "POST", path: "/v1/scoring/model/activate", body: #"{"version": 999999}"#),
            Endpoint(method: "POST", path: "/v1/scoring/model/deactivate"),
            Endpoint(method: "POST", path: "/v1/scoring/rescore"),
            Endpoint(method: "GET", path: "/v1/scoring/rescore/\(jobId)"),
        ]
    }

    func call(_ harness: ScoringHarness, _ endpoint: Endpoint, headers: [String: String]) async throws -> TestHTTPResponse {
        var all = headers
        if endpoint.body != nil { all["content-type"] = "application/json" }
        return try await TestHTTP.request(endpoint.method, harness.service.baseURL + endpoint.path, headers: all,
                                          body: endpoint.body.map { Array($0.utf8) })
    }

    /// Two scored leads: one at location loc-in / team team-in, owned by member-owner with
    /// collaborator member-helper; one elsewhere.
    func prepare(_ harness: ScoringHarness) async throws -> (inScope: LeadID, outOfScope: LeadID) {
        let inLead = Fixtures.received(Fixtures.hotLead(createdAt: harness.now), at: harness.now)
        let outLead = Fixtures.received(Fixtures.hotLead(createdAt: harness.now), at: harness.now)
        try await harness.publish([inLead, outLead])
        try await harness.publish([
            LeadAssigned(leadId: inLead.leadId, occurredAt: harness.now, locationId: "loc-in", teamId: "team-in",
                         ownerId: "member-owner", strategy: .roundRobin, reason: "next", causationEventId: inLead.eventId),
            LeadAssigned(leadId: outLead.leadId, occurredAt: harness.now, locationId: "loc-out", teamId: "team-out",
                         ownerId: "member-other", strategy: .roundRobin, reason: "next", causationEventId: outLead.eventId),
        ])
        let helper = Fixtures.lifecycle(inLead.leadId, .collaboratorsChanged(added: ["member-helper"], removed: []), at: harness.now)
        try await harness.publish([helper])
        await harness.waitForScores(inLead.leadId, count: 1)
        await harness.waitForScores(outLead.leadId, count: 1)
        // Wait until the assignment and the collaborator are applied (the owner can read the lead).
        let owner = Principal(id: "member-owner", role: .salesperson)
        let helperPrincipal = Principal(id: "member-helper", role: .salesperson)
        let other = Principal(id: "member-other", role: .salesperson)
        let ready = await eventually(timeout: .seconds(60)) {
            let byOwner = try? await harness.request("GET", "/v1/scores/\(inLead.leadId)", as: owner).status
            let byHelper = try? await harness.request("GET", "/v1/scores/\(inLead.leadId)", as: helperPrincipal).status
            let byOther = try? await harness.request("GET", "/v1/scores/\(outLead.leadId)", as: other).status
            return byOwner == 200 && byHelper == 200 && byOther == 200
        }
        #expect(ready)
        return (inLead.leadId, outLead.leadId)
    }

    @Test("callers without valid credentials get 401 on every endpoint")
    func unauthenticated() async throws {
        let harness = try await ScoringHarness.shared()
        let endpoints = Self.adminEndpoints(jobId: UUID().uuidString) + [Endpoint(method: "GET", path: "/v1/scores/\(LeadID())")]
        for caller in try await AccessMatrix.unauthenticatedCallers() {
            for endpoint in endpoints {
                let response = try await call(harness, endpoint, headers: caller.headers)
                #expect(response.status == 401, "\(caller) \(endpoint): \(response.status)")
                #expect(response.headers["content-type"] == "application/problem+json")
                #expect(!response.text.contains("Bearer"), "no credential echoed")
            }
        }
        // Nothing was changed by them.
        let rules = try await harness.request("GET", "/v1/scoring/rules/versions", as: ScoringHarness.admin)
        #expect((rules.json["versions"] as? [Any])?.count == 1)
    }

    @Test("score explanations: admin and in-scope manager/salesperson read; everyone else 404 or 403")
    func scoreMatrix() async throws {
        let harness = try await ScoringHarness.shared()
        let (inScope, outOfScope) = try await prepare(harness)
        let cases: [(Principal, inScope: Int, outOfScope: Int)] = [
            (Principal(id: "admin", role: .platformAdmin), 200, 200),
            (Principal(id: "mgr-loc", role: .manager, scope: AccessScope(locationIds: ["loc-in"])), 200, 404),
            (Principal(id: "mgr-team", role: .manager, scope: AccessScope(teamIds: ["team-in"])), 200, 404),
            (Principal(id: "mgr-none", role: .manager, scope: AccessScope(locationIds: ["loc-elsewhere"])), 404, 404),
            (Principal(id: "member-owner", role: .salesperson), 200, 404),
            (Principal(id: "member-helper", role: .salesperson), 200, 404),
            (Principal(id: "member-stranger", role: .salesperson), 404, 404),
            (Principal(id: "loc-contact", role: .locationContact, scope: AccessScope(locationIds: ["loc-in"])), 403, 403),
            (Principal(id: "src-website", role: .integrationSource, scope: AccessScope(sourceIds: ["src-website"])), 403, 403),
            (Principal(id: "bi", role: .downstreamReader), 403, 403),
        ]
        for (principal, expectedIn, expectedOut) in cases {
            let a = try await harness.request("GET", "/v1/scores/\(inScope)", as: principal)
            #expect(a.status == expectedIn, "\(principal) in scope: \(a.text)")
            let b = try await harness.request("GET", "/v1/scores/\(outOfScope)", as: principal)
            #expect(b.status == expectedOut, "\(principal) out of scope: \(b.text)")
            if expectedOut != 200 {
                #expect(!b.text.contains("factors") && !b.text.contains(outOfScope.description), "nothing about the lead leaks")
            }
            // Unknown leads look exactly like out-of-scope ones.
            let unknown = try await harness.request("GET", "/v1/scores/\(LeadID())", as: principal)
            #expect(unknown.status == (expectedOut == 403 ? 403 : 404))
        }
    }

    @Test("rules, model and rescore endpoints: platform admin only")
    func adminMatrix() async throws {
        let harness = try await ScoringHarness.shared()
        let started = try await harness.request("POST", "/v1/scoring/rescore", as: ScoringHarness.admin)
        let jobId = try #require(started.json["id"] as? String)
        let others = [
            Principal(id: "mgr", role: .manager, scope: AccessScope(locationIds: ["loc-in"], teamIds: ["team-in"])),
            Principal(id: "member-owner", role: .salesperson),
            Principal(id: "loc-contact", role: .locationContact, scope: AccessScope(locationIds: ["loc-in"])),
            Principal(id: "src-website", role: .integrationSource, scope: AccessScope(sourceIds: ["src-website"])),
            Principal(id: "bi", role: .downstreamReader),
        ]
        for endpoint in Self.adminEndpoints(jobId: jobId) {
            for principal in others {
                let response = try await call(harness, endpoint, headers: [
                    "authorization": TestAuth.bearer(try await TestAuth.token(principal)),
                ])
                #expect(response.status == 403, "\(principal) \(endpoint): \(response.status)")
                #expect(response.json["code"] as? String == "forbidden")
            }
            // The admin gets through (the bodies are chosen to be refused on their merits, not for access).
            let response = try await call(harness, endpoint, headers: [
                "authorization": TestAuth.bearer(try await TestAuth.token(ScoringHarness.admin)),
            ])
            #expect(![401, 403].contains(response.status), "admin \(endpoint): \(response.status) \(response.text)")
        }
        // None of the others changed the rules.
        let versions = try await harness.request("GET", "/v1/scoring/rules/versions", as: ScoringHarness.admin)
        #expect((versions.json["versions"] as? [Any])?.count == 1)
    }
}
