import Foundation
import LeadIntegrationSupport
import LeadMessaging
import LeadModel
import LeadServiceKit
import LeadTestSupport
import Testing

@testable import LeadNotifier

/// The done-when of outbound subscriptions: a real notifier process, the real broker and database,
/// a receiver verifying signatures; kill -9 mid-history and a receiver that is really down
/// (connection refused) for a minute, long enough for the subscription to pause itself (the backoff
/// and pause thresholds are shortened with `LEADFLOW_NOTIFIER_SUBSCRIPTION_*`).
@Suite("Subscriptions across kill -9 and a receiver outage (Tansu, PostgreSQL, child process)", .serialized)
struct SubscriptionCrashTests {
    static let secret = "whsec-crash-test-0123456789"

    /// One lead's scripted history: four rounds at a location, each acknowledged and accepted, then
    /// won (then completed) or lost; notes, stage and pipeline changes in between. Returns the events
    /// and the ids of its `accepted → won` changes, in order.
    static func history(for lead: Lead, index: Int, at date: Date) -> (events: [any LeadflowEvent], expected: [String]) {
        var events: [any LeadflowEvent] = [Events.assigned(lead, at: date)]
        var expected: [String] = []
        var status = LocationResponseStatus.unacknowledged
        func respond(_ to: LocationResponseStatus, _ location: String) -> LeadLifecycleEvent {
            defer { status = to }
            return Events.lifecycle(lead.id, .locationResponseChanged(locationId: location, from: status, to: to, note: nil, followUpDelay: nil), at: date)
        }
        for round in 0..<4 {
            let location = lead.locationId ?? "loc"
            if round > 0 {
                events.append(Events.lifecycle(lead.id, .manuallyAssigned(ownerId: lead.ownerId ?? "m", locationId: location, note: "round \(round)"), at: date))
                events.append(respond(.unacknowledged, location))
            }
            events.append(respond(.acknowledged, location))
            events.append(respond(.accepted, location))
            events.append(Events.lifecycle(lead.id, .noteAdded(text: "round \(round) of lead \(index)"), at: date))
            if (index + round) % 3 == 0 {
                events.append(respond(.lost, location))  // accepted → lost: not delivered
            } else {
                let won = respond(.won, location)
                events.append(won)
                expected.append(won.eventId.uuidString.lowercased())
                events.append(Events.lifecycle(lead.id, .pipelineStatusChanged(pipelineId: "default", from: "negotiation", to: "closed_won", lostReason: nil, note: nil), at: date))
                events.append(respond(.complete, location))  // won → complete: not delivered
            }
        }
        events.insert(Events.lifecycle(lead.id, .stageChanged(from: .lead, to: .quote), at: date), at: 1)
        return (events, expected)
    }

    @Test("accepted → won: exactly the matching events, signed, in per-lead order, once — across kill -9 and a receiver outage")
    func killAndOutage() async throws {
        let database = try await TestDatabase.createDatabase()
        let checks = CheckClient(database: database)
        defer { checks.stop() }
        let prefix = TestKafka.uniquePrefix("subs")
        try await TestKafka.createLeadflowTopics(prefix: prefix)
        let receiver = try await SubscriptionReceiver.start(secret: Self.secret)
        var environment = NotifierStack.environment(smtpPort: 9, smsURL: nil)
        environment["LEADFLOW_INSTANCE_ID"] = "notifier-subs"
        environment["LEADFLOW_NOTIFIER_LEASE_SECONDS"] = "3600"  // a restart must take its own leases back, not wait them out
        environment["LEADFLOW_NOTIFIER_SUBSCRIPTION_RETRY_BASE_MS"] = "100"
        environment["LEADFLOW_NOTIFIER_SUBSCRIPTION_RETRY_MAX_MS"] = "800"
        environment["LEADFLOW_NOTIFIER_SUBSCRIPTION_PAUSE_AFTER_FAILURES"] = "12"
        environment["LEADFLOW_LOG_LEVEL"] = "error"
        var process = try ServiceProcess.launch(service: "notifier", database: database, topicPrefix: prefix, extraEnvironment: environment)
        defer { process.kill() }
        #expect(await eventually(timeout: .seconds(60)) { (try? await process.get("/health/ready").status) == 200 }, "\(process.log)")
        let admin = try await TestAuth.token(.platformAdmin, id: "admin")
        func api(_ method: String, _ path: String, _ body: String? = nil) async throws -> TestHTTPResponse {
            try await TestHTTP.request(method, "http://127.0.0.1:\(process.port)" + path,
                                       headers: ["authorization": TestAuth.bearer(admin), "content-type": "application/json"],
                                       body: body.map { Array($0.utf8) })
        }
        let created = try await api("POST", "/v1/subscriptions", #"""
            {"name":"DMS won deals","url":"\#(receiver.url)","secret":"\#(Self.secret)",
             "statusChanges":[{"status":"location_response","from":"accepted","to":"won"}],"sources":["src-marketplace"]}
            """#)
        try #require(created.status == 201, "\(created.text)")
        let id = try #require(created.json["id"] as? String)

        // Eight leads, four rounds each (~28 events per lead); published in three phases.
        let s = uniqueSuffix()
        let now = Date()
        var histories: [(lead: Lead, events: [any LeadflowEvent], expected: [String])] = []
        for index in 0..<8 {
            let lead = Events.lead(email: nil, owner: "member-\(index)-\(s)", location: "loc-\(index % 3)-\(s)", at: now)
            let (events, expected) = Self.history(for: lead, index: index, at: now)
            histories.append((lead, events, expected))
        }
        let expectedByLead = Dictionary(uniqueKeysWithValues: histories.map { ($0.lead.id.description, $0.expected) })
        let expectedAll = Set(histories.flatMap(\.expected))
        let producer = try TestKafka.producer()
        defer { Task { await producer.shutdown() } }
        let encoder = EventEncoder(source: "/leadflow/test", topicPrefix: prefix)
        // The assignments first, applied before any lifecycle change (leads.assigned and
        // leads.lifecycle are not ordered with each other; the source filter needs the lead's source).
        try await TestKafka.publish(histories.map { $0.events[0] as! LeadAssigned }, prefix: prefix, producer: producer)
        let assignedIds = histories.map { "'\($0.events[0].eventId)'" }.joined(separator: ",")
        #expect(await eventually(timeout: .seconds(60)) {
            (try? await checks.count("SELECT count(*)::int FROM notifier.processed_events WHERE event_id IN (\(assignedIds))")) == histories.count
        })
        func publish(phase: Int) async throws {
            var messages: [OutgoingMessage] = []
            for history in histories {
                let third = (history.events.count + 2) / 3
                for event in history.events.dropFirst(phase * third).prefix(third) where !(event is LeadAssigned) {
                    let record = try encoder.record(event)
                    messages.append(OutgoingMessage(
                        topic: record.topic, key: record.key.map { Array($0.utf8) }, value: record.payload,
                        headers: record.headers.map { KafkaHeader(key: $0.key, string: $0.value) }))
                }
            }
            _ = try await producer.send(messages)
        }
        func expectedUpTo(phase: Int) -> Set<String> {
            Set(histories.flatMap { history -> [String] in
                let third = (history.events.count + 2) / 3
                let ids = Set(history.events.prefix((phase + 1) * third).map { $0.eventId.uuidString.lowercased() })
                return history.expected.filter(ids.contains)
            })
        }

        // Phase 1, then kill -9 as soon as deliveries flow; restart with the same instance id.
        try await publish(phase: 0)
        #expect(await eventually(timeout: .seconds(60)) { !receiver.received.isEmpty })
        process.kill()
        _ = try await process.waitForExit(timeout: .seconds(10))
        let beforeCrash = receiver.received.count
        process = try ServiceProcess.launch(service: "notifier", database: database, topicPrefix: prefix, extraEnvironment: environment)
        #expect(await eventually(timeout: .seconds(60)) { (try? await process.get("/health/ready").status) == 200 }, "\(process.log)")

        // Phase 2 with the receiver up: everything so far arrives.
        try await publish(phase: 1)
        let phase2 = expectedUpTo(phase: 1)
        #expect(await eventually(timeout: .seconds(90)) { phase2.isSubset(of: Set(receiver.unique.compactMap(\.eventId))) },
                "missing after restart: \(phase2.subtracting(receiver.unique.compactMap(\.eventId)).count)")

        // Phase 3 with the receiver down (connection refused): retries, then the subscription pauses itself.
        await receiver.down()
        let outageStarted = ContinuousClock.now
        #expect(await receiver.isRefusingConnections())
        try await publish(phase: 2)
        let paused = await eventually(timeout: .seconds(60)) {
            (try? await api("GET", "/v1/subscriptions/\(id)"))?.json["state"] as? String == "paused"
        }
        #expect(paused, "\(process.log.suffix(2000))")
        let pausedView = try await api("GET", "/v1/subscriptions/\(id)").json
        #expect((pausedView["pausedReason"] as? String)?.contains("in a row") == true)
        #expect((pausedView["lastError"] as? String)?.contains("unreachable") == true)
        let backlog = pausedView["backlog"] as? Int ?? 0
        #expect(backlog > 0)
        // Metrics report the pause and the backlog.
        let metricsShowPause = await eventually(timeout: .seconds(20)) {
            let text = (try? await process.get("/metrics").body) ?? ""
            return text.contains("leadflow_subscriptions_paused 1") && text.contains("leadflow_subscription_backlog{subscription=\"\(id)\"} \(backlog)")
        }
        #expect(metricsShowPause)

        // The receiver stays down for a whole minute of wall time (the outage is the scenario here,
        // not a wait for a condition); nothing may arrive meanwhile.
        let arrivalsDuringOutage = receiver.received.count
        let outageLeft = .seconds(60) - (ContinuousClock.now - outageStarted)
        if outageLeft > .zero { try await Task.sleep(for: outageLeft) }
        #expect(receiver.received.count == arrivalsDuringOutage)

        // The receiver comes back; the operator resumes; the backlog goes out in order.
        try await receiver.up()
        let resumed = try await api("POST", "/v1/subscriptions/\(id)/resume")
        #expect(resumed.json["state"] as? String == "active")
        #expect(await eventually(timeout: .seconds(90)) { expectedAll.isSubset(of: Set(receiver.unique.compactMap(\.eventId))) },
                "missing: \(expectedAll.subtracting(receiver.unique.compactMap(\.eventId)).count)")
        let settled = await eventually(timeout: .seconds(30)) {
            (try? await checks.count("SELECT count(*)::int FROM notifier.subscription_deliveries WHERE state <> 'delivered'")) == 0
        }
        #expect(settled)

        // Exactly the matching events, each with a valid signature, in per-lead order.
        let arrivals = receiver.received
        let unique = receiver.unique
        #expect(Set(unique.compactMap(\.eventId)) == expectedAll)
        #expect(unique.count == expectedAll.count)
        #expect(arrivals.allSatisfy { $0.signatureValid })
        #expect(unique.allSatisfy { $0.changes == [["field": "locationResponse", "from": "accepted", "to": "won"]] })
        for (lead, expected) in expectedByLead {
            #expect(unique.filter { $0.leadId == lead }.compactMap(\.eventId) == expected, "lead \(lead)")
        }
        // Once per event and subscription in the notifier; a copy resent after the kill (the one
        // window no protocol closes) carries the same delivery id and the same bytes.
        #expect(try await checks.count("SELECT count(*)::int FROM notifier.subscription_deliveries") == expectedAll.count)
        var copies: [String: [SubscriptionReceiver.Arrival]] = [:]
        for arrival in arrivals { copies[arrival.deliveryId, default: []].append(arrival) }
        let resent = copies.values.filter { $0.count > 1 }
        #expect(resent.allSatisfy { Set($0.map(\.body)).count == 1 })
        #expect(resent.count <= 32)
        let metricsAfter = await eventually(timeout: .seconds(20)) {
            let text = (try? await process.get("/metrics").body) ?? ""
            return text.contains("leadflow_subscriptions_paused 0") && text.contains("leadflow_subscription_backlog{subscription=\"\(id)\"} 0")
                && text.contains("leadflow_subscription_attempts_total{subscription=\"\(id)\",result=\"failure\"}")
        }
        #expect(metricsAfter)
        print("subscriptions kill -9 + outage: \(expectedAll.count) expected of \(histories.map(\.events.count).reduce(0, +)) events, "
              + "\(beforeCrash) arrived before the kill, \(arrivals.count) arrivals, \(resent.count) resent, backlog at pause \(backlog)")

        await receiver.down()
        _ = try? await process.terminate(timeout: .seconds(30))
        try await TestDatabase.dropDatabase(database)
    }
}
