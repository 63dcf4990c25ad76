import Foundation
import LeadMessaging
import LeadModel
import LeadRouting
import LeadServiceKit
import LeadStorage
import Logging
import PostgresNIO

/// Drives running `leadflow-routing` instances (started by `scripts/bench-routing`) with
/// `leads.scored` events and prints assignments per second, latency and the round-robin spread.
///
/// Usage: `routing-bench <leads> <members> <instances>`; the database, broker and topic prefix
/// come from the usual `LEADFLOW_*` variables.
@main
struct RoutingBench {
    static func main() async throws {
        let arguments = CommandLine.arguments.dropFirst().compactMap { Int($0) }
        guard arguments.count == 3 else {
            FileHandle.standardError.write(Data("usage: routing-bench <leads> <members> <instances>\n".utf8))
            exit(64)
        }
        let (leads, members, instances) = (arguments[0], arguments[1], arguments[2])
        let configuration = try ServiceConfiguration(serviceName: "routing", defaultHTTPPort: 0)
        var logger = Logger(label: "routing-bench")
        logger.logLevel = .warning
        let postgres = configuration.database.makeClient(logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await postgres.run() }
            defer { group.cancelAll() }
            try await postgres.waitUntilReachable(timeout: .seconds(20), logger: logger)
            try await run(leads: leads, members: members, instances: instances, configuration: configuration, postgres: postgres, logger: logger)
        }
    }

    static func run(
        leads: Int, members: Int, instances: Int, configuration: ServiceConfiguration, postgres: PostgresClient, logger: Logger
    ) async throws {
        let schema = try SQLIdentifier("routing")
        let config = ConfigRepository(schema: schema, logger: logger)
        let memberIds = (1...members).map { String(format: "member-bench-%03d", $0) }
        try await postgres.transaction(logger: logger) { connection in
            _ = try await config.put(Team(id: "team-bench", name: "Bench"), ifMatch: nil, on: connection)
            for id in memberIds {
                _ = try await config.put(Member(id: id, teamId: "team-bench", name: id), ifMatch: nil, on: connection)
            }
        }
        let producer = try KafkaProducer(
            configuration: KafkaProducerConfiguration(bootstrapServers: configuration.kafkaBrokers, clientId: "routing-bench"),
            logger: logger)
        let encoder = EventEncoder(source: "/leadflow/bench", topicPrefix: configuration.topicPrefix)
        func publish(_ count: Int) async throws {
            var remaining = count
            while remaining > 0 {
                let size = min(remaining, 1000)
                let now = Date()
                let messages = try (0..<size).map { _ -> OutgoingMessage in
                    let id = LeadID()
                    let lead = Lead(id: id, source: LeadSource(id: "src-bench", channel: .json), createdAt: now)
                    let event = LeadScored(leadId: id, occurredAt: now, score: 45, rulesVersion: 1, factors: [],
                                           causationEventId: UUID(), lead: lead)
                    let record = try encoder.record(event)
                    return OutgoingMessage(topic: record.topic, key: record.key.map { Array($0.utf8) } ?? nil, value: record.payload,
                                           headers: record.headers.map { KafkaHeader(key: $0.key, string: $0.value) })
                }
                _ = try await producer.send(messages)
                remaining -= size
            }
        }
        func count(_ sql: String) async throws -> Int {
            for try await value in try await postgres.query(PostgresQuery(unsafeSQL: sql), logger: logger).decode(Int64.self) {
                return Int(value)
            }
            return 0
        }

        // Warm-up: until every instance holds partitions and has assigned a lead.
        let warmUpDeadline = ContinuousClock.now + .seconds(120)
        while try await count("SELECT count(DISTINCT routed_by) FROM routing.assignments") < instances {
            guard ContinuousClock.now < warmUpDeadline else { throw BenchError("the instances never all took partitions") }
            try await publish(24)
            try await Task.sleep(for: .milliseconds(500))
        }
        let warm = try await count("SELECT count(*) FROM routing.assignments")
        let baselineId = try await count("SELECT coalesce(max(id), 0) FROM routing.assignments")
        // Let the warm-up drain so it does not count.
        while try await count("SELECT count(*) FROM routing.assignments") < warm { try await Task.sleep(for: .milliseconds(50)) }

        let started = Date()
        try await publish(leads)
        let published = Date()
        let deadline = ContinuousClock.now + .seconds(600)
        while try await count("SELECT count(*) FROM routing.assignments WHERE id > \(baselineId)") < leads {
            guard ContinuousClock.now < deadline else { throw BenchError("timed out waiting for \(leads) assignments") }
            try await Task.sleep(for: .milliseconds(20))
        }

        var finished = started, first = started
        for try await (lo, hi) in try await postgres.query(
            "SELECT min(occurred_at), max(occurred_at) FROM routing.assignments WHERE id > \(baselineId)", logger: logger
        ).decode((Date, Date).self) { (first, finished) = (lo, hi) }
        var p50 = 0.0, p99 = 0.0
        for try await (a, b) in try await postgres.query(
            """
            SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms), percentile_cont(0.99) WITHIN GROUP (ORDER BY ms)
            FROM (SELECT extract(epoch FROM a.occurred_at - (l.lead->>'createdAt')::timestamptz) * 1000 AS ms
                  FROM routing.assignments a JOIN routing.leads l USING (lead_id) WHERE a.id > \(baselineId)) s
            """, logger: logger
        ).decode((Double, Double).self) { (p50, p99) = (a, b) }
        var spread: [Int] = []
        for try await value in try await postgres.query(
            "SELECT count(*)::bigint FROM routing.assignments GROUP BY owner_id", logger: logger).decode(Int64.self) {
            spread.append(Int(value))
        }
        var perInstance: [String] = []
        for try await (instance, value) in try await postgres.query(
            "SELECT routed_by, count(*)::bigint FROM routing.assignments WHERE id > \(baselineId) GROUP BY routed_by ORDER BY routed_by",
            logger: logger).decode((String, Int64).self) {
            perInstance.append("\(instance)=\(value)")
        }
        let total = finished.timeIntervalSince(started)
        let steady = finished.timeIntervalSince(first)
        print("""
            routing bench: \(leads) leads, \(members) members in one round-robin team, \(instances) instance(s)
              published in          \(String(format: "%.2f", published.timeIntervalSince(started))) s
              all assigned after    \(String(format: "%.2f", total)) s
              assignments/s         \(String(format: "%.0f", Double(leads) / total)) (first to last assignment: \(String(format: "%.0f", Double(leads) / max(steady, 0.001))))
              latency (published → assigned)  p50 \(String(format: "%.0f", p50)) ms, p99 \(String(format: "%.0f", p99)) ms
              round-robin spread    min \(spread.min() ?? 0), max \(spread.max() ?? 0) per member (warm-up included)
              per instance          \(perInstance.joined(separator: ", "))
            """)
        await producer.shutdown(timeout: .seconds(10))
    }

    struct BenchError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}
