import Foundation
import LeadAnalytics
import LeadIntegrationSupport
import LeadMessaging
import LeadModel
import LeadServiceKit
import LeadStorage
import LeadTestSupport
import Testing

extension ScriptedHistoryTests {
    /// Every report as JSON without its generation time, for before/after comparisons.
    func allReports() async throws -> [String: String] {
        var reports: [String: String] = [:]
        for kind in ReportKind.allCases {
            var json = try await stack.report(kind.rawValue).json
            json["generatedAt"] = nil
            reports[kind.rawValue] = String(decoding: try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys]), as: UTF8.self)
        }
        return reports
    }

    /// Publishes one message without CloudEvents headers behind everything already sent for
    /// each (topic, key); returns once analytics dead-lettered all of them — so every message
    /// before them in their partitions was handled.
    func drain(_ events: [AnyLeadflowEvent]) async throws {
        let encoder = EventEncoder(source: "/leadflow/test", topicPrefix: stack.prefix)
        var pairs: Set<[String]> = []
        for event in events {
            let record = try encoder.record(event)
            pairs.insert([record.topic, record.key ?? ""])
        }
        let marker = UUID().uuidString
        let expected = pairs.count
        _ = try await stack.producer.send(pairs.map {
            OutgoingMessage(topic: $0[0], key: Array($0[1].utf8), value: Array("sentinel".utf8),
                            headers: [KafkaHeader(key: "x-sentinel", string: marker)])
        })
        let seen = await stack.deadLetters.wait(timeout: .seconds(60)) { events in
            events.compactMap(\.deadLetter).filter { $0.originalHeaders["x-sentinel"] == marker }.count >= expected
        }
        let count = seen.compactMap(\.deadLetter).filter { $0.originalHeaders["x-sentinel"] == marker }.count
        try #require(count >= pairs.count, "only \(count) of \(pairs.count) sentinels came back")
    }

    @Test("redelivered events are counted exactly once")
    func redelivery() async throws {
        let before = try await allReports()
        let events = try await stack.status()["events"] as? Int
        let (early, rest) = script.events()
        try await stack.publish(rest + early)
        try await drain(rest + early)
        let afterEvents = try await stack.status()["events"] as? Int
        #expect(afterEvents == events, "events before \(events ?? -1), after \(afterEvents ?? -1)")
        let after = try await allReports()
        for (name, json) in before {
            #expect(after[name] == json, "\(name) changed after redelivery")
        }
    }

    @Test("malformed messages are dead-lettered with their reason; valid hostile content is stored safely")
    func hostileEvents() async throws {
        let topic = stack.prefix + Topic.lifecycle.name
        let lead = LeadID()
        let headers = [("ce_specversion", "1.0"), ("ce_id", UUID().uuidString.lowercased()), ("ce_type", LeadLifecycleEvent.eventType),
                       ("ce_source", "/leadflow/test"), ("content-type", "application/json")]
        func message(_ body: String, headers: [(String, String)], key: String = lead.description) -> OutgoingMessage {
            OutgoingMessage(topic: topic, key: Array(key.utf8), value: Array(body.utf8), headers: headers.map { KafkaHeader(key: $0.0, string: $0.1) })
        }
        var nested = String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000)
        nested = #"{"eventId":"x","nested":"# + nested + "}"
        let bad = [
            message("not json at all", headers: headers),
            message(#"{"eventId": 42}"#, headers: headers),
            message(nested, headers: headers),
            message("{}", headers: [("ce_specversion", "1.0")]),
            message(#"{"kind":"x"}"#, headers: headers.map { $0.0 == "ce_type" ? ($0.0, "io.evil.v1") : $0 }),
        ]
        _ = try await stack.producer.send(bad)
        var hostile = Lead(
            id: lead, fullName: PersonName(first: "Nul\u{0}Byte", last: String(repeating: "ä", count: 2000)),
            contacts: ContactInfo(emails: [EmailAddress(address: "'; DROP TABLE x; --@example.com")]),
            source: LeadSource(id: "src-\u{0}evil", channel: .json), createdAt: now.addingTimeInterval(-60), isTest: true)
        hostile.customFields = ["nul": .string("a\u{0}b"), "deep": .list([.list([.list([.number(1)])])])]
        let received = LeadReceived(occurredAt: now.addingTimeInterval(-60), lead: hostile,
                                    intake: Intake(channel: .json, sourceId: "src-evil", receivedAt: now), actor: Actor(id: "src-evil", role: .integrationSource))
        try await TestKafka.publish([received], prefix: stack.prefix, producer: stack.producer)
        let letters = await stack.deadLetters.wait(timeout: .seconds(60)) { events in
            events.compactMap(\.deadLetter).filter { $0.leadId == lead }.count >= bad.count
        }.compactMap(\.deadLetter).filter { $0.leadId == lead }
        #expect(letters.count == bad.count)
        #expect(letters.allSatisfy { $0.stage == .analytics && !$0.reason.isEmpty })
        #expect(Set(letters.map(\.errorCode)).isSuperset(of: ["invalid_json", "missing_header", "unknown_event_type"]))
        #expect(letters.contains { $0.originalValue == Array("not json at all".utf8) }, "the original bytes are kept")
        let stored = await eventually(timeout: .seconds(30)) {
            (try? await stack.get("/v1/leads/\(lead)", as: .admin).status) == 200
        }
        #expect(stored)
        let detail = try await stack.get("/v1/leads/\(lead)", as: .admin)
        #expect(detail.text.contains("DROP TABLE x"))
        #expect(try await stack.status()["leads"] as? Int ?? 0 >= script.leads.count)
    }

    @Test("analytics.metrics: one snapshot per minute with the script's counts and no personal data")
    func metricsSnapshots() async throws {
        let start = MetricsWindowing.minute(of: now.addingTimeInterval(-180 * 60))
        let end = MetricsWindowing.minute(of: now)
        func minute(_ date: Date) -> Date { Date(timeIntervalSince1970: (date.timeIntervalSince1970 / 60).rounded(.down) * 60) }
        // Independent expectation from the script.
        var counts: [Date: [String: [Int]]] = [:]
        var responses: [Date: [Double]] = [:]
        var closes: [Date: (won: Int, lost: Int)] = [:]
        for lead in script.current {
            let created = lead.createdAt(now)
            func count(_ time: Date, _ index: Int) {
                let window = minute(time)
                guard window >= start, window < end else { return }
                var bySource = counts[window, default: [:]][lead.source] ?? [0, 0, 0]
                bySource[index] += 1
                counts[window, default: [:]][lead.source] = bySource
            }
            count(created, 0)
            if lead.score != nil { count(created.addingTimeInterval(2), 1) }
            if lead.owner != nil { count(created.addingTimeInterval(5), 2) }
            if let after = lead.firstResponseAfter {
                let window = minute(created.addingTimeInterval(after))
                if window >= start, window < end { responses[window, default: []].append(after * 1000) }
            }
            if let after = lead.closedAfter {
                let window = minute(created.addingTimeInterval(after))
                if window >= start, window < end {
                    var close = closes[window] ?? (0, 0)
                    if lead.outcome == .won { close.won += 1 } else { close.lost += 1 }
                    closes[window] = close
                }
            }
        }
        #expect(counts.count >= 2, "the script puts leads into the last three hours")
        #expect(!closes.isEmpty)
        @Sendable func latest(_ events: [AnyLeadflowEvent]) -> [Date: MetricsSnapshot] {
            var latest: [Date: MetricsSnapshot] = [:]
            for snapshot in events.compactMap(\.metrics) where (latest[snapshot.windowStart]?.occurredAt ?? .distantPast) <= snapshot.occurredAt {
                latest[snapshot.windowStart] = snapshot
            }
            return latest
        }
        let expectedCounts = counts
        let expectedResponses = responses
        let expectedCloses = closes
        @Sendable func matches(_ snapshots: [Date: MetricsSnapshot]) -> Bool {
            var window = start
            while window < end {
                guard let snapshot = snapshots[window] else { return false }
                let sources = Dictionary(uniqueKeysWithValues: snapshot.perSource.map { ($0.sourceId, [$0.received, $0.scored, $0.assigned]) })
                if sources != expectedCounts[window] ?? [:] { return false }
                let median = ScriptedHistoryTests.median(expectedResponses[window] ?? []).map { Int($0.rounded()) }
                if snapshot.medianSpeedToLeadMs != median { return false }
                let close = expectedCloses[window] ?? (0, 0)
                if snapshot.conversions != ConversionCounts(won: close.won, lost: close.lost) { return false }
                window = window.addingTimeInterval(60)
            }
            return true
        }
        let events = await stack.metrics.wait(timeout: .seconds(60)) { matches(latest($0)) }
        #expect(matches(latest(events)), "the latest snapshot of every minute matches the script")
        #expect(latest(events).count >= 180)

        // Schema and privacy: only the schema's fields, never a name, address, phone or lead id.
        let schemaURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../../Shared/LeadModel/Schemas/analytics.metrics.schema.json")
        let schema = try JSONSerialization.jsonObject(with: Data(contentsOf: schemaURL)) as! [String: Any]
        let properties = Set((schema["properties"] as! [String: Any]).keys)
        let required = Set(schema["required"] as! [String])
        let itemProperties = Set(((((schema["properties"] as! [String: Any])["perSource"] as! [String: Any])["items"] as! [String: Any])["properties"] as! [String: Any]).keys)
        let personal = script.leads.flatMap { [$0.name, $0.email, $0.phone, $0.id.description] }
        for entry in stack.metrics.all {
            #expect(entry.message.header("ce_type") == MetricsSnapshot.eventType)
            #expect(entry.message.keyString == "metrics")
            let body = try #require(try JSONSerialization.jsonObject(with: Data(entry.message.value)) as? [String: Any])
            #expect(Set(body.keys).isSubset(of: properties))
            #expect(required.isSubset(of: Set(body.keys)))
            for item in body["perSource"] as? [[String: Any]] ?? [] {
                #expect(Set(item.keys).isSubset(of: itemProperties))
            }
            let text = String(decoding: entry.message.value, as: UTF8.self)
            for value in personal where text.contains(value) { Issue.record("snapshot contains '\(value)'") }
        }
    }
}

