import Foundation
import Hummingbird
import HummingbirdTesting
import LeadMessaging
import LeadModel
import LeadServiceKit
import Testing

@Suite("Correlation ids through HTTP, events and consumed messages")
struct CorrelationTests {
    func makeApplication() -> some ApplicationProtocol {
        let router = Router(context: LeadflowRequestContext.self)
        router.middlewares.add(CorrelationMiddleware())
        router.middlewares.add(ProblemMiddleware())
        router.get("seen") { _, _ -> String in Correlation.id ?? "none" }
        router.get("fails") { _, _ -> String in
            throw Problem(status: .unprocessableContent, code: "invalid", detail: "no")
        }
        return Application(router: router)
    }

    @Test("a caller's safe X-Correlation-ID is used for the request and echoed")
    func callerId() async throws {
        try await makeApplication().test(.router) { client in
            try await client.execute(uri: "/seen", method: .get, headers: [Correlation.httpHeader: "order-42:a.b_c"]) { response in
                #expect(String(buffer: response.body) == "order-42:a.b_c")
                #expect(response.headers[Correlation.httpHeader] == "order-42:a.b_c")
            }
        }
    }

    @Test("a W3C traceparent gives its trace id; unsafe ids are replaced by a fresh one")
    func traceparentAndUnsafe() async throws {
        try await makeApplication().test(.router) { client in
            let traceparent = "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01"
            try await client.execute(uri: "/seen", method: .get, headers: [.init("traceparent")!: traceparent]) { response in
                #expect(String(buffer: response.body) == "4bf92f3577b34da6a3ce929d0e0e4736")
            }
            for hostile in ["a\r\nSet-Cookie: x=1", "<script>alert(1)</script>", String(repeating: "x", count: 500), "' OR 1=1 --"] {
                try await client.execute(uri: "/seen", method: .get, headers: [Correlation.httpHeader: hostile.replacingOccurrences(of: "\r\n", with: " ")]) { response in
                    let id = String(buffer: response.body)
                    #expect(id != hostile && UUID(uuidString: id) != nil)
                    #expect(response.headers[Correlation.httpHeader] == id)
                }
            }
        }
    }

    @Test("problem responses carry the correlation id too")
    func problemsCarryIt() async throws {
        try await makeApplication().test(.router) { client in
            try await client.execute(uri: "/fails", method: .get, headers: [Correlation.httpHeader: "req-1"]) { response in
                #expect(response.status == .unprocessableContent)
                #expect(response.headers[Correlation.httpHeader] == "req-1")
            }
        }
    }

    @Test("events recorded while handling work carry its correlation id, others start their own")
    func encoderStampsHeader() throws {
        let encoder = EventEncoder(source: "/leadflow/test")
        let event = LeadLifecycleEvent(
            eventId: UUID(), leadId: LeadID(), occurredAt: Date(timeIntervalSince1970: 1_700_000_000),
            actor: Actor(id: "ops", role: .system), change: .noteAdded(text: "hello")
        )
        let inherited = try Correlation.$id.withValue("corr-1") { try encoder.record(event) }
        #expect(inherited.headers.first { $0.key == Correlation.kafkaHeader }?.value == "corr-1")
        let fresh = try encoder.record(event)
        #expect(fresh.headers.first { $0.key == Correlation.kafkaHeader }?.value.lowercased() == event.eventId.uuidString.lowercased())
    }

    @Test("a consumed message's correlation id is its header, else its event id")
    func consumedMessage() {
        func message(_ headers: [KafkaHeader]) -> ConsumedMessage {
            ConsumedMessage(topic: "t", partition: 0, offset: 0, key: nil, value: [], headers: headers)
        }
        #expect(Correlation.of(message([KafkaHeader(key: "ce_id", string: "e-1"), KafkaHeader(key: "ce_correlationid", string: "c-1")])) == "c-1")
        #expect(Correlation.of(message([KafkaHeader(key: "ce_id", string: "e-1")])) == "e-1")
        #expect(Correlation.of(message([KafkaHeader(key: "ce_correlationid", string: "bad id\n")])).count == 36)
    }
}
