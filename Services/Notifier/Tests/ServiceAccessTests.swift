import Foundation
import LeadIntegrationSupport
import LeadMessaging
import LeadModel
import LeadServiceKit
import LeadTestSupport
import Testing

@testable import LeadNotifier

extension NotifierServiceTests {
    @Suite("Access control over every endpoint")
    struct Access {
        /// One endpoint and what each caller must get.
        struct Endpoint: Sendable, CustomStringConvertible {
            let method: String
            let path: String
            let body: String?
            /// Expected status per caller name; callers not listed get 403.
            let expected: [String: Int]
            /// Runs before each call (recreates what a previous caller deleted); may return the path to use.
            let prepare: (@Sendable () async throws -> String?)?

            init(_ method: String, _ path: String, body: String? = nil, _ expected: [String: Int],
                 prepare: (@Sendable () async throws -> String?)? = nil) {
                self.method = method
                self.path = path
                self.body = body
                self.expected = expected
                self.prepare = prepare
            }

            var description: String { "\(method) \(path)" }
        }

        @Test("unauthenticated callers get 401, roles in and out of scope get what they may, lists hold only what is in scope")
        func matrix() async throws {
            let stack = try NotifierStack.shared
            let s = uniqueSuffix()
            let (location, otherLocation) = ("loc-m-\(s)", "loc-x-\(s)")
            let (owner, contact, stranger) = ("member-m1-\(s)", "contact-m-\(s)", "member-x-\(s)")
            try await stack.putRecipient(owner, #"{"kind":"member","name":"Mo One","email":"m1.\#(s)@example.com","locationId":"\#(location)"}"#)
            try await stack.putRecipient(contact, #"{"kind":"location_contact","email":"c.\#(s)@dealer.example","locationId":"\#(location)"}"#)
            try await stack.putRecipient(stranger, #"{"kind":"member","email":"x.\#(s)@example.com","locationId":"\#(otherLocation)"}"#)
            let now = stack.clock.now
            let lead = Events.lead(email: nil, owner: owner, location: location, at: now)
            try await stack.publishAndWait([Events.assigned(lead, team: "team-m-\(s)", at: now)])

            var callers: [String: MatrixCaller] = [:]
            for (name, principal) in [
                ("admin", Principal(id: "admin-\(s)", role: .platformAdmin)),
                ("manager in scope", Principal(id: "mgr-in-\(s)", role: .manager, scope: AccessScope(locationIds: [location]))),
                ("manager out of scope", Principal(id: "mgr-out-\(s)", role: .manager, scope: AccessScope(locationIds: [otherLocation]))),
                ("owner", Principal(id: owner, role: .salesperson)),
                ("other salesperson", Principal(id: "member-z-\(s)", role: .salesperson)),
                ("location contact", Principal(id: contact, role: .locationContact)),
                ("integration source", Principal(id: "src-\(s)", role: .integrationSource, scope: AccessScope(sourceIds: ["src-marketplace"]))),
                ("downstream reader", Principal(id: "reader-\(s)", role: .downstreamReader)),
            ] {
                callers[name] = try await AccessMatrix.caller(name, principal)
            }
            let everyoneInScope = ["admin": 200, "manager in scope": 200, "manager out of scope": 404, "owner": 200, "other salesperson": 404]
            let adminOnly = ["admin": 200]
            let deletable = "contact-del-\(s)"
            let endpoints: [Endpoint] = [
                Endpoint("GET", "/v1/templates", adminOnly),
                Endpoint("GET", "/v1/templates/new_lead_assigned/email", adminOnly),
                Endpoint("PUT", "/v1/templates/reminder/sms", body: #"{"text":"Reminder: {{lead.name}}"}"#, adminOnly),
                Endpoint("POST", "/v1/templates/reminder/email/preview", body: "{}", adminOnly),
                Endpoint("GET", "/v1/recipients", ["admin": 200, "manager in scope": 200, "manager out of scope": 200, "owner": 200, "other salesperson": 200]),
                Endpoint("GET", "/v1/recipients/\(contact)", ["admin": 200, "manager in scope": 200, "manager out of scope": 404, "owner": 404, "other salesperson": 404]),
                Endpoint("PUT", "/v1/recipients/\(owner)",
                         body: #"{"kind":"member","name":"Mo One","email":"m1.\#(s)@example.com","locationId":"\#(location)","timeZone":"Europe/Berlin"}"#,
                         ["admin": 200, "manager in scope": 200, "manager out of scope": 404, "owner": 200, "other salesperson": 404]),
                Endpoint("PUT", "/v1/recipients/contact-new-ID", body: #"{"kind":"location_contact","email":"n.\#(s)@dealer.example","locationId":"\#(location)"}"#,
                         ["admin": 201, "manager in scope": 201, "manager out of scope": 403, "owner": 404, "other salesperson": 404]) {
                    "/v1/recipients/contact-new-\(uniqueSuffix())"
                },
                Endpoint("DELETE", "/v1/recipients/\(deletable)", ["admin": 204, "manager in scope": 204, "manager out of scope": 404]) {
                    try await stack.putRecipient(deletable, #"{"kind":"location_contact","email":"d.\#(s)@dealer.example","locationId":"\#(location)"}"#)
                    return nil
                },
                Endpoint("GET", "/v1/leads/\(lead.id)/schedule", everyoneInScope),
                Endpoint("POST", "/v1/leads/\(lead.id)/reminders", body: #"{"delay":{"kind":"one_week"}}"#,
                         everyoneInScope.mapValues { $0 == 200 ? 201 : $0 }),
                Endpoint("DELETE", "/v1/leads/\(lead.id)/reminders/ID", everyoneInScope.mapValues { $0 == 200 ? 204 : $0 }) {
                    let created = try await stack.api("POST", "/v1/leads/\(lead.id)/reminders", token: stack.adminToken,
                                                      body: #"{"delay":{"kind":"one_week"},"recipientId":"\#(owner)"}"#)
                    return "/v1/leads/\(lead.id)/reminders/\(created.json["id"] as? String ?? "missing")"
                },
                Endpoint("GET", "/v1/leads/\(lead.id)/notifications", everyoneInScope),
                Endpoint("GET", "/v1/deliveries", adminOnly),
                Endpoint("POST", "/v1/deliveries/\(UUID())/retry", ["admin": 404]),
                Endpoint("GET", "/v1/default-tasks", adminOnly),
                Endpoint("PUT", "/v1/default-tasks/manual", body: #"[{"title":"Log the first conversation","dueAfterSeconds":3600},{"title":"Send the offer","dueAfterSeconds":172800}]"#, adminOnly),
            ]

            let anonymous = try await AccessMatrix.unauthenticatedCallers()
            var failures: [String] = []
            for endpoint in endpoints {
                for caller in anonymous {
                    let response = try await TestHTTP.request(endpoint.method, stack.service.baseURL + endpoint.path.replacingOccurrences(of: "/ID", with: "/\(UUID())"),
                                                              headers: caller.headers.merging(["content-type": "application/json"]) { a, _ in a },
                                                              body: endpoint.body.map { Array($0.utf8) })
                    if response.status != 401 || !response.text.contains("\"code\"") {
                        failures.append("\(endpoint) as \(caller): \(response.status)")
                    }
                }
                for (name, caller) in callers.sorted(by: { $0.key < $1.key }) {
                    let path = try await endpoint.prepare?() ?? endpoint.path
                    let response = try await TestHTTP.request(endpoint.method, stack.service.baseURL + path,
                                                              headers: caller.headers.merging(["content-type": "application/json"]) { a, _ in a },
                                                              body: endpoint.body.map { Array($0.utf8) })
                    let expected = endpoint.expected[name] ?? 403
                    if response.status != expected {
                        failures.append("\(endpoint) as \(name): \(response.status), expected \(expected): \(response.text.prefix(200))")
                    }
                    if response.status >= 400, !response.text.contains("\"code\"") {
                        failures.append("\(endpoint) as \(name): \(response.status) without a problem body")
                    }
                }
            }
            #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")

            // Filtering, not only checking: each list holds exactly what the caller may see.
            func entries(_ caller: String) async throws -> [[String: Any]] {
                let response = try await TestHTTP.request("GET", stack.service.baseURL + "/v1/recipients?limit=1000", headers: callers[caller]!.headers)
                return response.jsonArray.compactMap { $0 as? [String: Any] }
            }
            func ids(_ caller: String) async throws -> Set<String> { Set(try await entries(caller).compactMap { $0["id"] as? String }) }
            let inScope = try await ids("manager in scope")
            #expect(inScope.contains(owner) && inScope.contains(contact) && !inScope.contains(stranger))
            #expect(try await entries("manager in scope").allSatisfy { $0["locationId"] as? String == location })
            let outOfScope = try await ids("manager out of scope")
            #expect(outOfScope == [stranger])
            #expect(try await ids("owner") == [owner])
            #expect(try await ids("other salesperson").isEmpty)
            #expect(try await ids("admin").isSuperset(of: [owner, contact, stranger]))
            // A salesperson edits preferences, not where they sit.
            let moved = try await TestHTTP.request("PUT", stack.service.baseURL + "/v1/recipients/\(owner)",
                                                   headers: callers["owner"]!.headers.merging(["content-type": "application/json"]) { a, _ in a },
                                                   body: Array(#"{"kind":"member","email":"m1.\#(s)@example.com","locationId":"\#(otherLocation)"}"#.utf8))
            #expect(moved.status == 403)
            let other = try await TestHTTP.request("POST", stack.service.baseURL + "/v1/leads/\(lead.id)/reminders",
                                                   headers: callers["owner"]!.headers.merging(["content-type": "application/json"]) { a, _ in a },
                                                   body: Array(#"{"delay":{"kind":"one_hour"},"recipientId":"\#(stranger)"}"#.utf8))
            #expect(other.status == 403)
        }
    }

    @Suite("Hostile input")
    struct Hostile {
        @Test("bodies that are too large, not UTF-8, too deep, mistyped or injecting are refused with stable problem codes")
        func badBodies() async throws {
            let stack = try NotifierStack.shared
            let token = stack.adminToken
            func check(_ method: String, _ path: String, _ body: [UInt8], status: Int, code: String, field: String? = nil,
                       sourceLocation: SourceLocation = #_sourceLocation) async throws {
                let response = try await TestHTTP.request(method, stack.service.baseURL + path,
                                                          headers: ["authorization": TestAuth.bearer(token), "content-type": "application/json"], body: body)
                #expect(response.status == status, "\(method) \(path): \(response.text.prefix(300))", sourceLocation: sourceLocation)
                #expect(response.json["code"] as? String == code, "\(response.text.prefix(300))", sourceLocation: sourceLocation)
                if let field { #expect(response.json["field"] as? String == field, "\(response.text.prefix(300))", sourceLocation: sourceLocation) }
                #expect(response.headers["content-type"] == "application/problem+json", sourceLocation: sourceLocation)
            }
            let template = "/v1/templates/reminder/email"
            try await check("PUT", template, Array(#"{"subject":"x","text":""#.utf8) + Array(repeating: UInt8(ascii: "a"), count: 300 << 10) + Array(#""}"#.utf8),
                            status: 413, code: "body_too_large")
            try await check("PUT", template, Array(#"{"subject":"x","text":"\#u{FF}"}"#.utf8).map { $0 == 0xC3 ? 0xFF : $0 }, status: 400, code: "invalid_utf8")
            try await check("PUT", template, Array((#"{"subject":"x","text":"#  + String(repeating: "[", count: 50) + String(repeating: "]", count: 50) + "}").utf8),
                            status: 400, code: "too_deeply_nested")
            try await check("PUT", template, Array(#"{"subject":"x","text":5}"#.utf8), status: 422, code: "invalid_field", field: "/text")
            try await check("PUT", template, Array(#"{"subject":"x","text":"{{#lead}}never closed"}"#.utf8), status: 422, code: "invalid_field", field: "/text")
            try await check("PUT", template, Array(#"{"text":"no subject"}"#.utf8), status: 422, code: "invalid_field", field: "/subject")
            try await check("PUT", "/v1/templates/reminder/sms", Array(#"{"text":"x","html":"<p>x</p>"}"#.utf8), status: 422, code: "invalid_field", field: "/html")
            try await check("PUT", "/v1/templates/no_such_kind/email", Array(#"{"subject":"x","text":"x"}"#.utf8), status: 404, code: "not_found")
            try await check("PUT", template, Array("not json".utf8), status: 400, code: "invalid_json")

            try await check("PUT", "/v1/recipients/member-evil", Array(#"{"kind":"member","email":"a@example.com\r\nRCPT TO:<victim@example.com>"}"#.utf8),
                            status: 422, code: "invalid_field", field: "/email")
            try await check("PUT", "/v1/recipients/x'%3B%20DROP%20TABLE%20notifier.recipients%3B--", Array(#"{"kind":"member","email":"a@example.com"}"#.utf8),
                            status: 422, code: "invalid_field", field: "/id")
            try await check("PUT", "/v1/recipients/member-evil", Array(#"{"kind":"member","name":"\u0000\u001b[31m","email":"a@example.com"}"#.utf8),
                            status: 422, code: "invalid_field", field: "/name")
            try await check("PUT", "/v1/recipients/member-evil", Array(#"{"kind":"robot"}"#.utf8), status: 422, code: "invalid_field", field: "/kind")
            try await check("PUT", "/v1/recipients/member-evil", Array(#"{"kind":"member","email":"a@example.com","quietHours":{"start":"25:00","end":"07:00"}}"#.utf8),
                            status: 422, code: "invalid_field", field: "/quietHours/start")
            try await check("PUT", "/v1/recipients/wh-evil", Array(#"{"kind":"webhook","webhookUrl":"http://example.com/hook","webhookSecret":"short"}"#.utf8),
                            status: 422, code: "invalid_field", field: "/webhookSecret")
            #expect(try await stack.api("GET", "/v1/recipients", token: token).status == 200)

            let lead = Events.lead(email: nil, owner: "member-h-\(uniqueSuffix())", location: nil, at: stack.clock.now)
            try await stack.publishAndWait([Events.assigned(lead, at: stack.clock.now)])
            let reminders = "/v1/leads/\(lead.id)/reminders"
            try await check("POST", reminders, Array(#"{"delay":{"kind":"custom","seconds":-5}}"#.utf8), status: 422, code: "invalid_field", field: "/delay/seconds")
            try await check("POST", reminders, Array(#"{"delay":{"kind":"next_century"}}"#.utf8), status: 422, code: "invalid_field", field: "/delay/kind")
            try await check("POST", reminders, Array(#"{"delay":{"kind":"one_hour"},"note":"bell\u0007"}"#.utf8), status: 422, code: "invalid_field", field: "/note")
            try await check("POST", "/v1/leads/not-a-uuid/reminders", Array(#"{"delay":{"kind":"one_hour"}}"#.utf8), status: 404, code: "not_found")
            try await check("POST", "/v1/leads/\(LeadID())/reminders", Array(#"{"delay":{"kind":"one_hour"}}"#.utf8), status: 404, code: "not_found")
            try await check("PUT", "/v1/default-tasks/sold", Array(#"[{"title":"x","dueAfterSeconds":-1}]"#.utf8), status: 422, code: "invalid_field", field: "/0/dueAfterSeconds")
            try await check("PUT", "/v1/default-tasks/unknown", Array("[]".utf8), status: 404, code: "not_found")

            let badState = try await stack.api("GET", "/v1/deliveries?state=exploded", token: token)
            #expect(badState.status == 400 && badState.json["code"] as? String == "invalid_query")
            let badLimit = try await stack.api("GET", "/v1/deliveries?limit=0", token: token)
            #expect(badLimit.status == 400 && badLimit.json["field"] as? String == "limit")
        }

        @Test("events that can never be applied are dead-lettered with the original bytes; the next ones still flow")
        func badEvents() async throws {
            let stack = try NotifierStack.shared
            let garbage = LeadID()
            let headers = [
                KafkaHeader(key: "ce_specversion", string: "1.0"), KafkaHeader(key: "ce_id", string: UUID().uuidString.lowercased()),
                KafkaHeader(key: "ce_type", string: LeadAssigned.eventType), KafkaHeader(key: "ce_source", string: "/test"),
                KafkaHeader(key: "ce_time", string: "2030-01-01T00:00:00Z"), KafkaHeader(key: "ce_subject", string: garbage.description),
                KafkaHeader(key: "content-type", string: "application/json"),
            ]
            let bytes = Array(#"{"leadId": "\#(garbage)", "ownerId": {"$where": "1"}}"#.utf8)
            _ = try await stack.producer.send([OutgoingMessage(
                topic: stack.prefix + Topic.assigned.name, key: Array(garbage.description.utf8), value: bytes, headers: headers)])
            // A well-formed event of a type the notifier does not consume, on a topic it reads.
            let scored = LeadScored(leadId: LeadID(), occurredAt: stack.clock.now, score: 50, rulesVersion: 1, factors: [], causationEventId: UUID())
            try await TestKafka.publish([scored], prefix: stack.prefix, producer: stack.producer)
            _ = try await stack.producer.send([OutgoingMessage(
                topic: stack.prefix + Topic.lifecycle.name, key: Array(scored.leadId.description.utf8),
                value: try LeadflowJSON.encode(scored),
                headers: [KafkaHeader(key: "ce_specversion", string: "1.0"), KafkaHeader(key: "ce_id", string: scored.eventId.uuidString.lowercased()),
                          KafkaHeader(key: "ce_type", string: LeadScored.eventType), KafkaHeader(key: "ce_source", string: "/test"),
                          KafkaHeader(key: "ce_time", string: "2030-01-01T00:00:00Z"), KafkaHeader(key: "ce_subject", string: scored.leadId.description)])])

            _ = await eventually(timeout: .seconds(30)) {
                stack.deadLetters.contains { $0.leadId == garbage } && stack.deadLetters.contains { $0.leadId == scored.leadId }
            }
            let invalid = try #require(stack.deadLetters.first { $0.leadId == garbage })
            #expect(invalid.stage == .notifier && invalid.errorCode == "invalid_json")
            #expect(invalid.originalValue == bytes && invalid.originalTopic == stack.prefix + Topic.assigned.name)
            let unexpected = try #require(stack.deadLetters.first { $0.leadId == scored.leadId })
            #expect(unexpected.errorCode == "unexpected_event_type")

            // The partition moved on: a valid event for a new lead is applied.
            let lead = Events.lead(email: nil, owner: "member-after-\(uniqueSuffix())", location: nil, at: stack.clock.now)
            try await stack.publishAndWait([Events.assigned(lead, at: stack.clock.now)])
        }
    }
}
