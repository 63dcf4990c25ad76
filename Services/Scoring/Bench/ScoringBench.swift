import Foundation
import LeadMessaging
import LeadModel
import LeadServiceKit
import LeadStorage
import Logging
import PostgresNIO

/// `scoring-bench`: how many leads per second the scoring service scores.
///
/// Publishes `--leads` new leads to `leads.received` of fresh topics (12 partitions) *before* the
/// service starts, then starts `--instances` `leadflow-scoring` processes (one consumer group, a
/// fresh database) and times from the first `leads.scored` event to the last one, so start-up and
/// the group join are not counted. Prints one result line.
@main
struct ScoringBench {
    static func main() async throws {
        let arguments = CommandLine.arguments
        func value(_ name: String, _ fallback: Int) -> Int {
            guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return fallback }
            return Int(arguments[index + 1]) ?? fallback
        }
        let leads = value("--leads", 20_000)
        let instances = value("--instances", 1)
        let binDirectory = ProcessInfo.processInfo.environment["LEADFLOW_BIN_DIR"]
            ?? URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path
        let logger = {
            var logger = Logger(label: "bench")
            logger.logLevel = .warning
            return logger
        }()
        let env = ProcessInfo.processInfo.environment
        let brokers = env["LEADFLOW_KAFKA_BROKERS"] ?? "127.0.0.1:19092"
        let run = UUID().uuidString.lowercased().prefix(8)
        let prefix = "bench_\(run)."
        let database = "bench_\(run)"

        // Fresh topics and database.
        let admin = try KafkaAdmin(bootstrapServers: brokers, logger: logger)
        _ = try await admin.createTopics(Topic.allLeadflowTopics.map { TopicSpec(name: prefix + $0.name, partitions: 12) })
        admin.shutdown()
        try await postgres(env, database: "postgres", logger: logger) { client in
            try await client.query("CREATE DATABASE \(unescaped: database)", logger: logger)
        }

        // The input, produced before any consumer runs.
        let producer = try KafkaProducer(configuration: KafkaProducerConfiguration(bootstrapServers: brokers), logger: logger)
        let encoder = EventEncoder(source: "/leadflow/bench", topicPrefix: prefix)
        let now = Date()
        var batch: [OutgoingMessage] = []
        for i in 0..<leads {
            let event = LeadReceived(occurredAt: now, lead: sampleLead(i, at: now),
                                     intake: Intake(channel: .json, sourceId: "src-bench", receivedAt: now),
                                     actor: Actor(id: "src-bench", role: .integrationSource))
            let record = try encoder.record(event)
            batch.append(OutgoingMessage(topic: record.topic, key: record.key.map { Array($0.utf8) }, value: record.payload,
                                         headers: record.headers.map { KafkaHeader(key: $0.key, string: $0.value) }))
            if batch.count == 1000 || i == leads - 1 {
                _ = try await producer.send(batch)
                batch.removeAll(keepingCapacity: true)
            }
        }
        await producer.shutdown()

        // A reader of leads.scored, started before the services.
        let reader = try KafkaConsumer(
            configuration: KafkaConsumerConfiguration(
                bootstrapServers: brokers, groupId: "bench-reader-\(run)", topics: [prefix + Topic.scored.name],
                sessionTimeoutMs: 6000, maxPollIntervalMs: 10_000),
            logger: logger)

        var processes: [Process] = []
        for n in 0..<instances {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binDirectory + "/leadflow-scoring")
            var environment = env
            environment["LEADFLOW_HTTP_PORT"] = "0"
            environment["LEADFLOW_PG_DATABASE"] = database
            environment["LEADFLOW_TOPIC_PREFIX"] = prefix
            environment["LEADFLOW_CONSUMER_GROUP"] = prefix + "scoring"
            environment["LEADFLOW_INSTANCE_ID"] = "bench-\(run)-\(n)"
            environment["LEADFLOW_KAFKA_SESSION_TIMEOUT_MS"] = "6000"
            environment["LEADFLOW_KAFKA_MAX_POLL_INTERVAL_MS"] = "10000"
            environment["LEADFLOW_LOG_LEVEL"] = "warning"
            environment["LEADFLOW_SCORING_RECENCY_SWEEP_SECONDS"] = "0"
            process.environment = environment
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            processes.append(process)
        }

        var seen = Set<String>()
        var first: ContinuousClock.Instant?
        var last = ContinuousClock.now
        let deadline = ContinuousClock.now + .seconds(600)
        for try await message in reader.messages {
            if first == nil { first = .now }
            if let key = message.keyString { seen.insert(key) }
            last = .now
            if seen.count >= leads || ContinuousClock.now > deadline { break }
        }
        await reader.close()
        for process in processes { process.terminate() }
        for process in processes { process.waitUntilExit() }
        try await postgres(env, database: "postgres", logger: logger) { client in
            try await client.query("DROP DATABASE IF EXISTS \(unescaped: database) WITH (FORCE)", logger: logger)
        }

        let elapsed = last - (first ?? last)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let rate = seconds > 0 ? Double(seen.count) / seconds : 0
        var usage = rusage()
        #if os(Linux)
        getrusage(__rusage_who_t(RUSAGE_CHILDREN.rawValue), &usage)
        #else
        getrusage(RUSAGE_CHILDREN, &usage)
        #endif
        let cpu = Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
        print(String(format: "scoring: %d instance(s), %d leads scored in %.2f s = %.0f leads/s (service CPU %.2f ms per lead, start-up included)",
                     instances, seen.count, seconds, rate, cpu * 1000 / Double(max(seen.count, 1))))
        if seen.count < leads { print("  (only \(seen.count) of \(leads) leads were scored before the deadline)") }
    }

    /// Lead `i`: a mix of hot, medium and cold inquiries.
    static func sampleLead(_ i: Int, at now: Date) -> Lead {
        var lead = Lead(
            fullName: PersonName(full: "Bench Lead \(i)"),
            contacts: ContactInfo(emails: [EmailAddress(address: "lead\(i)@example.com")]),
            source: LeadSource(id: "src-bench", channel: .json),
            vehiclesOfInterest: [VehicleOfInterest(interest: .buy, kind: i % 3 == 0 ? .inventory : .search,
                                                   make: "Honda", model: "CR-V", isPreferred: true)],
            createdAt: now)
        if i % 2 == 0 { lead.contacts.phones = [PhoneNumber(raw: "614-555-0142", e164: "+16145550142")] }
        if i % 4 == 0 { lead.timeframe = Timeframe(bucket: .withinWeek) }
        if i % 5 == 0 { lead.budget = BudgetRange(max: Money("30000")) }
        return lead
    }

    static func postgres(
        _ env: [String: String], database: String, logger: Logger, _ body: @Sendable (PostgresClient) async throws -> Void
    ) async throws {
        let configuration = DatabaseConfiguration(
            host: env["LEADFLOW_PG_HOST"] ?? "127.0.0.1", port: Int(env["LEADFLOW_PG_PORT"] ?? "") ?? 54329,
            database: database, username: env["LEADFLOW_PG_USER"] ?? "leadflow",
            password: env["LEADFLOW_PG_PASSWORD"] ?? "leadflow", maximumConnections: 2)
        let client = configuration.makeClient(logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            try await client.waitUntilReachable(timeout: .seconds(20), logger: logger)
            try await body(client)
        }
    }
}
