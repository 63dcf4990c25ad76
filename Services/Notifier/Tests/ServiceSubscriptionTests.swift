import Foundation
import LeadIntegrationSupport
import LeadModel
import LeadServiceKit
import LeadTestSupport
import Testing

@testable import LeadNotifier

extension NotifierServiceTests {
    @Suite("Outbound event subscriptions")
    struct Subscriptions {
        static let secret = "whsec-test-0123456789abcdef"

        static func create(_ stack: NotifierStack, _ json: String) async throws -> [String: Any] {
            let response = try await stack.api("POST", "/v1/subscriptions", token: stack.adminToken, body: json)
            try #require(response.status == 201, "\(response.status) \(response.text)")
            return response.json
        }

        static func subscription(_ stack: NotifierStack, _ id: String) async throws -> [String: Any] {
            try await stack.api("GET", "/v1/subscriptions/\(id)", token: stack.adminToken).json
        }

        @Test("create, read, list, replace (secret kept), pause, resume, delete; the secret is never returned")
        func lifecycle() async throws {
            let stack = try NotifierStack.shared
            let created = try await Self.create(stack, #"""
                {"name":"DMS","url":"https://dms.example.com/hooks","secret":"\#(Self.secret)",
                 "eventTypes":["lead.lifecycle.location_response_changed"],
                 "statusChanges":[{"status":"location_response","from":"accepted","to":"won"}],"locations":["loc-1"]}
                """#)
            let id = try #require(created["id"] as? String)
            #expect(created["state"] as? String == "active" && created["hasSecret"] as? Bool == true && created["secret"] == nil)
            #expect((created["statusChanges"] as? [[String: String]]) == [["status": "location_response", "from": "accepted", "to": "won"]])
            let read = try await stack.api("GET", "/v1/subscriptions/\(id)", token: stack.adminToken)
            #expect(read.status == 200 && read.json["backlog"] as? Int == 0 && !read.text.contains(Self.secret))
            let list = try await stack.api("GET", "/v1/subscriptions", token: stack.adminToken)
            #expect(list.jsonArray.contains { ($0 as? [String: Any])?["id"] as? String == id } && !list.text.contains(Self.secret))

            let replaced = try await stack.api("PUT", "/v1/subscriptions/\(id)", token: stack.adminToken,
                                               body: #"{"name":"DMS 2","url":"https://dms.example.com/v2","eventTypes":["lead.assigned"]}"#)
            #expect(replaced.status == 200 && replaced.json["url"] as? String == "https://dms.example.com/v2")
            #expect(replaced.json["eventTypes"] as? [String] == ["lead.assigned"] && (replaced.json["statusChanges"] as? [Any])?.isEmpty == true)
            #expect(try await stack.count("SELECT count(*)::int FROM notifier.subscriptions WHERE id = '\(id)' AND secret = '\(Self.secret)'") == 1)

            let paused = try await stack.api("POST", "/v1/subscriptions/\(id)/pause", token: stack.adminToken)
            #expect(paused.json["state"] as? String == "paused" && paused.json["pausedReason"] as? String == "manual")
            let resumed = try await stack.api("POST", "/v1/subscriptions/\(id)/resume", token: stack.adminToken)
            #expect(resumed.json["state"] as? String == "active" && resumed.json["pausedReason"] == nil)
            let page = try await stack.api("GET", "/v1/subscriptions/\(id)/deliveries", token: stack.adminToken)
            #expect(page.status == 200 && (page.json["deliveries"] as? [Any])?.isEmpty == true)

            #expect(try await stack.api("DELETE", "/v1/subscriptions/\(id)", token: stack.adminToken).status == 204)
            #expect(try await stack.api("GET", "/v1/subscriptions/\(id)", token: stack.adminToken).status == 404)
            #expect(try await stack.api("DELETE", "/v1/subscriptions/\(id)", token: stack.adminToken).status == 404)
        }

        @Test("hostile input: huge, not UTF-8, deep, mistyped, credentials or other schemes in the URL → problem JSON")
        func hostile() async throws {
            let stack = try NotifierStack.shared
            func check(_ method: String, _ path: String, _ body: [UInt8]?, status: Int, code: String, field: String? = nil,
                       sourceLocation: SourceLocation = #_sourceLocation) async throws {
                let response = try await TestHTTP.request(
                    method, stack.service.baseURL + path,
                    headers: ["authorization": TestAuth.bearer(stack.adminToken), "content-type": "application/json"], body: body)
                #expect(response.status == status, "\(method) \(path): \(response.text.prefix(300))", sourceLocation: sourceLocation)
                #expect(response.json["code"] as? String == code, "\(response.text.prefix(300))", sourceLocation: sourceLocation)
                if let field { #expect(response.json["field"] as? String == field, "\(response.text.prefix(300))", sourceLocation: sourceLocation) }
                #expect(response.headers["content-type"] == "application/problem+json", sourceLocation: sourceLocation)
                #expect(!response.text.contains(Self.secret), sourceLocation: sourceLocation)
            }
            func body(url: String, extra: String = "") -> [UInt8] {
                Array(#"{"url":"\#(url)","secret":"\#(Self.secret)"\#(extra)}"#.utf8)
            }
            let path = "/v1/subscriptions"
            try await check("POST", path, Array(#"{"url":"https://x.example/h","secret":""#.utf8) + Array(repeating: UInt8(ascii: "a"), count: 100 << 10) + Array(#""}"#.utf8),
                            status: 413, code: "body_too_large")
            try await check("POST", path, Array(#"{"url":"https://x.example/\#u{FF}","secret":"\#(Self.secret)"}"#.utf8).map { $0 == 0xC3 ? 0xFF : $0 },
                            status: 400, code: "invalid_utf8")
            try await check("POST", path, Array(("{\"eventTypes\":" + String(repeating: "[", count: 40) + String(repeating: "]", count: 40) + "}").utf8),
                            status: 400, code: "too_deeply_nested")
            try await check("POST", path, Array("not json".utf8), status: 400, code: "invalid_json")
            try await check("POST", path, Array(#"{"url":5,"secret":"\#(Self.secret)"}"#.utf8), status: 422, code: "invalid_field", field: "/url")
            try await check("POST", path, Array(#"{"url":"https://x.example/h","secret":"\#(Self.secret)","eventTypes":"lead.assigned"}"#.utf8),
                            status: 422, code: "invalid_field", field: "/eventTypes")
            for url in ["https://admin:hunter2@dms.example.com/h", "ftp://dms.example.com/h", "javascript:alert(1)", "file:///etc/passwd",
                        "https://dms.example.com/h\\r\\nX-Evil: 1", "https://dms.example.com/h#x", "//dms.example.com/h"] {
                try await check("POST", path, body(url: url), status: 422, code: "invalid_field", field: "/url")
            }
            try await check("POST", path, Array(#"{"url":"https://x.example/h"}"#.utf8), status: 422, code: "invalid_field", field: "/secret")
            try await check("POST", path, Array(#"{"url":"https://x.example/h","secret":"short"}"#.utf8), status: 422, code: "invalid_field", field: "/secret")
            try await check("POST", path, body(url: "https://x.example/h", extra: #","eventTypes":["lead.everything"]"#),
                            status: 422, code: "invalid_field", field: "/eventTypes/0")
            try await check("POST", path, body(url: "https://x.example/h", extra: #","statusChanges":[{"status":"stage","to":"sold'; DROP TABLE notifier.subscriptions;--"}]"#),
                            status: 422, code: "invalid_field", field: "/statusChanges/0/to")
            try await check("POST", path, body(url: "https://x.example/h", extra: #","statusChanges":[{"status":"mood","to":"happy"}]"#),
                            status: 422, code: "invalid_field", field: "/statusChanges/0/status")
            try await check("POST", path, body(url: "https://x.example/h", extra: #","locations":["loc-1","<script>"]"#),
                            status: 422, code: "invalid_field", field: "/locations/1")
            try await check("GET", "/v1/subscriptions/not-a-uuid", nil, status: 404, code: "not_found")
            try await check("PUT", "/v1/subscriptions/\(UUID())", body(url: "https://x.example/h"), status: 404, code: "not_found")
            try await check("POST", "/v1/subscriptions/\(UUID())/resume", nil, status: 404, code: "not_found")
            try await check("GET", "/v1/subscriptions/\(UUID())/deliveries", nil, status: 404, code: "not_found")
            let created = try await Self.create(stack, #"{"url":"https://x.example/h","secret":"\#(Self.secret)","locations":["loc-none"]}"#)
            let id = try #require(created["id"] as? String)
            try await check("GET", "/v1/subscriptions/\(id)/deliveries?state=exploded", nil, status: 400, code: "invalid_query", field: "state")
            try await check("GET", "/v1/subscriptions/\(id)/deliveries?before=-3", nil, status: 400, code: "invalid_query", field: "before")
            try await check("GET", "/v1/subscriptions/\(id)/deliveries?limit=100000", nil, status: 400, code: "invalid_query", field: "limit")
            try await check("PUT", "/v1/subscriptions/\(id)", body(url: "https://u:p@x.example/h"), status: 422, code: "invalid_field", field: "/url")
            #expect(try await stack.count("SELECT count(*)::int FROM notifier.subscriptions WHERE id = '\(id)' AND url = 'https://x.example/h'") == 1)
            #expect(try await stack.api("DELETE", "/v1/subscriptions/\(id)", token: stack.adminToken).status == 204)
        }

        @Test("access: every endpoint refuses unauthenticated callers (401) and every role but platform admin (403)")
        func access() async throws {
            let stack = try NotifierStack.shared
            let created = try await Self.create(stack, #"{"url":"https://x.example/h","secret":"\#(Self.secret)","locations":["loc-none"]}"#)
            let id = try #require(created["id"] as? String)
            let body = #"{"url":"https://x.example/h","secret":"\#(Self.secret)","locations":["loc-none"]}"#
            let endpoints: [(String, String, String?, Int)] = [
                ("POST", "/v1/subscriptions", body, 201), ("GET", "/v1/subscriptions", nil, 200), ("GET", "/v1/subscriptions/\(id)", nil, 200),
                ("PUT", "/v1/subscriptions/\(id)", body, 200), ("POST", "/v1/subscriptions/\(id)/pause", nil, 200),
                ("POST", "/v1/subscriptions/\(id)/resume", nil, 200), ("GET", "/v1/subscriptions/\(id)/deliveries", nil, 200),
                ("DELETE", "/v1/subscriptions/\(UUID())", nil, 404),
            ]
            var callers: [(String, MatrixCaller, Bool)] = []
            for caller in try await AccessMatrix.unauthenticatedCallers() { callers.append((caller.name, caller, false)) }
            for (name, principal) in [
                ("admin", Principal(id: "admin-s", role: .platformAdmin)),
                ("manager", Principal(id: "mgr-s", role: .manager, scope: AccessScope(locationIds: ["loc-none"]))),
                ("salesperson", Principal(id: "member-s", role: .salesperson)),
                ("location contact", Principal(id: "contact-s", role: .locationContact)),
                ("integration source", Principal(id: "src-s", role: .integrationSource, scope: AccessScope(sourceIds: ["src-marketplace"]))),
                ("downstream reader", Principal(id: "reader-s", role: .downstreamReader)),
            ] {
                callers.append((name, try await AccessMatrix.caller(name, principal), true))
            }
            var failures: [String] = []
            for (method, path, body, adminStatus) in endpoints {
                for (name, caller, authenticated) in callers {
                    let response = try await TestHTTP.request(
                        method, stack.service.baseURL + path, headers: caller.headers.merging(["content-type": "application/json"]) { a, _ in a },
                        body: body.map { Array($0.utf8) })
                    let expected = !authenticated ? 401 : (name == "admin" ? adminStatus : 403)
                    if response.status != expected { failures.append("\(method) \(path) as \(name): \(response.status), expected \(expected)") }
                    if response.status >= 400, !response.text.contains("\"code\"") { failures.append("\(method) \(path) as \(name): no problem body") }
                    if response.text.contains(Self.secret) { failures.append("\(method) \(path) as \(name): the secret leaked") }
                }
            }
            #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
        }

        @Test("matching events arrive signed, in per-lead order, once; the history shows each delivery")
        func delivery() async throws {
            let stack = try NotifierStack.shared
            let s = uniqueSuffix()
            let location = "loc-sub-\(s)"
            let receiver = try await SubscriptionReceiver.start(secret: Self.secret, now: { stack.clock.now })
            defer { Task { await receiver.down() } }
            let created = try await Self.create(stack, #"""
                {"url":"\#(receiver.url)","secret":"\#(Self.secret)","eventTypes":["lead.lifecycle.location_response_changed"],
                 "statusChanges":[{"status":"location_response","from":"accepted","to":"won"}],"sources":["src-marketplace"],"locations":["\#(location)"]}
                """#)
            let id = try #require(created["id"] as? String)
            let now = stack.clock.now
            let (a, b) = (Events.lead(owner: "member-sub-\(s)", location: location, at: now), Events.lead(owner: "member-sub-\(s)", location: location, at: now))
            func response(_ lead: Lead, _ from: LocationResponseStatus, _ to: LocationResponseStatus) -> LeadLifecycleEvent {
                Events.lifecycle(lead.id, .locationResponseChanged(locationId: location, from: from, to: to, note: nil, followUpDelay: nil), at: now)
            }
            let historyA: [any LeadflowEvent] = [
                Events.assigned(a, at: now), response(a, .unacknowledged, .acknowledged), response(a, .acknowledged, .accepted),
                Events.lifecycle(a.id, .noteAdded(text: "test drive friday"), at: now), response(a, .accepted, .won), response(a, .won, .complete),
                response(a, .complete, .accepted), response(a, .accepted, .won),
            ]
            let historyB: [any LeadflowEvent] = [
                Events.assigned(b, at: now), response(b, .unacknowledged, .accepted), response(b, .accepted, .lost),
                Events.lifecycle(b.id, .pipelineStatusChanged(pipelineId: "default", from: "new", to: "closed_won", lostReason: nil, note: nil), at: now),
                response(b, .lost, .accepted), response(b, .accepted, .won),
            ]
            // Assigned first (as in life: a location responds to a lead it was sent): leads.assigned and
            // leads.lifecycle are not ordered with each other, and the source filter needs the lead's source.
            try await stack.publishAndWait([historyA[0]])
            try await stack.publishAndWait([historyB[0]])
            try await stack.publishAndWait(Array(historyA.dropFirst()))
            try await stack.publishAndWait(Array(historyB.dropFirst()))
            let expected = [historyA[4], historyA[7], historyB[5]].map { $0.eventId.uuidString.lowercased() }
            _ = await eventually(timeout: .seconds(30)) { receiver.unique.count >= 3 }
            let arrivals = receiver.received
            #expect(arrivals.map { $0.eventId ?? "" } == expected, "\(arrivals.map { $0.type ?? "?" })")
            #expect(arrivals.allSatisfy { $0.signatureValid })
            #expect(arrivals.allSatisfy { $0.idempotencyKey == $0.deliveryId && $0.changes == [["field": "locationResponse", "from": "accepted", "to": "won"]] })
            #expect(arrivals.allSatisfy { $0.headers["leadflow-event-type"] == "lead.lifecycle.location_response_changed" && $0.headers["leadflow-subscription-id"] == id })
            #expect(try await stack.count("SELECT count(*)::int FROM notifier.subscription_deliveries WHERE subscription_id = '\(id)'") == 3)

            // The receiver has the bytes a moment before the worker commits "delivered".
            _ = await eventually(timeout: .seconds(30)) {
                let page = try? await stack.api("GET", "/v1/subscriptions/\(id)/deliveries", token: stack.adminToken)
                let rows = page?.json["deliveries"] as? [[String: Any]] ?? []
                return rows.count == 3 && rows.allSatisfy { $0["state"] as? String == "delivered" }
            }
            let page = try await stack.api("GET", "/v1/subscriptions/\(id)/deliveries", token: stack.adminToken)
            let deliveries = try #require(page.json["deliveries"] as? [[String: Any]])
            #expect(deliveries.count == 3 && page.json["nextBefore"] == nil)
            #expect(deliveries.allSatisfy { $0["state"] as? String == "delivered" && $0["attempts"] as? Int == 1 && $0["lastStatusCode"] as? Int == 200 })
            #expect(deliveries.compactMap { ($0["eventId"] as? String)?.lowercased() } == expected.reversed())
            // The history keeps no lead data once delivered.
            #expect(try await stack.count("SELECT count(*)::int FROM notifier.subscription_deliveries WHERE subscription_id = '\(id)' AND body IS NOT NULL") == 0)
        }

        @Test("a failing receiver: retried with backoff, paused after N failures (visible), backlog delivered in order on resume")
        func pauseAndResume() async throws {
            let stack = try NotifierStack.shared
            let s = uniqueSuffix()
            let location = "loc-pause-\(s)"
            let receiver = try await SubscriptionReceiver.start(secret: Self.secret, now: { stack.clock.now })
            defer { Task { await receiver.down() } }
            receiver.setFailing(true)
            let created = try await Self.create(stack, #"""
                {"url":"\#(receiver.url)","secret":"\#(Self.secret)","eventTypes":["lead.lifecycle.note_added"],"locations":["\#(location)"]}
                """#)
            let id = try #require(created["id"] as? String)
            let now = stack.clock.now
            let (c, d) = (Events.lead(owner: "member-p-\(s)", location: location, at: now), Events.lead(owner: "member-p-\(s)", location: location, at: now))
            let notesC = (1...5).map { Events.lifecycle(c.id, .noteAdded(text: "note \($0)"), at: now) }
            let notesD = (1...2).map { Events.lifecycle(d.id, .noteAdded(text: "note \($0)"), at: now) }
            try await stack.publishAndWait([Events.assigned(c, at: now)])
            try await stack.publishAndWait([Events.assigned(d, at: now)])
            try await stack.publishAndWait(notesC)
            try await stack.publishAndWait(notesD)

            let paused = await eventually(timeout: .seconds(30)) {
                (try? await Self.subscription(stack, id))?["state"] as? String == "paused"
            }
            #expect(paused)
            let state = try await Self.subscription(stack, id)
            #expect((state["pausedReason"] as? String)?.contains("in a row") == true, "\(state)")
            #expect((state["consecutiveFailures"] as? Int ?? 0) >= 4 && (state["lastError"] as? String)?.contains("503") == true)
            #expect(state["backlog"] as? Int == 7)
            #expect(receiver.received.isEmpty)

            receiver.setFailing(false)
            let resumed = try await stack.api("POST", "/v1/subscriptions/\(id)/resume", token: stack.adminToken)
            #expect(resumed.json["state"] as? String == "active")
            _ = await eventually(timeout: .seconds(30)) { receiver.unique.count >= 7 }
            let arrivals = receiver.unique
            #expect(arrivals.count == 7 && receiver.received.count == 7)
            #expect(arrivals.filter { $0.leadId == c.id.description }.compactMap(\.eventId) == notesC.map { $0.eventId.uuidString.lowercased() })
            #expect(arrivals.filter { $0.leadId == d.id.description }.compactMap(\.eventId) == notesD.map { $0.eventId.uuidString.lowercased() })
            #expect(arrivals.allSatisfy { $0.signatureValid })
            #expect(await eventually(timeout: .seconds(10)) { (try? await Self.subscription(stack, id))?["backlog"] as? Int == 0 })

            // History, paged: newest first, the retried ones show their attempts and last error.
            let first = try await stack.api("GET", "/v1/subscriptions/\(id)/deliveries?limit=4", token: stack.adminToken)
            let firstPage = try #require(first.json["deliveries"] as? [[String: Any]])
            let before = try #require(first.json["nextBefore"] as? Int)
            let second = try await stack.api("GET", "/v1/subscriptions/\(id)/deliveries?limit=4&before=\(before)", token: stack.adminToken)
            let secondPage = try #require(second.json["deliveries"] as? [[String: Any]])
            let all = firstPage + secondPage
            #expect(all.count == 7 && Set(all.compactMap { $0["id"] as? String }).count == 7)
            let sequences = all.compactMap { $0["sequence"] as? Int }
            #expect(sequences == sequences.sorted(by: >))
            #expect(all.allSatisfy { $0["state"] as? String == "delivered" && $0["lastStatusCode"] as? Int == 200 })
            #expect(all.contains { ($0["attempts"] as? Int ?? 0) > 1 && ($0["lastError"] as? String)?.contains("503") == true })
        }
    }
}
