import Foundation
import LeadMessaging
import Testing

@Suite("CloudEvents Kafka binding (binary mode)")
struct CloudEventsTests {
    private func sample(time: Date = Date(), subject: String? = "lead-42") -> CloudEventAttributes {
        CloudEventAttributes(
            id: UUID().uuidString,
            type: "leadflow.lead.received.v1",
            source: "/leadflow/ingest",
            time: time,
            subject: subject,
            extensions: ["traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"]
        )
    }

    @Test("headers round trip to equal attributes")
    func roundTrip() throws {
        let attributes = sample()
        let parsed = try #require(CloudEventAttributes(headers: attributes.headers))
        #expect(parsed == attributes)
        #expect(parsed.extensions["traceparent"] == attributes.extensions["traceparent"])
    }

    @Test("header names and values follow the binding")
    func headerNames() {
        let time = Date(timeIntervalSince1970: 1_740_821_400.25)
        let headers = sample(time: time).headers
        let byKey = Dictionary(headers.map { ($0.key, $0.stringValue ?? "") }, uniquingKeysWith: { first, _ in first })
        #expect(byKey["ce_specversion"] == "1.0")
        #expect(byKey["ce_type"] == "leadflow.lead.received.v1")
        #expect(byKey["ce_source"] == "/leadflow/ingest")
        #expect(byKey["ce_subject"] == "lead-42")
        #expect(byKey["content-type"] == "application/json")
        #expect(byKey["ce_time"] == "2025-03-01T09:30:00.250Z")
        #expect(byKey["ce_traceparent"] != nil)
    }

    @Test("optional subject is omitted and parsed back as nil")
    func noSubject() throws {
        let attributes = sample(subject: nil)
        #expect(!attributes.headers.contains { $0.key == "ce_subject" })
        let parsed = try #require(CloudEventAttributes(headers: attributes.headers))
        #expect(parsed.subject == nil)
        #expect(parsed == attributes)
    }

    @Test("missing required attribute gives nil", arguments: ["ce_id", "ce_type", "ce_source", "ce_specversion", "ce_time"])
    func missingRequired(_ key: String) {
        let headers = sample().headers.filter { $0.key != key }
        #expect(CloudEventAttributes(headers: headers) == nil)
    }

    @Test("malformed time gives nil; other RFC 3339 forms parse")
    func timeForms() throws {
        var headers = sample().headers.filter { $0.key != "ce_time" }
        #expect(CloudEventAttributes(headers: headers + [KafkaHeader(key: "ce_time", string: "yesterday")]) == nil)

        headers.append(KafkaHeader(key: "ce_time", string: "2025-03-01T11:30:00+02:00"))
        let parsed = try #require(CloudEventAttributes(headers: headers))
        #expect(parsed.time == Date(timeIntervalSince1970: 1_740_821_400))
    }

    @Test("time survives the round trip at millisecond precision for many instants")
    func manyTimes() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            let seconds = Double.random(in: 0...4_102_444_800, using: &generator)
            let attributes = sample(time: Date(timeIntervalSince1970: seconds))
            let parsed = try #require(CloudEventAttributes(headers: attributes.headers))
            #expect(parsed.time == attributes.time)
            #expect(CloudEventAttributes(headers: parsed.headers) == parsed, "a second round trip changes nothing")
            #expect(abs(attributes.time.timeIntervalSince1970 - seconds) <= 0.0005 + 1e-6)
        }
    }

    @Test("KafkaHeader string helpers")
    func headerHelpers() {
        #expect(KafkaHeader(key: "k", string: "välue").stringValue == "välue")
        #expect(KafkaHeader(key: "k", value: nil).stringValue == nil)
        #expect(KafkaHeader(key: "k", value: [0xFF, 0xFE]).stringValue == nil)
    }
}
