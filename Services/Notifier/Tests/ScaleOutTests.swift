import Foundation
import LeadIntegrationSupport
import LeadMessaging
import LeadModel
import LeadServiceKit
import LeadTestSupport
import Logging
import PostgresNIO
import Testing

@testable import LeadNotifier

/// Several notifier instances and crashes: every notification is sent once, none is lost.
@Suite("Notifier scale-out and crashes (Tansu, PostgreSQL, aiosmtpd)", .serialized)
struct ScaleOutTests {
    @Test("two instances in one group share the events, the due deliveries and the due jobs without ever sending twice")
    func twoInstances() async throws {
        let database = try await TestDatabase.createDatabase()
        let checks = CheckClient(database: database)
        defer { checks.stop() }
        let prefix = TestKafka.uniquePrefix("scale")
        try await TestKafka.createLeadflowTopics(prefix: prefix)
        let sink = try await SMTPSink.start()
        defer { sink.stop() }
        let clock = TestClock(try Date("2031-05-06T12:30:00Z", strategy: .iso8601))
        let environment = NotifierStack.environment(smtpPort: sink.port, smsURL: nil)
        let definition = NotifierService.makeDefinition(clock: clock.clock)
        let first = try await InProcessService.start(definition, database: database, topicPrefix: prefix,
                                                     environment: environment.merging(["LEADFLOW_INSTANCE_ID": "notifier-a"]) { _, b in b })
        let second = try await InProcessService.start(definition, database: database, topicPrefix: prefix,
                                                      environment: environment.merging(["LEADFLOW_INSTANCE_ID": "notifier-b"]) { _, b in b })
        let admin = try await TestAuth.token(.platformAdmin, id: "admin")
        let s = uniqueSuffix()
        let owners = (0..<6).map { "member-\($0)-\(s)" }
        // Owners are in quiet hours now: their alerts wait, then come due together, and both
        // instances' dispatchers race for them.
        for owner in owners {
            let response = try await TestHTTP.request(
                "PUT", first.baseURL + "/v1/recipients/\(owner)",
                headers: ["authorization": TestAuth.bearer(admin), "content-type": "application/json"],
                body: Array(#"{"kind":"member","email":"\#(owner)@example.com","quietHours":{"start":"12:00","end":"13:00"}}"#.utf8))
            try #require(response.status == 201)
        }
        let contact = try await TestHTTP.request(
            "PUT", second.baseURL + "/v1/recipients/contact-\(s)",
            headers: ["authorization": TestAuth.bearer(admin), "content-type": "application/json"],
            body: Array(#"{"kind":"location_contact","email":"contact-\#(s)@dealer.example","locationId":"loc-\#(s)"}"#.utf8))
        try #require(contact.status == 201)

        let producer = try TestKafka.producer()
        let leads = (0..<60).map { index in
            Events.lead(email: "customer-\(index)-\(s)@example.com", owner: owners[index % owners.count], location: "loc-\(s)", at: clock.now)
        }
        try await TestKafka.publish(leads.map { Events.assigned($0, at: clock.now) }, prefix: prefix, producer: producer)

        // At once: the location contact and the customers (120); the owners' alerts wait for 13:00.
        await sink.wait(timeout: .seconds(180)) { $0.count >= 120 }  // a rebalance of two static members can take a while on Tansu
        #expect(sink.messages.count == 120)
        #expect(try await checks.count("SELECT count(*)::int FROM notifier.deliveries WHERE state = 'pending'") == 60)

        // 13:30:05: the 60 held alerts are due, and so are two default tasks per lead (15 minutes, one hour).
        clock.advance(by: 60 * 60 + 5)
        let expected = 120 + 60 + 120
        await sink.wait(timeout: .seconds(120)) { $0.count >= expected }
        let settled = await eventually(timeout: .seconds(30)) {
            (try? await checks.count("""
                SELECT count(*)::int FROM notifier.deliveries WHERE state IN ('pending', 'sending')
                  AND due_at <= to_timestamp(\(clock.now.timeIntervalSince1970))
                """)) == 0
        }
        #expect(settled)
        let mails = sink.messages
        #expect(mails.count == expected)
        #expect(Set(mails.compactMap(\.notificationKey)).count == expected)
        #expect(Set(mails.map(\.messageId)).count == expected)
        #expect(try await checks.count("SELECT count(*)::int FROM notifier.deliveries WHERE state = 'sent'") == expected)
        #expect(try await checks.count("SELECT count(*)::int FROM notifier.deliveries WHERE state = 'sent' AND attempts <> 1") == 0)
        // Each due task job fired exactly once (once fired it moved on to its overdue occurrence).
        #expect(try await checks.count("""
            SELECT count(*)::int FROM notifier.jobs WHERE kind = 'task_due' AND occurrence = 1 AND last_fired_at IS NOT NULL
            """) == 120)
        let senders = try await checks.count("SELECT count(DISTINCT sent_by)::int FROM notifier.deliveries WHERE state = 'sent'")
        let firers = try await checks.count("SELECT count(DISTINCT fired_by)::int FROM notifier.jobs WHERE fired_by IS NOT NULL")
        print("two instances: \(senders) instance(s) sent, \(firers) instance(s) fired jobs")
        // The held alerts came due at once for both dispatchers, so both took part.
        #expect(senders == 2)

        await producer.shutdown()
        await first.stop()
        await second.stop()
        try await TestDatabase.dropDatabase(database)
    }

    @Test("kill -9 in the middle of a burst: nothing is lost, and a resent message carries the same Message-ID")
    func killAndRestart() async throws {
        let database = try await TestDatabase.createDatabase()
        let checks = CheckClient(database: database)
        defer { checks.stop() }
        let prefix = TestKafka.uniquePrefix("crash")
        try await TestKafka.createLeadflowTopics(prefix: prefix)
        let sink = try await SMTPSink.start()
        defer { sink.stop() }
        var environment = NotifierStack.environment(smtpPort: sink.port, smsURL: nil)
        environment["LEADFLOW_INSTANCE_ID"] = "notifier-crash"
        environment["LEADFLOW_NOTIFIER_CUSTOMER_ACK"] = "false"
        // A lease far longer than the test: what the killed process was sending is only sent in
        // time because the restart under the same instance id takes its own leases back.
        environment["LEADFLOW_NOTIFIER_LEASE_SECONDS"] = "3600"
        environment["LEADFLOW_LOG_LEVEL"] = "notice"
        let first = try ServiceProcess.launch(service: "notifier", database: database, topicPrefix: prefix, extraEnvironment: environment)
        defer { first.kill() }
        #expect(await eventually(timeout: .seconds(60)) { (try? await first.get("/health/ready").status) == 200 }, "\(first.log)")
        let admin = try await TestAuth.token(.platformAdmin, id: "admin")
        let s = uniqueSuffix()
        let owner = "member-\(s)"
        let put = try await TestHTTP.request(
            "PUT", "http://127.0.0.1:\(first.port)/v1/recipients/\(owner)",
            headers: ["authorization": TestAuth.bearer(admin), "content-type": "application/json"],
            body: Array(#"{"kind":"member","email":"owner-\#(s)@example.com"}"#.utf8))
        try #require(put.status == 201)

        let total = 200
        let producer = try TestKafka.producer()
        let events = (0..<total).map { _ in Events.assigned(Events.lead(email: nil, owner: owner, location: nil, at: Date()), at: Date()) }
        try await TestKafka.publish(events, prefix: prefix, producer: producer)
        await sink.wait(timeout: .seconds(60)) { $0.count >= 30 }
        first.kill()  // SIGKILL mid-burst
        _ = try await first.waitForExit(timeout: .seconds(10))
        let sentBeforeCrash = sink.messages.count
        let leasedAtCrash = try await checks.count("SELECT count(*)::int FROM notifier.deliveries WHERE state = 'sending'")

        let second = try ServiceProcess.launch(service: "notifier", database: database, topicPrefix: prefix, extraEnvironment: environment)
        defer { second.kill() }
        let expectedKeys = Set(events.map { NotificationKey(cause: .event($0.eventId), kind: .newLeadAssigned, recipientId: owner, channel: .email).value })
        await sink.wait(timeout: .seconds(120)) { mails in expectedKeys.isSubset(of: Set(mails.compactMap(\.notificationKey))) }
        let settled = await eventually(timeout: .seconds(30)) {
            (try? await checks.count("SELECT count(*)::int FROM notifier.deliveries WHERE state <> 'sent'")) == 0
        }
        #expect(settled)
        if leasedAtCrash > 0 {
            #expect(second.log.contains("took back deliveries this instance was sending before a restart"))
        }

        let mails = sink.messages
        let received = Set(mails.compactMap(\.notificationKey))
        #expect(received == expectedKeys, "lost: \(expectedKeys.subtracting(received).count)")
        var byKey: [String: [ReceivedMail]] = [:]
        for mail in mails { byKey[mail.notificationKey ?? "", default: []].append(mail) }
        let duplicates = byKey.values.filter { $0.count > 1 }
        // Only the deliveries in flight at the kill can be sent twice, and each copy has the same Message-ID.
        #expect(duplicates.allSatisfy { Set($0.map(\.messageId)).count == 1 })
        #expect(duplicates.count <= 32)
        #expect(try await checks.count("SELECT count(*)::int FROM notifier.deliveries WHERE state = 'sent'") == total)
        print("kill -9: \(sentBeforeCrash) sent before the crash, \(mails.count) messages in all, \(duplicates.count) resent after the crash")

        await producer.shutdown()
        _ = try? await second.terminate(timeout: .seconds(30))
        try await TestDatabase.dropDatabase(database)
    }
}
