import ArgumentParser
import Foundation
import LeadMessaging
import LeadModel
import LeadServiceKit
import Logging
import PostgresNIO
import Synchronization

/// `leadctl loadgen`: realistic leads in every intake format at a chosen rate, with repeat
/// people, against a running ingest; reports throughput and accept latency.
struct Loadgen: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send realistic leads to ingest in every intake format and report throughput and latency.",
        discussion: """
            Formats: json (POST /v1/leads), adf (POST /v1/leads/adf), google (POST /v1/webhooks/google, needs \
            --google-key), csv (POST /v1/leads/import, --csv-batch rows per file), meta and topic (published to \
            leads.inbound: Meta Graph lead objects, and JSON/ADF/Google payloads by content-type). \
            With --mint-admin, loadgen mints a platform-admin token from the LEADFLOW_JWT_* configuration \
            (the embedded default) and creates its own source and API key.
            """)

    @OptionGroup var cluster: ClusterOptions

    @Option(help: "Ingest's base URL (default: LEADFLOW_PUBLIC_INGEST_URL or http://127.0.0.1:8081); several, comma-separated, are used in turn, and a failed send is retried on the next.")
    var url: String?

    @Option(help: "Attempts per HTTP send: a connection failure, 429 or 5xx is retried (on the next URL) with the same body, which ingest de-duplicates by the lead's source id.")
    var attempts = 1

    @Option(help: "A source's API key (default: LEADFLOW_API_KEY).")
    var apiKey: String?

    @Option(help: "A platform-admin bearer token (default: LEADFLOW_OPERATOR_TOKEN).")
    var token: String?

    @Flag(help: "Mint an admin token from LEADFLOW_JWT_* and create a fresh source and key for the run.")
    var mintAdmin = false

    @Option(help: "Comma-separated formats: json, adf, google, meta, csv, topic.")
    var formats = "json,adf,google,meta,csv,topic"

    @Option(help: "Leads to send.")
    var count = 1000

    @Option(help: "Sends per second (0: as fast as the concurrency allows).")
    var rate: Double = 100

    @Option(help: "Requests in flight at most.")
    var concurrency = 16

    @Option(help: "Share of leads that repeat an earlier person (e-mail in another case, phone in another notation).")
    var duplicates: Double = 0.1

    @Option(help: "Google webhook key (default: LEADFLOW_INGEST_GOOGLE_KEY); without it google leads go to the topic.")
    var googleKey: String?

    @Option(help: "Rows per CSV import file.")
    var csvBatch = 50

    @Flag(help: "Wait until ingest has processed every topic message (reads ingest's processed_events in PostgreSQL).")
    var wait = false

    @Flag(help: "Print the summary as one JSON object.")
    var json = false

    enum Format: String, CaseIterable {
        case json, adf, google, meta, csv, topic
    }

    func run() async throws {
        let config = try cluster.configuration()
        let env = ProcessInfo.processInfo.environment
        var chosen = try formats.split(separator: ",").map { name -> Format in
            guard let format = Format(rawValue: name.trimmingCharacters(in: .whitespaces)) else { throw CLIError("unknown format \(name)") }
            return format
        }
        let google = googleKey ?? env["LEADFLOW_INGEST_GOOGLE_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        if google == nil, let index = chosen.firstIndex(of: .google) {
            chosen[index] = .topic  // Google payloads then travel the topic
        }
        guard !chosen.isEmpty, count > 0 else { throw CLIError("nothing to send") }
        let tag = String(UUID().uuidString.lowercased().prefix(8))
        var endpoint: IngestEndpoint
        let firstURL = url?.split(separator: ",").first.map { $0.trimmingCharacters(in: .whitespaces) }
        var sourceId = "loadgen"
        if mintAdmin {
            let authority = try await TokenAuthority(configuration: config.auth, logger: Logger(label: "leadctl"))
            let admin = try await authority.issue(for: Principal(id: "leadctl-loadgen", role: .platformAdmin), lifetime: .seconds(6 * 3600))
            endpoint = IngestEndpoint(
                baseURL: firstURL ?? env["LEADFLOW_PUBLIC_INGEST_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? "http://127.0.0.1:8081",
                credentials: [("Authorization", "Bearer \(admin)")])
            sourceId = "loadgen-\(tag)"
            let created = try await endpoint.send(.POST, "/v1/sources", body: Array(#"{"id":"\#(sourceId)","name":"Load generator \#(tag)","channel":"json","rateLimitPerMinute":100000000}"#.utf8), contentType: "application/json")
            guard created.status == 201 else { throw CLIError("creating the source failed: HTTP \(created.status) \(created.body.text)") }
            let key = try await endpoint.send(.POST, "/v1/sources/\(sourceId)/keys", body: Array("{}".utf8), contentType: "application/json")
            guard key.status == 201, let apiKey = key.body.jsonObject["apiKey"] as? String else { throw CLIError("issuing a key failed: HTTP \(key.status)") }
            endpoint.credentials = [("X-API-Key", apiKey)]
        } else {
            endpoint = try IngestEndpoint.resolve(url: firstURL, apiKey: apiKey, token: token)
        }

        // Build every payload up front so generation does not distort the timing.
        var faker = LeadFaker(runTag: tag)
        var items: [Item] = []
        var leads = 0
        var topicMessages = 0
        var index = 0
        while leads < count {
            let format = chosen[index % chosen.count]
            index += 1
            let externalId = "\(tag)-\(index)"
            switch format {
            case .csv:
                var file = LeadFaker.csvHeader
                let rows = min(csvBatch, count - leads)
                for row in 0..<rows {
                    let (person, again) = faker.person(duplicateShare: duplicates)
                    file += faker.csvRow(person, repeat: again, externalId: "\(externalId)-\(row)")
                }
                items.append(.http(format, "/v1/leads/import", Array(file.utf8), "text/csv", leads: rows))
                leads += rows
            case .json:
                let (person, again) = faker.person(duplicateShare: duplicates)
                items.append(.http(format, "/v1/leads", Array(faker.json(person, repeat: again, externalId: externalId).utf8), "application/json", leads: 1))
                leads += 1
            case .adf:
                let (person, again) = faker.person(duplicateShare: duplicates)
                items.append(.http(format, "/v1/leads/adf", Array(faker.adf(person, repeat: again, externalId: externalId).utf8), "application/xml", leads: 1))
                leads += 1
            case .google:
                let (person, again) = faker.person(duplicateShare: duplicates)
                items.append(.http(format, "/v1/webhooks/google", Array(faker.google(person, repeat: again, externalId: externalId, key: google ?? "").utf8), "application/json", leads: 1))
                leads += 1
            case .meta, .topic:
                let (person, again) = faker.person(duplicateShare: duplicates)
                let kind = format == .meta ? 0 : index % 4
                let (body, type): (String, String) = switch kind {
                case 0: (faker.meta(person, repeat: again, externalId: "9\(UInt(bitPattern: externalId.hashValue) % 1_000_000_000_000_000)"), "application/vnd.meta.lead+json")
                case 1: (faker.json(person, repeat: again, externalId: externalId), "application/json")
                case 2: (faker.adf(person, repeat: again, externalId: externalId), "application/xml")
                default: (faker.google(person, repeat: again, externalId: externalId, key: ""), "application/vnd.google.lead+json")
                }
                items.append(.topic(format, Array(body.utf8), type))
                leads += 1
                topicMessages += 1
            }
        }

        let stats = Stats()
        let producer = topicMessages > 0
            ? try KafkaProducer(configuration: KafkaProducerConfiguration(bootstrapServers: config.kafkaBrokers, clientId: "leadctl-loadgen"), logger: Logger(label: "leadctl"))
            : nil
        var quiet = Logger(label: "leadctl")
        quiet.logLevel = .error
        let database = wait && topicMessages > 0 ? config.database.makeClient(logger: quiet) : nil
        let databaseTask = database.map { client in Task { await client.run() } }
        defer { databaseTask?.cancel() }
        var databaseStart: Date?
        if let database { databaseStart = try await Self.databaseNow(database) }

        let started = ContinuousClock.now
        let inbound = config.topic(Topic.inbound.name)
        // Every base URL given, each with the same credentials.
        let urls = (url ?? endpoint.baseURL).split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let targets = (urls.isEmpty ? [endpoint.baseURL] : urls).map { IngestEndpoint(baseURL: $0, credentials: endpoint.credentials) }
        let attempts = max(1, self.attempts)
        let source = sourceId
        let interval = rate > 0 ? Duration.seconds(1 / rate) : .zero
        let concurrency = max(1, self.concurrency)
        try await withThrowingTaskGroup(of: Void.self) { group in
            var inFlight = 0
            for (position, item) in items.enumerated() {
                if rate > 0 {
                    let due = started.advanced(by: interval * position)
                    if due > .now { try await Task.sleep(until: due, clock: .continuous) }
                }
                if inFlight >= concurrency {
                    try await group.next()
                    inFlight -= 1
                }
                inFlight += 1
                group.addTask {
                    switch item {
                    case .http(let format, let path, let body, let type, let leads):
                        let sent = ContinuousClock.now
                        var status = 0
                        for attempt in 0..<attempts {
                            if attempt > 0 {
                                stats.recordRetry()
                                try? await Task.sleep(for: .milliseconds(100 * min(attempt, 20)))
                            }
                            let target = targets[(position + attempt) % targets.count]
                            do {
                                status = try await target.send(.POST, path, body: body, contentType: type, timeout: .seconds(120)).status
                            } catch {
                                status = 0
                            }
                            if status != 0 && status != 429 && status < 500 { break }
                        }
                        stats.record(format: format.rawValue, status: status, leads: leads,
                                     latency: status == 0 ? nil : ContinuousClock.now - sent)
                    case .topic(let format, let body, let type):
                        let sent = ContinuousClock.now
                        do {
                            _ = try await producer!.send(OutgoingMessage(
                                topic: inbound, key: UUID().uuidString.lowercased(), value: body,
                                headers: [KafkaHeader(key: "content-type", string: type), KafkaHeader(key: "leadflow-source", string: source)]))
                            stats.record(format: format.rawValue, status: 1, leads: 1, latency: ContinuousClock.now - sent)
                        } catch {
                            stats.record(format: format.rawValue, status: 0, leads: 1, latency: nil)
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        let sentIn = ContinuousClock.now - started
        var processedIn: Duration?
        if let database, let databaseStart {
            let deadline = ContinuousClock.now + .seconds(600)
            while ContinuousClock.now < deadline {
                if try await Self.processed(database, since: databaseStart) >= topicMessages {
                    processedIn = ContinuousClock.now - started
                    break
                }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
        await producer?.shutdown()
        print(stats.summary(total: sentIn, topicProcessed: processedIn, topicMessages: topicMessages, json: json))
    }

    enum Item: Sendable {
        case http(Format, String, [UInt8], String, leads: Int)
        case topic(Format, [UInt8], String)
    }

    static func databaseNow(_ client: PostgresClient) async throws -> Date {
        for try await now in try await client.query("SELECT now()").decode(Date.self) { return now }
        return Date()
    }

    static func processed(_ client: PostgresClient, since: Date) async throws -> Int {
        let rows = try await client.query(
            "SELECT count(*)::int FROM ingest.processed_events WHERE consumer = 'ingest.inbound' AND processed_at >= \(since)")
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }
}

/// What the load generator saw.
final class Stats: Sendable {
    private struct State {
        var statuses: [String: [Int: Int]] = [:]
        var leads: [String: Int] = [:]
        var latencies: [String: [Double]] = [:]
        var retries = 0
    }

    private let state = Mutex(State())

    /// Counts a re-sent HTTP request.
    func recordRetry() { state.withLock { $0.retries += 1 } }

    func record(format: String, status: Int, leads: Int, latency: Duration?) {
        state.withLock { state in
            state.statuses[format, default: [:]][status, default: 0] += 1
            if (200..<300).contains(status) || status == 1 {
                state.leads[format, default: 0] += leads
                if let latency {
                    let ms = Double(latency.components.seconds) * 1000 + Double(latency.components.attoseconds) / 1e15
                    state.latencies[status == 1 ? "topic-send" : "http", default: []].append(ms)
                }
            }
        }
    }

    static func percentile(_ values: [Double], _ p: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))]
    }

    func summary(total: Duration, topicProcessed: Duration?, topicMessages: Int, json: Bool) -> String {
        let state = self.state.withLock { $0 }
        let seconds = Double(total.components.seconds) + Double(total.components.attoseconds) / 1e18
        let http = state.latencies["http"] ?? []
        let httpLeads = state.leads.filter { $0.key != "topic" && $0.key != "meta" }.values.reduce(0, +)
        let topicLeads = (state.leads["topic"] ?? 0) + (state.leads["meta"] ?? 0)
        let processedSeconds = topicProcessed.map { Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18 }
        let report: [String: Any] = [
            "seconds": seconds,
            "httpLeads": httpLeads,
            "httpLeadsPerSecond": httpLeads > 0 ? Double(httpLeads) / seconds : 0,
            "acceptP50Ms": Self.percentile(http, 0.5),
            "acceptP99Ms": Self.percentile(http, 0.99),
            "topicMessages": topicMessages,
            "acceptedLeads": httpLeads + topicLeads,
            "retries": state.retries,
            "topicProcessedSeconds": processedSeconds ?? -1,
            "topicLeadsPerSecond": processedSeconds.map { Double(topicLeads) / $0 } ?? 0,
            "statuses": state.statuses.mapValues { Dictionary(uniqueKeysWithValues: $0.map { ("\($0.key)", $0.value) }) },
        ]
        if json {
            let data = (try? JSONSerialization.data(withJSONObject: report, options: [.sortedKeys])) ?? Data()
            return String(decoding: data, as: UTF8.self)
        }
        var lines = [String(format: "sent %d leads in %.2f s", httpLeads + topicLeads, seconds)]
        if state.retries > 0 { lines.append("  \(state.retries) HTTP sends retried") }
        if httpLeads > 0 {
            lines.append(String(format: "  HTTP: %d leads accepted, %.1f leads/s; accept latency p50 %.1f ms, p99 %.1f ms (%d requests)",
                                httpLeads, Double(httpLeads) / seconds, Self.percentile(http, 0.5), Self.percentile(http, 0.99), http.count))
        }
        if topicMessages > 0 {
            if let processedSeconds {
                lines.append(String(format: "  topic: %d messages processed by ingest in %.2f s, %.1f leads/s", topicMessages, processedSeconds, Double(topicLeads) / processedSeconds))
            } else {
                lines.append("  topic: \(topicLeads) messages published (use --wait to time their processing)")
            }
        }
        for (format, statuses) in state.statuses.sorted(by: { $0.key < $1.key }) {
            let parts = statuses.sorted { $0.key < $1.key }.map { "\($0.key == 1 ? "published" : ($0.key == 0 ? "failed" : "\($0.key)"))×\($0.value)" }
            lines.append("  \(format): \(parts.joined(separator: ", "))")
        }
        return lines.joined(separator: "\n")
    }
}
