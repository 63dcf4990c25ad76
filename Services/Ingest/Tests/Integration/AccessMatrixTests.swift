import Foundation
import LeadIntegrationSupport
import LeadModel
import LeadServiceKit
import LeadTestSupport
import Testing
@testable import LeadIngest

/// Every ingest endpoint with every kind of caller: the unauthenticated ones get 401 everywhere;
/// each role in and out of scope gets its status; out-of-scope data never appears in a response.
@Suite("Access matrix over every ingest endpoint (real PostgreSQL)")
struct AccessMatrixTests {
    /// The kinds of callers, besides the unauthenticated ones.
    enum Role: String, CaseIterable {
        case admin, managerIn, managerOut, ownerSalesperson, otherSalesperson, locationContact, reader, integration, otherIntegration
    }

    struct Endpoint {
        let name: String
        let method: String
        let path: String
        let body: String?
        let contentType: String
        /// The statuses each role may get; roles not listed must get exactly 403.
        let allowed: [Role: Set<Int>]
        /// Statuses for roles not in `allowed` (403 unless the endpoint hides the resource: 404).
        let denied: Set<Int>

        init(_ name: String, _ method: String, _ path: String, body: String? = nil, contentType: String = "application/json",
             allowed: [Role: Set<Int>], denied: Set<Int> = [403]) {
            self.name = name
            self.method = method
            self.path = path
            self.body = body
            self.contentType = contentType
            self.allowed = allowed
            self.denied = denied
        }
    }

    @Test("the matrix")
    func matrix() async throws {
        let ingest = try await SharedIngest.get()
        let location = "loc-matrix"
        let secretEmail = "matrix-secret-\(UUID().uuidString.prefix(8).lowercased())@example.com"
        let secretName = "Zebulon Matrixperson"
        let (ownSource, apiKey) = try await ingest.createSource()
        let (otherSource, otherKey) = try await ingest.createSource()
        // The lead every command targets: at the location, owned by member-owner.
        let sales = try await IngestHarness.bearer(.salesperson, id: "member-owner")
        let created = try await ingest.post("/v1/leads", #"{"manual":{"kind":"phone"},"name":"\#(secretName)","email":"\#(secretEmail)","locationId":"\#(location)"}"#, headers: sales)
        let leadId = try #require((created.json["leadId"] as? String).flatMap(LeadID.init), "\(created.text)")
        // An import to look at.
        let importJob = try await ingest.post("/v1/leads/import", "email\nimport-\(UUID().uuidString.prefix(6))@example.com\n", headers: ingest.admin, contentType: "text/csv")
        let importId = try #require(importJob.json["id"] as? String, "\(importJob.text)")
        let (keySource, _) = try await ingest.createSource()

        var callers: [Role: [String: String]] = [:]
        callers[.admin] = ingest.admin
        callers[.managerIn] = try await IngestHarness.bearer(.manager, id: "mgr-in", locations: [location])
        callers[.managerOut] = try await IngestHarness.bearer(.manager, id: "mgr-out", locations: ["loc-elsewhere"])
        callers[.ownerSalesperson] = sales
        callers[.otherSalesperson] = try await IngestHarness.bearer(.salesperson, id: "member-other")
        callers[.locationContact] = try await IngestHarness.bearer(.locationContact, id: "contact-1", locations: [location])
        callers[.reader] = try await IngestHarness.bearer(.downstreamReader, id: "bi")
        callers[.integration] = ["x-api-key": apiKey]
        callers[.otherIntegration] = ["x-api-key": otherKey]
        _ = ownSource
        _ = otherSource

        func lead() -> String { #"{"email":"m-\#(UUID().uuidString.prefix(8))@example.com"}"# }
        let accepted: Set<Int> = [202]
        let changes: Set<Int> = [202, 409, 422]  // allowed callers: the change applies or the lead's state refuses it
        let leadPath = "/v1/leads/\(leadId)"
        let leadRoles: [Role: Set<Int>] = [.admin: changes, .managerIn: changes, .ownerSalesperson: changes, .managerOut: [404], .otherSalesperson: [404]]
        let adminOnly: (Set<Int>) -> [Role: Set<Int>] = { [.admin: $0] }
        let adf = "<adf><prospect><customer><contact><email>adf-\(UUID().uuidString.prefix(6))@example.com</email></contact></customer></prospect></adf>"
        let signature = [401]  // webhooks authenticate by signature or key: a bearer token or API key is not enough

        let endpoints: [Endpoint] = [
            Endpoint("intake JSON", "POST", "/v1/leads", body: lead(), allowed: [
                .admin: accepted, .managerIn: accepted, .managerOut: accepted, .ownerSalesperson: accepted, .otherSalesperson: accepted,
                .integration: accepted, .otherIntegration: accepted]),
            Endpoint("intake ADF", "POST", "/v1/leads/adf", body: adf, contentType: "application/xml", allowed: [
                .admin: accepted, .integration: accepted, .otherIntegration: accepted]),
            Endpoint("CSV import", "POST", "/v1/leads/import", body: "email\nimp-\(UUID().uuidString.prefix(6))@example.com\n", contentType: "text/csv", allowed: [
                .admin: accepted, .integration: accepted, .otherIntegration: accepted]),
            Endpoint("import status", "GET", "/v1/imports/\(importId)", allowed: [.admin: [200]], denied: [404]),
            Endpoint("meta handshake", "GET", "/v1/webhooks/meta?hub.mode=subscribe&hub.challenge=1", allowed: Dictionary(uniqueKeysWithValues: Role.allCases.map { ($0, Set(signature)) })),
            Endpoint("meta webhook", "POST", "/v1/webhooks/meta", body: #"{"object":"page","entry":[]}"#, allowed: Dictionary(uniqueKeysWithValues: Role.allCases.map { ($0, Set(signature)) })),
            Endpoint("google webhook", "POST", "/v1/webhooks/google", body: #"{"lead_id":"x","user_column_data":[]}"#, allowed: Dictionary(uniqueKeysWithValues: Role.allCases.map { ($0, Set(signature)) })),
            Endpoint("list sources", "GET", "/v1/sources", allowed: adminOnly([200])),
            Endpoint("create source", "POST", "/v1/sources", body: #"{"id":"\#(TestEnvironment.uniqueName("mx"))","name":"x"}"#, allowed: adminOnly([201])),
            Endpoint("get source", "GET", "/v1/sources/\(keySource)", allowed: adminOnly([200])),
            Endpoint("list keys", "GET", "/v1/sources/\(keySource)/keys", allowed: adminOnly([200])),
            Endpoint("issue key", "POST", "/v1/sources/\(keySource)/keys", body: "{}", allowed: adminOnly([201])),
            Endpoint("rotate keys", "POST", "/v1/sources/\(keySource)/keys/rotate", body: #"{"graceSeconds":60}"#, allowed: adminOnly([201])),
            Endpoint("revoke key", "DELETE", "/v1/sources/\(keySource)/keys/000000000000", allowed: adminOnly([404])),
            Endpoint("disable source", "DELETE", "/v1/sources/no-such-source-\(UUID().uuidString.prefix(4))", allowed: adminOnly([404])),
            Endpoint("stage", "POST", leadPath + "/stage", body: #"{"to":"quote"}"#, allowed: leadRoles),
            Endpoint("status", "POST", leadPath + "/status", body: #"{"to":"contacted"}"#, allowed: leadRoles),
            Endpoint("location response", "POST", leadPath + "/location-response", body: #"{"to":"acknowledged"}"#, allowed: leadRoles),
            Endpoint("note", "POST", leadPath + "/notes", body: #"{"text":"matrix"}"#, allowed: leadRoles),
            Endpoint("activity", "POST", leadPath + "/activities", body: #"{"kind":"email"}"#, allowed: leadRoles),
            Endpoint("task", "POST", leadPath + "/tasks", body: #"{"title":"t","dueAt":"2030-01-01T00:00:00Z"}"#, allowed: leadRoles),
            Endpoint("task completion", "POST", leadPath + "/tasks/unknown-task/complete", body: #"{"comment":"c"}"#,
                     allowed: [.admin: [404], .managerIn: [404], .ownerSalesperson: [404], .managerOut: [404], .otherSalesperson: [404]]),
            Endpoint("appointment", "POST", leadPath + "/appointments", body: #"{"at":"2030-01-01T10:00:00Z"}"#, allowed: leadRoles),
            Endpoint("appointment outcome", "POST", leadPath + "/appointments/unknown/outcome", body: #"{"kept":true}"#,
                     allowed: [.admin: [404], .managerIn: [404], .ownerSalesperson: [404], .managerOut: [404], .otherSalesperson: [404]]),
            Endpoint("vehicle", "POST", leadPath + "/vehicles", body: #"{"make":"Ford"}"#, allowed: leadRoles),
            Endpoint("trade-in", "POST", leadPath + "/trade-ins", body: #"{"make":"Ford"}"#, allowed: leadRoles),
            Endpoint("collaborators", "POST", leadPath + "/collaborators", body: #"{"add":["member-x"]}"#, allowed: leadRoles),
            Endpoint("assignment", "POST", leadPath + "/assignment", body: #"{"ownerId":"member-owner","note":"n"}"#,
                     allowed: [.admin: changes, .managerIn: changes, .ownerSalesperson: [403], .managerOut: [404], .otherSalesperson: [404]]),
            Endpoint("conversion", "POST", leadPath + "/conversion", body: #"{"finalPrice":"100"}"#, allowed: leadRoles),
            Endpoint("action link", "GET", "/v1/actions/not-a-link", allowed: Dictionary(uniqueKeysWithValues: Role.allCases.map { ($0, Set([401])) })),
            Endpoint("openapi", "GET", "/v1/openapi.json", allowed: Dictionary(uniqueKeysWithValues: Role.allCases.map { ($0, Set([200])) })),
            // Last: erasure changes the lead for good.
            Endpoint("erase", "DELETE", leadPath,
                     allowed: [.admin: changes, .managerIn: changes, .ownerSalesperson: [403], .managerOut: [404], .otherSalesperson: [404]]),
        ]

        let unauthenticated = try await AccessMatrix.unauthenticatedCallers()
        var failures: [String] = []
        for endpoint in endpoints {
            for caller in unauthenticated {
                let response = try await request(ingest, endpoint, headers: caller.headers)
                if response.status != 401 { failures.append("\(endpoint.name) as \(caller): \(response.status)") }
                if response.headers["content-type"] != "application/problem+json" { failures.append("\(endpoint.name) as \(caller): not a problem") }
            }
            // The denied first, so state-changing calls of allowed roles do not change what they see.
            for role in Role.allCases.sorted(by: { (endpoint.allowed[$0] == nil ? 0 : 1) < (endpoint.allowed[$1] == nil ? 0 : 1) }) {
                let response = try await request(ingest, endpoint, headers: callers[role]!)
                let expected = endpoint.allowed[role] ?? endpoint.denied
                if !expected.contains(response.status) {
                    failures.append("\(endpoint.name) as \(role): \(response.status), expected \(expected.sorted()) — \(response.text.prefix(200))")
                }
                let sees = [.admin, .managerIn, .ownerSalesperson].contains(role)
                if !sees, response.text.contains(secretEmail) || response.text.contains("Zebulon") {
                    failures.append("\(endpoint.name) as \(role): out-of-scope data in the response")
                }
            }
        }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }

    func request(_ ingest: IngestHarness, _ endpoint: Endpoint, headers: [String: String]) async throws -> TestHTTPResponse {
        var all = headers
        if endpoint.body != nil { all["content-type"] = endpoint.contentType }
        return try await TestHTTP.request(endpoint.method, ingest.baseURL + endpoint.path, headers: all, body: endpoint.body.map { Array($0.utf8) })
    }
}
