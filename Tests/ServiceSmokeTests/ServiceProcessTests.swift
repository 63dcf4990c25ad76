import Foundation
import LeadIntegrationSupport
import LeadMessaging
import LeadTestSupport
import Logging
import PostgresNIO
import Testing

/// Starts each service executable for real against the embedded broker and database and checks the
/// foundation's promises: it connects, migrates its schema, creates the topics, serves health and
/// metrics, runs a librdkafka of 2.1 or newer from /usr/local, and stops cleanly on SIGTERM.
@Suite("Service executables (real processes, Tansu, PostgreSQL)")
struct ServiceProcessTests {
    static let services = ["ingest", "scoring", "routing", "notifier", "analytics"]

    @Test("starts, becomes ready, serves metrics and exits 0 on SIGTERM", arguments: services)
    func lifecycle(service: String) async throws {
        let database = try await TestDatabase.createDatabase()
        let prefix = TestEnvironment.uniqueName("smoke") + "."
        let process = try ServiceProcess.launch(service: service, database: database, topicPrefix: prefix)
        defer { process.kill() }

        let ready = await eventually(timeout: .seconds(60), every: .milliseconds(200)) {
            (try? await process.get("/health/ready").status) == 200
        }
        #expect(ready, "\(service) never became ready; log:\n\(process.log)")

        let live = try await process.get("/health/live")
        #expect(live.status == 200)
        let metrics = try await process.get("/metrics")
        #expect(metrics.status == 200)
        #expect(metrics.body.contains("hb_requests") || metrics.body.contains("leadflow_"))
        let missing = try await process.get("/no-such-endpoint")
        #expect(missing.status == 404)
        #expect(missing.body.contains("\"code\":\"not_found\""))

        // The librdkafka it runs with is logged and new enough.
        let version = try #require(process.librdkafkaVersion, "no librdkafka version in the log:\n\(process.log)")
        #expect(version.compare("2.1.0", options: .numeric) != .orderedAscending)

        // Its schema was migrated and every Leadflow topic exists with the configured partitions.
        try await TestDatabase.withClient(database: database) { client in
            let rows = try await client.query(
                "SELECT set_name FROM leadflow_meta.schema_migrations WHERE set_name = \("\(service).messaging")"
            )
            var found = false
            for try await _ in rows.decode(String.self) { found = true }
            #expect(found)
        }
        let admin = try KafkaAdmin(bootstrapServers: TestEnvironment.kafkaBrokers, logger: Logger(label: "test"))
        defer { admin.shutdown() }
        let topics = try await admin.listTopics()
        for name in ["leads.inbound", "leads.received", "leads.lifecycle", "leads.scored", "leads.assigned",
                     "notifications.outcomes", "analytics.metrics", "leads.deadletter"] {
            #expect(topics[prefix + name] == 3, "topic \(prefix + name)")
        }

        let status = try await process.terminate(timeout: .seconds(30))
        #expect(status == 0, "exit status \(status); log:\n\(process.log)")
        #expect(process.log.contains("stopped cleanly"))
        try await TestDatabase.dropDatabase(database)
    }

    @Test("the binaries load librdkafka from /usr/local, not Debian's 2.0.2")
    func linkedLibrary() throws {
        let ldd = Process()
        ldd.executableURL = URL(fileURLWithPath: "/usr/bin/ldd")
        ldd.arguments = [TestEnvironment.binDirectory + "/leadflow-ingest"]
        var environment = ProcessInfo.processInfo.environment
        environment["LD_LIBRARY_PATH"] = nil
        ldd.environment = environment
        let pipe = Pipe()
        ldd.standardOutput = pipe
        try ldd.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        ldd.waitUntilExit()
        let line = try #require(output.split(separator: "\n").first { $0.contains("librdkafka") })
        #expect(line.contains("/usr/local/lib/librdkafka"), "\(line)")
    }

    @Test("a malformed configuration stops the process at once with exit code 78")
    func badConfiguration() async throws {
        let process = try ServiceProcess.launch(
            service: "scoring", database: "unused", topicPrefix: "unused.", extraEnvironment: ["LEADFLOW_TOPIC_PARTITIONS": "none"]
        )
        defer { process.kill() }
        let status = try await process.waitForExit(timeout: .seconds(20))
        #expect(status == 78)
        #expect(process.log.contains("LEADFLOW_TOPIC_PARTITIONS"))
    }
}
