import Foundation
import Testing
import LeadModel

@Suite("CloudEvents envelope")
struct EnvelopeTests {
    @Test func binaryModeHeaders() throws {
        let event = Fixtures.leadScored
        let envelope = try EventEnvelope(event, source: "/leadflow/scoring")
        #expect(envelope.topic == "leads.scored")
        #expect(envelope.key == Fixtures.leadId.description)
        let headers = envelope.headers
        #expect(headers["ce_specversion"] == "1.0")
        #expect(headers["ce_id"] == event.eventId.uuidString.lowercased())
        #expect(headers["ce_type"] == "io.leadflow.lead.scored.v1")
        #expect(headers["ce_source"] == "/leadflow/scoring")
        #expect(headers["ce_time"] == "2025-03-19T14:02:41.007Z")
        #expect(headers["ce_subject"] == Fixtures.leadId.description)
        #expect(headers["ce_dataschema"] == "https://leadflow.dev/schemas/leads.scored/v1.json")
        #expect(headers["content-type"] == "application/json")
    }

    @Test func receivedMessageDecodes() throws {
        let sent = try EventEnvelope(Fixtures.leadAssigned, source: "/leadflow/routing")
        let received = try EventEnvelope(topic: sent.topic, key: sent.key, headers: sent.headers, body: sent.body)
        #expect(received == sent)
        #expect(received.eventType == LeadAssigned.self)
        #expect(try received.decode(LeadAssigned.self) == Fixtures.leadAssigned)
        let error = #expect(throws: EnvelopeError.self) { try received.decode(LeadScored.self) }
        #expect(error?.code == .typeMismatch)
    }

    @Test func metricsHaveNoSubject() throws {
        let envelope = try EventEnvelope(Fixtures.metricsSnapshot, source: "/leadflow/analytics")
        #expect(envelope.key == "metrics")
        #expect(envelope.headers["ce_subject"] == nil)
    }

    @Test("missing or bad headers are reported with a stable code", arguments: [
        ("ce_type", nil, "missing_header"),
        ("ce_id", nil, "missing_header"),
        ("ce_specversion", "0.3", "unsupported_spec_version"),
        ("ce_time", "yesterday", "invalid_header"),
    ] as [(String, String?, String)])
    func badHeaders(name: String, value: String?, code: String) throws {
        let sent = try EventEnvelope(Fixtures.leadScored, source: "/leadflow/scoring")
        var headers = sent.headers
        headers[name] = value
        let error = #expect(throws: EnvelopeError.self) {
            try EventEnvelope(topic: sent.topic, key: sent.key, headers: headers, body: sent.body)
        }
        #expect(error?.code.rawValue == code)
    }
}
