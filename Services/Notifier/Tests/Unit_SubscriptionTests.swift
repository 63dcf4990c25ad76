import Crypto
import Foundation
import LeadModel
import Testing

@testable import LeadNotifier

@Suite("Subscriptions core: filters, payloads, signatures, backoff, pausing, validation")
struct SubscriptionCoreTests {
    let now = try! Date("2030-01-02T03:04:05Z", strategy: .iso8601)
    let lead = LeadID()

    func response(_ from: LocationResponseStatus, _ to: LocationResponseStatus, location: String = "loc-1") -> AnyLeadflowEvent {
        .lifecycle(LeadLifecycleEvent(leadId: lead, occurredAt: now, actor: .system("ingest"), change: .locationResponseChanged(
            locationId: location, from: from, to: to, note: nil, followUpDelay: nil)))
    }

    func lifecycle(_ change: LifecycleChange) -> AnyLeadflowEvent {
        .lifecycle(LeadLifecycleEvent(leadId: lead, occurredAt: now, actor: .system("ingest"), change: change))
    }

    func subscribed(_ event: AnyLeadflowEvent, source: String? = "src-a", location: String? = nil) -> SubscribedEvent {
        SubscribedEvent(event, facts: .init(sourceId: source, locationId: location))!
    }

    @Test("an accepted → won filter matches exactly the location responses from accepted to won")
    func acceptedToWon() {
        let filter = SubscriptionFilter(statusChanges: [StatusTransition(status: .locationResponse, from: "accepted", to: "won")])
        #expect(filter.matches(subscribed(response(.accepted, .won))))
        #expect(!filter.matches(subscribed(response(.acknowledged, .accepted))))
        #expect(!filter.matches(subscribed(response(.won, .complete))))
        #expect(!filter.matches(subscribed(response(.accepted, .lost))))
        // Status changes of another kind with the same values, and events that are not status changes.
        #expect(!filter.matches(subscribed(lifecycle(.pipelineStatusChanged(pipelineId: "default", from: "accepted", to: "won", lostReason: nil, note: nil)))))
        #expect(!filter.matches(subscribed(lifecycle(.noteAdded(text: "call back")))))
        let received = LeadReceived(occurredAt: now, lead: Events.lead(owner: "m", location: nil, at: now),
                                    intake: Intake(channel: .json, sourceId: "src-a", receivedAt: now), actor: .system("ingest"))
        #expect(!filter.matches(SubscribedEvent(.received(received), facts: .init())!))
    }

    @Test("event types narrow, lead.lifecycle is every lifecycle change, transitions only constrain status changes")
    func eventTypes() {
        let typed = SubscriptionFilter(eventTypes: ["lead.lifecycle.note_added", "lead.lifecycle.location_response_changed"],
                                       statusChanges: [StatusTransition(to: "won")])
        #expect(typed.matches(subscribed(lifecycle(.noteAdded(text: "x")))))
        #expect(typed.matches(subscribed(response(.accepted, .won))))
        #expect(!typed.matches(subscribed(response(.acknowledged, .accepted))))
        #expect(!typed.matches(subscribed(lifecycle(.erased))))
        let wildcard = SubscriptionFilter(eventTypes: ["lead.lifecycle"])
        #expect(wildcard.matches(subscribed(lifecycle(.erased))))
        #expect(wildcard.matches(subscribed(response(.accepted, .won))))
        let scored = AnyLeadflowEvent.scored(LeadScored(leadId: lead, occurredAt: now, score: 70, previousScore: 20, rulesVersion: 1,
                                                        factors: [], causationEventId: UUID()))
        #expect(!wildcard.matches(subscribed(scored)))
        #expect(SubscriptionFilter().matches(subscribed(scored)))
        #expect(SubscriptionFilter(eventTypes: ["lead.scored"]).matches(subscribed(scored)))
    }

    @Test("sources and locations: the lead must be known to be in them; a location response counts for its location")
    func sourcesAndLocations() {
        let filter = SubscriptionFilter(sources: ["src-a"], locations: ["loc-1"])
        #expect(filter.matches(subscribed(response(.accepted, .won, location: "loc-1"), location: "loc-9")))
        #expect(!filter.matches(subscribed(response(.accepted, .won, location: "loc-2"))))
        #expect(!filter.matches(subscribed(response(.accepted, .won), source: "src-b")))
        #expect(!filter.matches(subscribed(response(.accepted, .won), source: nil)))
        #expect(filter.matches(subscribed(lifecycle(.noteAdded(text: "x")), location: "loc-1")))
        #expect(!filter.matches(subscribed(lifecycle(.noteAdded(text: "x")), location: nil)))
    }

    @Test("the payload carries the type, old and new values and the original event as on its topic")
    func payload() throws {
        let event = subscribed(response(.accepted, .won))
        #expect(event.changes == [ValueChange(field: "locationResponse", from: "accepted", to: "won")])
        let deliveryId = UUID(), subscriptionId = UUID()
        let bytes = try SubscriptionPayload(deliveryId: deliveryId, subscriptionId: subscriptionId, event: event).encoded()
        let json = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        #expect(json["type"] as? String == "lead.lifecycle.location_response_changed")
        #expect(json["deliveryId"] as? String == deliveryId.uuidString.lowercased() && json["subscriptionId"] as? String == subscriptionId.uuidString.lowercased())
        #expect((json["changes"] as? [[String: Any]])?.first?["from"] as? String == "accepted")
        let original = try #require(json["event"] as? [String: Any])
        #expect((original["change"] as? [String: Any])?["kind"] as? String == "location_response_changed")
        #expect(original["leadId"] as? String == lead.description)
        let assigned = SubscribedEvent(.assigned(LeadAssigned(leadId: lead, occurredAt: now, locationId: "loc-2", ownerId: "m-2",
                                                              previousOwnerId: "m-1", previousLocationId: "loc-1", strategy: .manual,
                                                              reason: "x", causationEventId: UUID())), facts: .init())!
        #expect(assigned.changes.contains(ValueChange(field: "ownerId", from: "m-1", to: "m-2")))
        #expect(assigned.locationId == "loc-2")
    }

    @Test("signature: Stripe-style t=,v1= HMAC-SHA256 over \"<t>.<body>\", verifiable by a receiver; tampering fails")
    func signature() throws {
        let body = Array(#"{"type":"lead.lifecycle.location_response_changed"}"#.utf8)
        let secret = "whsec-0123456789abcdef"
        let id = UUID()
        let headers = Dictionary(uniqueKeysWithValues: SubscriptionHeaders.make(
            deliveryId: id, subscriptionId: UUID(), eventId: UUID(), eventType: "x", attempt: 3, body: body, secret: secret,
            timestamp: 1_900_000_000))
        let signature = try #require(headers["Leadflow-Signature"])
        let expected = HMAC<SHA256>.authenticationCode(for: Array("1900000000.".utf8) + body, using: SymmetricKey(data: Data(secret.utf8)))
        #expect(signature == "t=1900000000,v1=" + expected.map { String(format: "%02x", $0) }.joined())
        #expect(headers["Leadflow-Delivery-Id"] == id.uuidString.lowercased() && headers["Idempotency-Key"] == id.uuidString.lowercased())
        #expect(headers["Leadflow-Timestamp"] == "1900000000" && headers["Leadflow-Attempt"] == "3")
        #expect(!headers.values.contains { $0.contains(secret) })
        let signer = WebhookSigner()
        #expect(signer.verify(header: signature, body: body, secret: secret, now: 1_900_000_100))
        #expect(!signer.verify(header: signature, body: body + [0x20], secret: secret, now: 1_900_000_100))
        #expect(!signer.verify(header: signature, body: body, secret: secret + "x", now: 1_900_000_100))
        #expect(!signer.verify(header: signature, body: body, secret: secret, now: 1_900_001_000))
    }

    @Test("backoff doubles from the base up to the cap, with equal jitter from the injected random source")
    func backoff() {
        let policy = SubscriptionDeliveryPolicy(baseDelay: 1, maxDelay: 60, pauseAfterFailures: 5, pauseAfterFailingFor: 600)
        #expect((1...8).map { policy.retryDelay(afterAttempt: $0, random: 1) } == [1, 2, 4, 8, 16, 32, 60, 60])
        #expect((1...8).map { policy.retryDelay(afterAttempt: $0, random: 0) } == [0.5, 1, 2, 4, 8, 16, 30, 30])
        #expect(policy.retryDelay(afterAttempt: 3, random: 0.5) == 3)
        #expect(policy.retryDelay(afterAttempt: 10_000, random: 1) == 60)
        #expect(policy.retryDelay(afterAttempt: 2, random: 7) == 2)  // out-of-range randoms are clamped
    }

    @Test("a subscription pauses after N failures in a row or after failing for M seconds")
    func pausing() {
        let policy = SubscriptionDeliveryPolicy(baseDelay: 1, maxDelay: 60, pauseAfterFailures: 5, pauseAfterFailingFor: 600)
        #expect(policy.pauseReason(consecutiveFailures: 4, failingSince: now, now: now.addingTimeInterval(599)) == nil)
        #expect(policy.pauseReason(consecutiveFailures: 5, failingSince: now, now: now) == "failed 5 times in a row")
        #expect(policy.pauseReason(consecutiveFailures: 2, failingSince: now, now: now.addingTimeInterval(600)) == "failing for 600 seconds")
    }

    @Test("target URLs: http(s) with a host only; credentials, other schemes and hostile strings are refused")
    func urls() {
        for good in ["https://dms.example.com/hooks/leadflow", "http://127.0.0.1:9000/x?y=1", "https://[::1]:8443/h"] {
            #expect(SubscriptionValidation.urlProblem(good) == nil, "\(good)")
        }
        for bad in [
            "ftp://example.com/x", "javascript:alert(1)", "file:///etc/passwd", "gopher://x", "https://", "/relative",
            "https://user:pass@example.com/x", "https://token@example.com/x", "https://example.com/x#frag",
            "https://exa mple.com/", "https://example.com/\r\nX-Injected: 1", "https://example.com/\u{0}",
            "https://example.com\\@evil.com/", "https://example.com/" + String(repeating: "a", count: 2100), "",
        ] {
            #expect(SubscriptionValidation.urlProblem(bad) != nil, "\(bad.prefix(60))")
        }
    }

    @Test("input: secret required on create and 16–256 bytes, event types known, status values valid, ids safe")
    func input() throws {
        func problems(_ json: String, creating: Bool = true) throws -> [String] {
            let input = try JSONDecoder().decode(SubscriptionInput.self, from: Data(json.utf8))
            return SubscriptionValidation.problems(of: input, creating: creating).map { "\($0.field) \($0.rule)" }
        }
        #expect(try problems(#"{"url":"https://x.example/h","secret":"0123456789abcdef"}"#).isEmpty)
        #expect(try problems(#"{"url":"https://x.example/h"}"#) == ["/secret required"])
        #expect(try problems(#"{"url":"https://x.example/h"}"#, creating: false).isEmpty)
        #expect(try problems(#"{"url":"https://x.example/h","secret":"short"}"#) == ["/secret length"])
        #expect(try problems(#"{"secret":"0123456789abcdef"}"#) == ["/url required"])
        #expect(try problems(#"{"url":"https://x.example/h","secret":"0123456789abcdef","eventTypes":["lead.exploded"]}"#) == ["/eventTypes/0 enum"])
        #expect(try problems(#"{"url":"https://x.example/h","secret":"0123456789abcdef","statusChanges":[{"status":"location_response","from":"accepted","to":"sold"}]}"#)
                == ["/statusChanges/0/to enum"])
        #expect(try problems(#"{"url":"https://x.example/h","secret":"0123456789abcdef","statusChanges":[{"from":"'; DROP TABLE x;--"}]}"#)
                == ["/statusChanges/0/from enum"])
        #expect(try problems(#"{"url":"https://x.example/h","secret":"0123456789abcdef","sources":["src ok?"],"locations":["loc-1"]}"#)
                == ["/sources/0 format"])
        #expect(try problems(#"{"url":"https://x.example/h","secret":"0123456789abcdef","name":"bell\u0007"}"#) == ["/name format"])
    }
}
