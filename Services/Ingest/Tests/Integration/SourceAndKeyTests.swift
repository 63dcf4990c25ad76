import Foundation
import LeadIntegrationSupport
import LeadModel
import LeadTestSupport
import Testing
@testable import LeadIngest

/// Sources and their API keys: hashed at rest, scoped to one source, revocable, rotatable with
/// both keys valid during the grace period; rate limits per source.
@Suite("Sources, API keys and rate limits (real PostgreSQL)")
struct SourceAndKeyTests {
    func lead() -> String { #"{"email":"\#(UUID().uuidString.prefix(10).lowercased())@example.com"}"# }

    @Test("wrong, malformed, missing and cross-source keys are refused")
    func keyFailures() async throws {
        let ingest = try await SharedIngest.get()
        let (source, key) = try await ingest.createSource()
        let (other, _) = try await ingest.createSource()
        #expect(try await ingest.post("/v1/leads", lead(), headers: [:]).status == 401)
        let wrong = try await ingest.post("/v1/leads", lead(), headers: ["x-api-key": String(key.dropLast(4)) + "AAAA"])
        #expect(wrong.status == 401)
        #expect(wrong.json["code"] as? String == "invalid_api_key")
        #expect(!wrong.text.contains(key))
        #expect(try await ingest.post("/v1/leads", lead(), headers: ["x-api-key": "hello"]).status == 401)
        let crossSource = try await ingest.post("/v1/leads", #"{"sourceId":"\#(other)","email":"x\#(UUID().uuidString.prefix(6))@example.com"}"#, headers: ["x-api-key": key])
        #expect(crossSource.status == 403)
        #expect(crossSource.json["code"] as? String == "source_mismatch")
        let own = try await ingest.post("/v1/leads", #"{"sourceId":"\#(source)","email":"y\#(UUID().uuidString.prefix(6))@example.com"}"#, headers: ["x-api-key": key])
        #expect(own.status == 202)
        // The key is stored only as a hash.
        let stored = try await ingest.query { client in
            var hashes: [String] = []
            for try await hash in try await client.query("SELECT encode(secret_hash, 'hex') FROM ingest.api_keys WHERE source_id = \(source)").decode(String.self) {
                hashes.append(hash)
            }
            return hashes
        }
        #expect(stored.count == 1)
        #expect(stored[0].count == 64 && !stored[0].contains(key))
        let listed = try await ingest.get("/v1/sources/\(source)/keys", headers: ingest.admin)
        #expect(listed.status == 200)
        #expect(!listed.text.contains(String(key.suffix(20))))
    }

    @Test("revoking a key stops it at once; disabling a source stops all its keys")
    func revocation() async throws {
        let ingest = try await SharedIngest.get()
        let (source, key) = try await ingest.createSource()
        #expect(try await ingest.post("/v1/leads", lead(), headers: ["x-api-key": key]).status == 202)
        let keyId = String(key.split(separator: "_")[1])
        let revoke = try await TestHTTP.request("DELETE", ingest.baseURL + "/v1/sources/\(source)/keys/\(keyId)", headers: ingest.admin)
        #expect(revoke.status == 204)
        #expect(try await ingest.post("/v1/leads", lead(), headers: ["x-api-key": key]).status == 401)
        let keys = try await ingest.get("/v1/sources/\(source)/keys", headers: ingest.admin)
        #expect((keys.json["keys"] as? [[String: Any]])?.first?["active"] as? Bool == false)

        let fresh = try await TestHTTP.postJSON(ingest.baseURL + "/v1/sources/\(source)/keys", #"{"label":"second"}"#, headers: ingest.admin)
        let second = try #require(fresh.json["apiKey"] as? String)
        #expect(try await ingest.post("/v1/leads", lead(), headers: ["x-api-key": second]).status == 202)
        #expect(try await TestHTTP.request("DELETE", ingest.baseURL + "/v1/sources/\(source)", headers: ingest.admin).status == 204)
        #expect(try await ingest.post("/v1/leads", lead(), headers: ["x-api-key": second]).status == 401)
    }

    @Test("source admin is for platform admins; ids and names are validated")
    func administration() async throws {
        let ingest = try await SharedIngest.get()
        let manager = try await IngestHarness.bearer(.manager, id: "m", locations: ["loc-a"])
        #expect(try await TestHTTP.postJSON(ingest.baseURL + "/v1/sources", #"{"id":"nope","name":"x"}"#, headers: manager).status == 403)
        #expect(try await ingest.get("/v1/sources", headers: manager).status == 403)
        let bad = try await TestHTTP.postJSON(ingest.baseURL + "/v1/sources", #"{"id":"../etc","name":"x"}"#, headers: ingest.admin)
        #expect(bad.status == 422)
        let id = TestEnvironment.uniqueName("dup")
        #expect(try await TestHTTP.postJSON(ingest.baseURL + "/v1/sources", #"{"id":"\#(id)","name":"x"}"#, headers: ingest.admin).status == 201)
        let again = try await TestHTTP.postJSON(ingest.baseURL + "/v1/sources", #"{"id":"\#(id)","name":"x"}"#, headers: ingest.admin)
        #expect(again.status == 409)
        #expect(again.json["code"] as? String == "source_exists")
        let list = try await ingest.get("/v1/sources", headers: ingest.admin)
        #expect((list.json["sources"] as? [[String: Any]])?.contains { $0["id"] as? String == id } == true)
        #expect(try await ingest.get("/v1/sources/no-such-source", headers: ingest.admin).status == 404)
    }
}
