import Foundation
import LeadIntegrationSupport
import LeadModel
import LeadTestSupport
import Testing
@testable import LeadIngest

/// The same person arriving again merges into their lead; a re-delivery changes nothing; two
/// instances racing on one person still make one lead.
@Suite("De-duplication (real Tansu + PostgreSQL)")
struct DeduplicationTests {
    func unique() -> String { UUID().uuidString.prefix(10).lowercased() }

    @Test("the same e-mail in another case merges as a duplicate inquiry")
    func sameEmail() async throws {
        let ingest = try await SharedIngest.get()
        let (_, key) = try await ingest.createSource()
        let local = "Mixed.Case.\(unique())"
        let first = try await ingest.post("/v1/leads", #"{"email":"\#(local)@Example.com","name":"Sam First"}"#, headers: ["x-api-key": key])
        let second = try await ingest.post("/v1/leads", #"{"email":"\#(local.uppercased())@EXAMPLE.COM","phone":"+1 614 555 \#(Int.random(in: 1000...9999))","vehicles":[{"make":"Kia","model":"EV9"}]}"#, headers: ["x-api-key": key])
        #expect(first.json["outcome"] as? String == "created")
        #expect(second.status == 202)
        #expect(second.json["outcome"] as? String == "merged")
        #expect(second.json["leadId"] as? String == first.json["leadId"] as? String)
        let leadId = try #require((first.json["leadId"] as? String).flatMap(LeadID.init))
        let events = await ingest.lifecycleEvents(for: leadId)
        guard case .duplicateInquiry(let inquiry)? = events.first?.change else {
            Issue.record("expected a duplicate inquiry, got \(events)")
            return
        }
        #expect(inquiry.matchedOn == [.email])
        #expect(inquiry.lead.vehiclesOfInterest.first?.vehicleType == "ev")
        #expect(events.first?.eventId.uuidString.lowercased() == second.json["eventId"] as? String)
        // ingest's own record absorbed the new phone and vehicle.
        let stored = try await ingest.query { client in
            var snapshot = ""
            for try await text in try await client.query("SELECT snapshot::text FROM ingest.leads WHERE id = \(leadId.uuid)").decode(String.self) { snapshot = text }
            return snapshot
        }
        #expect(stored.contains("EV9"))
    }

    @Test("the same phone in another format merges; matched on phone")
    func samePhone() async throws {
        let ingest = try await SharedIngest.get()
        let (_, key) = try await ingest.createSource()
        let digits = "\(Int.random(in: 2000...9999))"
        let first = try await ingest.post("/v1/leads", #"{"phone":"(614) 555-\#(digits)","name":"Phone One"}"#, headers: ["x-api-key": key])
        let second = try await ingest.post("/v1/leads", #"{"phones":[{"number":"+1.614.555.\#(digits)","type":"mobile"}],"email":"\#(unique())@example.com"}"#, headers: ["x-api-key": key])
        let third = try await ingest.post("/v1/leads", #"{"phone":"001 614 555 \#(digits) ext. 4"}"#, headers: ["x-api-key": key])
        #expect(first.json["outcome"] as? String == "created")
        #expect(second.json["outcome"] as? String == "merged")
        #expect(third.json["outcome"] as? String == "merged")
        #expect(Set([first, second, third].compactMap { $0.json["leadId"] as? String }).count == 1)
        let leadId = try #require((first.json["leadId"] as? String).flatMap(LeadID.init))
        let events = await ingest.lifecycleEvents(for: leadId, atLeast: 2)
        let matches = events.compactMap { event -> [DuplicateInquiry.Match]? in
            if case .duplicateInquiry(let inquiry) = event.change { return inquiry.matchedOn }
            return nil
        }
        #expect(matches == [[.phone], [.phone]])
    }

    @Test("a re-delivery of the same source-native id is acknowledged and changes nothing")
    func redelivery() async throws {
        let ingest = try await SharedIngest.get()
        let (_, key) = try await ingest.createSource()
        let body = #"{"externalId":"ext-\#(unique())","email":"\#(unique())@example.com"}"#
        let first = try await ingest.post("/v1/leads", body, headers: ["x-api-key": key])
        let again = try await ingest.post("/v1/leads", body.replacingOccurrences(of: "@example.com", with: "@other.example.com"), headers: ["x-api-key": key])
        #expect(first.json["outcome"] as? String == "created")
        #expect(again.status == 202)
        #expect(again.json["outcome"] as? String == "redelivered")
        #expect(again.json["eventId"] == nil)
        #expect(again.json["leadId"] as? String == first.json["leadId"] as? String)
        let leadId = try #require((first.json["leadId"] as? String).flatMap(LeadID.init))
        _ = await ingest.receivedEvent(for: leadId)
        try await Task.sleep(for: .milliseconds(300))
        #expect(ingest.lifecycle.events.compactMap(\.lifecycle).filter { $0.leadId == leadId }.isEmpty)
    }

    @Test("test leads never merge into real ones")
    func testLeadsApart() async throws {
        let ingest = try await SharedIngest.get()
        let email = "\(unique())@example.com"
        let real = try await ingest.post("/v1/leads", #"{"email":"\#(email)"}"#, headers: ingest.admin)
        let test = try await ingest.post("/v1/leads", #"{"email":"\#(email)","isTest":true}"#, headers: ingest.admin)
        #expect(real.json["outcome"] as? String == "created")
        #expect(test.json["outcome"] as? String == "created")
        #expect(real.json["leadId"] as? String != test.json["leadId"] as? String)
    }

    @Test("concurrent submissions of one person to two ingest instances make exactly one lead")
    func concurrentInstances() async throws {
        let first = try await IngestHarness.start("dedup")
        let second = try await IngestHarness.start("dedup", sharing: first)
        defer { Task { await second.stop(); await first.stop() } }
        let (_, key) = try await first.createSource()
        for round in 0..<3 {
            let email = "race-\(round)-\(unique())@example.com"
            let outcomes = try await withThrowingTaskGroup(of: (String, String).self) { group in
                for index in 0..<12 {
                    let instance = index % 2 == 0 ? first : second
                    let body = index % 3 == 0
                        ? #"{"email":"\#(email.uppercased())","name":"Racer \#(index)"}"#
                        : #"{"email":"\#(email)","name":"Racer \#(index)"}"#
                    group.addTask {
                        let response = try await instance.post("/v1/leads", body, headers: ["x-api-key": key])
                        return (response.json["outcome"] as? String ?? "status \(response.status)", response.json["leadId"] as? String ?? "")
                    }
                }
                var all: [(String, String)] = []
                for try await outcome in group { all.append(outcome) }
                return all
            }
            #expect(outcomes.filter { $0.0 == "created" }.count == 1, "\(outcomes)")
            #expect(outcomes.filter { $0.0 == "merged" }.count == 11, "\(outcomes)")
            #expect(Set(outcomes.map(\.1)).count == 1)
        }
    }
}
