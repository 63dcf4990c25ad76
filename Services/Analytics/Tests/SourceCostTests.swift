import Foundation
import LeadAnalytics
import LeadIntegrationSupport
import LeadModel
import LeadServiceKit
import LeadTestSupport
import Testing

extension ScriptedHistoryTests {
    @Test("source costs: environment defaults, admin overrides, and what ROI uses")
    func sourceCosts() async throws {
        let list = try await stack.get("/v1/analytics/source-costs", as: .admin)
        let costs = try #require(list.json["costs"] as? [[String: Any]])
        let bySource = Dictionary(uniqueKeysWithValues: costs.map { ($0["sourceId"] as! String, $0) })
        #expect(bySource["src-web"]?["origin"] as? String == "environment")
        #expect((bySource["src-meta"]?["costPerLead"] as? [String: Any])?["amount"] as? String == "25.5")
        #expect(bySource["src-adf"]?["origin"] as? String == "api")
        #expect(bySource["src-adf"]?["updatedBy"] as? String == "platform_admin:admin-1")

        let put = try await stack.request("PUT", "/v1/analytics/source-costs/src-free", token: stack.adminToken, body: #"{"costPerLead":"5.00"}"#)
        #expect(put.status == 200)
        let roi = try await stack.report("source-roi")
        #expect(roi.row("sources", "source", "src-free")?["cost"] as? String == "5")
        let delete = try await stack.request("DELETE", "/v1/analytics/source-costs/src-free", token: stack.adminToken)
        #expect(delete.status == 204)
        #expect(try await stack.report("source-roi").row("sources", "source", "src-free")?["cost"] is NSNull)
        #expect(try await stack.request("DELETE", "/v1/analytics/source-costs/src-free", token: stack.adminToken).status == 404)
    }

    @Test("hostile source-cost bodies are refused with problems", arguments: [
        (#"{"costPerLead": 12.5}"#, 422), (#"{"costPerLead": "-1"}"#, 422), (#"{"costPerLead": "1e9"}"#, 422),
        (#"{"costPerLead": "5", "currency": "US DOLLARS"}"#, 422), (#"{}"#, 422), ("not json", 400),
        (String(repeating: "[", count: 100), 400), ("{\"costPerLead\": \"" + String(repeating: "9", count: 10_000) + "\"}", 413),
    ])
    func hostileCostBodies(body: String, status: Int) async throws {
        let response = try await stack.request("PUT", "/v1/analytics/source-costs/src-hostile", token: stack.adminToken, body: body)
        #expect(response.status == status, "\(response.text)")
        #expect(response.headers["content-type"] == "application/problem+json")
        let invalidUTF8 = try await TestHTTP.request(
            "PUT", stack.service.baseURL + "/v1/analytics/source-costs/src-hostile",
            headers: ["authorization": TestAuth.bearer(stack.adminToken), "content-type": "application/json"],
            body: [0x7B, 0x22, 0xFF, 0xFE, 0x22, 0x7D])
        #expect(invalidUTF8.status == 400)
        #expect(!(try await stack.get("/v1/analytics/source-costs", as: .admin).text.contains("src-hostile")))
    }
}
