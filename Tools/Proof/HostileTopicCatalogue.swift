import Foundation
import LeadMessaging
import LeadModel

/// The topic half of the hostile catalogue: garbage on `leads.inbound` and on every event topic.
/// Each message carries a unique key; every consumer of its topic must dead-letter it with a code
/// and a reason (the original bytes kept), and go on with the next message.
struct HostileTopicCatalogue {
    var round: Int
    var maxBodyBytes: Int

    /// Who consumes each topic (and so must dead-letter garbage on it).
    static let consumers: [Topic: Set<String>] = [
        .inbound: ["ingest"],
        .received: ["scoring", "analytics"],
        .scored: ["routing", "analytics"],
        .assigned: ["ingest", "scoring", "notifier", "analytics"],
        .lifecycle: ["scoring", "routing", "notifier", "analytics"],
        .notificationOutcomes: ["analytics"],
    ]

    static let eventTypes: [Topic: String] = [
        .received: LeadReceived.eventType, .scored: LeadScored.eventType, .assigned: LeadAssigned.eventType,
        .lifecycle: LeadLifecycleEvent.eventType, .notificationOutcomes: NotificationOutcome.eventType,
    ]

    func all() -> [HostileCase] { inbound() + events() }

    private func key(_ label: String) -> String { "hostile-\(round)-\(label)-\(UUID().uuidString.prefix(8).lowercased())" }

    private func message(_ topic: Topic, _ name: String, _ value: [UInt8], _ headers: [KafkaHeader]) -> HostileCase {
        HostileCase(channel: "topic \(topic.name)", name: name,
                    input: .topic(topic: topic.name, key: key(topic.name), value: value, headers: headers),
                    expect: .deadLetters(stages: Self.consumers[topic] ?? []))
    }

    private func inbound() -> [HostileCase] {
        func feed(_ type: String?, source: String? = "src-demo") -> [KafkaHeader] {
            var headers: [KafkaHeader] = []
            if let type { headers.append(KafkaHeader(key: "content-type", string: type)) }
            if let source { headers.append(KafkaHeader(key: "leadflow-source", string: source)) }
            return headers
        }
        var random = SystemRandomNumberGenerator()
        let json = "application/json", xml = "application/xml"
        let laughs = "<?xml version=\"1.0\"?><!DOCTYPE l [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">]><adf><prospect><customer><contact><name part=\"full\">&c;</name><email>x@example.com</email></contact></customer></prospect></adf>"
        return [
            message(.inbound, "random bytes", (0..<2048).map { _ in UInt8.random(in: 0...255, using: &random) }, feed("application/octet-stream")),
            message(.inbound, "random bytes as JSON", (0..<2048).map { _ in UInt8.random(in: 0...255, using: &random) }, feed(json)),
            message(.inbound, "empty message", [], feed(json)),
            message(.inbound, "invalid UTF-8 JSON", Array("{\"email\":\"".utf8) + [0xC3, 0x28] + Array("@example.com\"}".utf8), feed(json)),
            message(.inbound, "JSON array", Array("[1,2,3]".utf8), feed(json)),
            message(.inbound, "unknown fields", Array("{\"email\":\"a@example.com\",\"isAdmin\":true}".utf8), feed(json)),
            message(.inbound, "no contact", Array("{\"name\":\"Nobody\"}".utf8), feed(json)),
            message(.inbound, "deep nesting", Array((String(repeating: "[", count: 50_000) + String(repeating: "]", count: 50_000)).utf8), feed(json)),
            message(.inbound, "bad e-mail with CRLF", Array("{\"email\":\"a@example.com\\r\\nBcc: v@example.com\"}".utf8), feed(json)),
            message(.inbound, "unknown content type", Array("{\"email\":\"a@example.com\"}".utf8), feed("application/x-msdownload")),
            message(.inbound, "billion laughs", Array(laughs.utf8), feed(xml)),
            message(.inbound, "XXE", Array("<?xml version=\"1.0\"?><!DOCTYPE adf [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><adf><prospect><customer><contact><name>&x;</name><email>x@example.com</email></contact></customer></prospect></adf>".utf8), feed(xml)),
            message(.inbound, "broken XML", Array("<adf><prospect><customer>".utf8), feed(xml)),
            message(.inbound, "Meta object garbage", Array("{\"field_data\":5}".utf8), feed("application/vnd.meta.lead+json")),
            message(.inbound, "Google without columns", Array("{\"lead_id\":\"x\"}".utf8), feed("application/vnd.google.lead+json")),
            message(.inbound, "over the size limit", Array(("{\"email\":\"a@example.com\",\"comments\":\"" + String(repeating: "x", count: maxBodyBytes + 100) + "\"}").utf8), feed(json)),
            message(.inbound, "source header with injection and CR/LF", Array("{\"email\":\"a@example.com\"}".utf8), feed(json, source: "x' OR '1'='1\r\nX-Injected: 1")),
            message(.inbound, "source header of 100 chars", Array("{\"email\":\"a@example.com\"}".utf8), feed(json, source: String(repeating: "s", count: 100))),
            message(.inbound, "invalid UTF-8 header", Array("{\"email\":\"a@example.com\"}".utf8), [KafkaHeader(key: "content-type", value: [0xFF, 0xFE, 0x00])]),
        ]
    }

    private func events() -> [HostileCase] {
        var cases: [HostileCase] = []
        for topic in [Topic.received, .scored, .assigned, .lifecycle, .notificationOutcomes] {
            let type = Self.eventTypes[topic]!
            func envelope(type: String? = type, id: String? = UUID().uuidString.lowercased(), time: String? = LeadflowJSON.formatDate(Date()),
                          spec: String? = "1.0", contentType: String? = "application/json") -> [KafkaHeader] {
                var headers: [KafkaHeader] = []
                if let spec { headers.append(KafkaHeader(key: "ce_specversion", string: spec)) }
                if let id { headers.append(KafkaHeader(key: "ce_id", string: id)) }
                if let type { headers.append(KafkaHeader(key: "ce_type", string: type)) }
                headers.append(KafkaHeader(key: "ce_source", string: "/hostile"))
                if let time { headers.append(KafkaHeader(key: "ce_time", string: time)) }
                if let contentType { headers.append(KafkaHeader(key: "content-type", string: contentType)) }
                return headers
            }
            let wrongType = topic == .received ? LeadScored.eventType : LeadReceived.eventType
            cases += [
                message(topic, "no CloudEvents headers", Array("{\"hello\":\"world\"}".utf8), []),
                message(topic, "unknown ce_type", Array("{}".utf8), envelope(type: "io.evil.payload.v1")),
                message(topic, "ce_type of another topic", Array("{}".utf8), envelope(type: wrongType)),
                message(topic, "garbage body", Array("\u{0001}\u{0002}not json at all".utf8), envelope()),
                message(topic, "valid JSON, wrong schema", Array("{\"hello\":\"world\",\"leadId\":42}".utf8), envelope()),
                message(topic, "ce_time garbage", Array("{}".utf8), envelope(time: "the day after tomorrow")),
                message(topic, "ce_specversion 0.3", Array("{}".utf8), envelope(spec: "0.3")),
                message(topic, "empty value", [], envelope()),
            ]
        }
        return cases
    }
}
