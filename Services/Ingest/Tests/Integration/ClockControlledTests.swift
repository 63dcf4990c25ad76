import Foundation
import LeadIntegrationSupport
import LeadModel
import LeadTestSupport
import Testing
@testable import LeadIngest

/// Behaviour that depends on time, on an instance whose clock the tests move: the
/// de-duplication window, API key rotation grace, per-source rate limits.
@Suite("Clock-controlled behaviour (real PostgreSQL)", .serialized)
struct ClockControlledTests {
    static let instance = Task { try await IngestHarness.start("clock", environment: ["LEADFLOW_INGEST_DEDUP_WINDOW_SECONDS": "3600"]) }

    func lead() -> String { #"{"email":"\#(UUID().uuidString.prefix(10).lowercased())@example.com"}"# }

    @Test("within the window the same person merges; after it, a new lead is made")
    func window() async throws {
        let ingest = try await Self.instance.value
        let email = "\(UUID().uuidString.prefix(10).lowercased())@example.com"
        let first = try await ingest.post("/v1/leads", #"{"email":"\#(email)"}"#, headers: ingest.admin)
        #expect(first.json["outcome"] as? String == "created")
        ingest.clock.advance(1800)
        let within = try await ingest.post("/v1/leads", #"{"email":"\#(email)"}"#, headers: ingest.admin)
        #expect(within.json["outcome"] as? String == "merged")
        ingest.clock.advance(3601)
        let after = try await ingest.post("/v1/leads", #"{"email":"\#(email)"}"#, headers: ingest.admin)
        #expect(after.json["outcome"] as? String == "created")
        #expect(after.json["leadId"] as? String != first.json["leadId"] as? String)
    }

    @Test("rotation: old and new key both work during the grace period, then only the new one")
    func rotation() async throws {
        let ingest = try await Self.instance.value
        let (source, old) = try await ingest.createSource()
        let rotated = try await TestHTTP.postJSON(ingest.baseURL + "/v1/sources/\(source)/keys/rotate", #"{"graceSeconds":600}"#, headers: ingest.admin)
        #expect(rotated.status == 201, "\(rotated.text)")
        let new = try #require(rotated.json["apiKey"] as? String)
        #expect(new != old)
        #expect(try await ingest.post("/v1/leads", lead(), headers: ["x-api-key": old]).status == 202)
        #expect(try await ingest.post("/v1/leads", lead(), headers: ["x-api-key": new]).status == 202)
        let keys = try await ingest.get("/v1/sources/\(source)/keys", headers: ingest.admin)
        #expect((keys.json["keys"] as? [[String: Any]])?.filter { $0["active"] as? Bool == true }.count == 2)
        ingest.clock.advance(601)
        let expired = try await ingest.post("/v1/leads", lead(), headers: ["x-api-key": old])
        #expect(expired.status == 401)
        #expect(expired.json["code"] as? String == "invalid_api_key")
        #expect(try await ingest.post("/v1/leads", lead(), headers: ["x-api-key": new]).status == 202)
    }

    @Test("a source over its rate gets 429 with Retry-After; other sources are unaffected; the bucket refills")
    func rateLimit() async throws {
        let ingest = try await Self.instance.value
        let (_, slow) = try await ingest.createSource(rateLimitPerMinute: 3)
        let (_, other) = try await ingest.createSource()
        var statuses: [Int] = []
        for _ in 0..<5 { statuses.append(try await ingest.post("/v1/leads", lead(), headers: ["x-api-key": slow]).status) }
        #expect(statuses == [202, 202, 202, 429, 429])
        let limited = try await ingest.post("/v1/leads", lead(), headers: ["x-api-key": slow])
        #expect(limited.json["code"] as? String == "rate_limited")
        #expect(Int(limited.headers["retry-after"] ?? "") ?? 0 >= 1)
        #expect(try await ingest.post("/v1/leads", lead(), headers: ["x-api-key": other]).status == 202)
        ingest.clock.advance(21)
        #expect(try await ingest.post("/v1/leads", lead(), headers: ["x-api-key": slow]).status == 202)
    }
}
