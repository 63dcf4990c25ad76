import Foundation
import LeadIntegrationSupport
import LeadModel
import LeadServiceKit
import Testing

@Suite("Correlation ids from an intake request to the events it causes")
struct CorrelationPropagationTests {
    @Test("the caller's X-Correlation-ID is echoed and stamped on the lead's leads.received event")
    func intakeCarriesCorrelation() async throws {
        let ingest = try await SharedIngest.get()
        let (_, key) = try await ingest.createSource()
        let correlation = "feed-batch-\(UUID().uuidString.prefix(8).lowercased())"
        let body = #"{"name":"Cor Relation","email":"cor-\#(UUID().uuidString.prefix(8).lowercased())@example.com"}"#
        let response = try await ingest.post("/v1/leads", body, headers: ["x-api-key": key, "x-correlation-id": correlation])
        #expect(response.status == 202, "\(response.text)")
        #expect(response.headers["x-correlation-id"] == correlation)
        let leadId = try #require((response.json["leadId"] as? String).flatMap(LeadID.init))

        _ = await ingest.received.wait(timeout: .seconds(30)) { $0.contains { $0.received?.leadId == leadId } }
        let entry = try #require(ingest.received.all.first { $0.event?.received?.leadId == leadId })
        #expect(entry.message.header(Correlation.kafkaHeader) == correlation)
    }
}
