import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import LeadAnalytics
import LeadMessaging
import LeadModel
import LeadServiceKit
import LeadStorage
import Logging
import PostgresNIO
import ServiceLifecycle

/// `leadflow-analytics-bench`: how fast analytics projects events, and how fast it answers.
///
/// Publishes a history (LEADS leads × EVENTS_PER_LEAD events over every lead topic) to fresh
/// topics, starts the analytics service in this process against a fresh database, and measures
/// the time from the first projected event to the last (so the consumer group's join delay is
/// not counted). Then times list, detail and report queries. Prints the numbers.
@main
struct AnalyticsBench {
    static func main() async throws {
        let env = ProcessInfo.processInfo.environment
        let leads = Int(env["BENCH_LEADS"] ?? "") ?? 2000
        let perLead = max(4, Int(env["BENCH_EVENTS_PER_LEAD"] ?? "") ?? 10)
        var quiet = Logger(label: "bench")
        quiet.logLevel = .warning
        let logger = quiet
        let base = try ServiceConfiguration(serviceName: "analytics", defaultHTTPPort: 0)
        let stamp = String(UUID().uuidString.lowercased().prefix(8))
        let database = "bench_analytics_\(stamp)"
        let prefix = "bench_\(stamp)."

        // Fresh database and topics.
        let admin = base.database.makeClient(logger: logger)
        _ = try await withClient(admin, logger) { try await $0.query("CREATE DATABASE \(unescaped: database)", logger: logger) }
        let kafka = try KafkaAdmin(bootstrapServers: base.kafkaBrokers, logger: logger)
        _ = try await kafka.createTopics(Topic.allLeadflowTopics.map { TopicSpec(name: prefix + $0.name, partitions: 12) })

        // The history.
        let events = history(leads: leads, perLead: perLead)
        let producer = try KafkaProducer(configuration: KafkaProducerConfiguration(bootstrapServers: base.kafkaBrokers), logger: logger)
        let encoder = EventEncoder(source: "/leadflow/bench", topicPrefix: prefix)
        let publishStart = ContinuousClock.now
        for chunk in stride(from: 0, to: events.count, by: 5000) {
            let messages = try events[chunk..<min(chunk + 5000, events.count)].map { try message($0, encoder) }
            _ = try await producer.send(messages)
        }
        let publishTime = seconds(ContinuousClock.now - publishStart)
        await producer.shutdown()
        say("published \(events.count) events for \(leads) leads in \(String(format: "%.2f", publishTime)) s")

        // The service, in this process, release build.
        var environment = env
        environment["LEADFLOW_PG_DATABASE"] = database
        environment["LEADFLOW_TOPIC_PREFIX"] = prefix
        environment["LEADFLOW_CONSUMER_GROUP"] = prefix + "analytics"
        environment["LEADFLOW_HTTP_PORT"] = env["BENCH_HTTP_PORT"] ?? "18985"
        environment["LEADFLOW_KAFKA_SESSION_TIMEOUT_MS"] = "6000"
        environment["LEADFLOW_KAFKA_MAX_POLL_INTERVAL_MS"] = "60000"
        environment["LEADFLOW_LOG_LEVEL"] = "warning"
        let configuration = try ServiceConfiguration(serviceName: "analytics", defaultHTTPPort: 0, environment: environment)
        let group = ServiceGroup(configuration: .init(services: [RuntimeService(configuration: configuration, logger: logger)], logger: logger))
        let service = Task { try await group.run() }

        let projection = configuration.database.makeClient(logger: logger)
        try await withClient(projection, logger) { client in
            var first: ContinuousClock.Instant?
            var firstCount = 0
            var last = 0
            let deadline = ContinuousClock.now + .seconds(1800)
            while ContinuousClock.now < deadline {
                let count = (try? await count(client, logger)) ?? 0
                if count > 0, first == nil { first = .now; firstCount = count }
                if count >= events.count { break }
                if count != last { last = count }
                try await Task.sleep(for: .milliseconds(20))
            }
            guard let first else { throw BenchError(description: "nothing was projected") }
            let elapsed = seconds(ContinuousClock.now - first)
            let projected = events.count - firstCount
            say(String(format: "projected %d events in %.2f s: %.0f events/s (one instance, 12 partitions)",
                         projected, elapsed, Double(projected) / elapsed))
        }

        // Query latencies over the projected data.
        let token = try await TokenAuthority(configuration: configuration.auth, logger: logger)
            .issue(for: Principal(id: "bench", role: .platformAdmin))
        let url = "http://127.0.0.1:\(configuration.httpPort)"
        for (name, path) in [
            ("lead list, 50 newest", "/v1/leads?limit=50"),
            ("lead list, search", "/v1/leads?q=bench7"),
            ("lead list, hot and overdue", "/v1/leads?priority=hot&overdue=true"),
            ("conversion report by source", "/v1/reports/conversion?groupBy=source&from=2000-01-01"),
            ("funnel report", "/v1/reports/funnel?from=2000-01-01"),
            ("hot sheet", "/v1/reports/hot-sheet"),
        ] {
            var times: [Double] = []
            for _ in 0..<10 {
                let start = ContinuousClock.now
                let status = try await get(url + path, token: token)
                guard status == 200 else { throw BenchError(description: "\(path) answered \(status)") }
                times.append(seconds(ContinuousClock.now - start) * 1000)
            }
            times.sort()
            say(String(format: "%@: median %.1f ms, max %.1f ms (over %d leads)", name, times[times.count / 2], times.last!, leads))
        }

        await group.triggerGracefulShutdown()
        _ = try? await service.value
        _ = try await withClient(base.database.makeClient(logger: logger), logger) { try await $0.query("DROP DATABASE IF EXISTS \(unescaped: database) WITH (FORCE)", logger: logger) }
        try? await kafka.deleteTopics(Topic.allLeadflowTopics.map { prefix + $0.name })
        kafka.shutdown()
    }

    static func history(leads: Int, perLead: Int) -> [AnyLeadflowEvent] {
        let now = Date()
        var events: [AnyLeadflowEvent] = []
        let sources = ["src-web", "src-meta", "src-adf", "src-google"]
        for index in 0..<leads {
            let created = now.addingTimeInterval(-Double(index % 30) * 86_400 - Double(index))
            var lead = Lead(
                fullName: PersonName(full: "Bench\(index) Person"),
                contacts: ContactInfo(emails: [EmailAddress(address: "bench\(index)@example.com")],
                                      phones: [PhoneNumber(raw: "+1614555\(String(format: "%04d", index % 10000))")]),
                source: LeadSource(id: sources[index % sources.count], channel: .json),
                vehiclesOfInterest: [VehicleOfInterest(vehicleType: ["suv", "truck", "sedan"][index % 3], isPreferred: true)],
                createdAt: created)
            let received = LeadReceived(occurredAt: created, lead: lead,
                                        intake: Intake(channel: .json, sourceId: lead.source.id, receivedAt: created),
                                        actor: Actor(id: lead.source.id, role: .integrationSource))
            events.append(.received(received))
            lead.score = (index * 37) % 100
            events.append(.scored(LeadScored(leadId: lead.id, occurredAt: created + 2, score: lead.score!, rulesVersion: 1, factors: [],
                                             causationEventId: received.eventId, lead: lead)))
            let owner = "member-\(index % 7)"
            lead.ownerId = owner
            lead.locationId = "loc-\(index % 3)"
            events.append(.assigned(LeadAssigned(leadId: lead.id, occurredAt: created + 5, locationId: lead.locationId, teamId: "team-\(index % 3)",
                                                 ownerId: owner, strategy: .roundRobin, reason: "bench", responseDueAt: created + 1800,
                                                 causationEventId: received.eventId, lead: lead)))
            let actor = Actor(id: owner, role: .salesperson)
            let statuses: [PipelineStatus] = [.contacted, .qualified, .testDrive, .negotiation]
            for step in 0..<(perLead - 4) {
                let at = created.addingTimeInterval(Double(60 * (step + 1)))
                let change: LifecycleChange = step < statuses.count
                    ? .pipelineStatusChanged(pipelineId: "default", from: step == 0 ? .new : statuses[step - 1], to: statuses[step], lostReason: nil, note: nil)
                    : .activityLogged(Activity(kind: .call, direction: .outbound, outcome: .connected, at: at))
                events.append(.lifecycle(LeadLifecycleEvent(leadId: lead.id, occurredAt: at, actor: actor, change: change)))
            }
            events.append(.notification(NotificationOutcome(
                leadId: lead.id, occurredAt: created + 6, notificationKey: "n-\(index)", channel: .email, purpose: .newLeadAssigned,
                recipient: NotificationRecipient(id: owner, kind: .member), status: .sent, attempts: 1)))
        }
        return events
    }

    static func message(_ event: AnyLeadflowEvent, _ encoder: EventEncoder) throws -> OutgoingMessage {
        let record = try encoder.record(event)
        return OutgoingMessage(topic: record.topic, key: record.key.map { Array($0.utf8) }, value: record.payload,
                               headers: record.headers.map { KafkaHeader(key: $0.key, string: $0.value) })
    }

    static func count(_ client: PostgresClient, _ logger: Logger) async throws -> Int {
        let rows = try await client.query("SELECT count(*)::int FROM analytics_projection.lead_events", logger: logger)
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }

    /// Runs `body` with `client` running (a client runs once: make a new one per call).
    static func withClient<T: Sendable>(_ client: PostgresClient, _ logger: Logger, _ body: @Sendable (PostgresClient) async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            try await client.waitUntilReachable(timeout: .seconds(20), logger: logger)
            return try await body(client)
        }
    }

    static func get(_ url: String, token: String) async throws -> Int {
        var request = URLRequest(url: URL(string: url)!)
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        let (_, response) = try await URLSession.shared.data(for: request)
        return (response as? HTTPURLResponse)?.statusCode ?? 0
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    struct BenchError: Error, CustomStringConvertible {
        let description: String
    }
}

/// Prints a line at once (unbuffered), so numbers survive whatever happens next.
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

/// The analytics service as the runtime runs it, stopped by the group's graceful shutdown.
struct RuntimeService: Service {
    let configuration: ServiceConfiguration
    let logger: Logger

    func run() async throws {
        try await LeadflowRuntime.run(AnalyticsService.definition, configuration: configuration, logger: logger, signals: [])
    }
}
