import ArgumentParser
import AsyncHTTPClient
import Foundation
import LeadMessaging
import LeadModel
import LeadServiceKit
import Logging
import NIOCore
import PostgresNIO
import Synchronization

/// `leadflow-proof hostile`: sends the hostile catalogue (HTTP and topics) to running services in
/// rounds, with valid leads in between, then checks: every case refused with a reason (problem
/// JSON with a code, or a dead letter with code and reason from every consumer of the topic), no
/// 5xx, no service down, memory bounded across rounds, every valid lead projected by analytics and
/// notified. Prints a table per channel; exits 1 on any failure.
struct Hostile: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hostile",
        abstract: "Hostile-input suite against running services (scripts/hostile starts them).")

    @Option(parsing: .upToNextOption, help: "Services as name=port:pid (all five).")
    var service: [String]
    @Option(help: "Rounds of the whole catalogue (memory is compared between the first and the last).") var rounds = 3
    @Option(help: "A valid lead (HTTP and topic) after every this many hostile cases.") var validEvery = 20
    @Option(help: "The Google webhook key ingest was started with.") var googleKey: String
    @Option(help: "The Meta app secret ingest was started with.") var metaSecret: String
    @Option(help: "LEADFLOW_INGEST_MAX_BODY_BYTES ingest was started with.") var maxBodyBytes = 262_144
    @Option(help: "Allowed RSS growth per service from the end of round 1 to the end, in MiB.") var rssSlackMib = 64
    @Option(help: "Seconds to wait for dead letters and valid leads at the end.") var settleTimeout = 90
    @Option(help: "Write the result as JSON to this file.") var jsonOut: String?
    @Option(help: "Only the cases whose channel or name contains this text (for development).") var only: String?

    struct ServiceProcess {
        var name: String
        var port: Int
        var pid: Int32
    }

    func run() async throws {
        let config = try proofConfiguration()
        guard !config.topicPrefix.isEmpty, config.database.database != "leadflow" else {
            throw ProofError("set LEADFLOW_TOPIC_PREFIX and LEADFLOW_PG_DATABASE to the run's own (scripts/hostile does): the suite never writes to the default topics or database")
        }
        let env = ProcessInfo.processInfo.environment
        func required(_ name: String) throws -> String {
            guard let value = env[name], !value.isEmpty else { throw ProofError("\(name) is not set (run cluster_seed first)") }
            return value
        }
        let apiKey = try required("LEADFLOW_API_KEY")
        let adminToken = try required("LEADFLOW_OPERATOR_TOKEN")
        let services = try service.map { spec -> ServiceProcess in
            let parts = spec.split(whereSeparator: { $0 == "=" || $0 == ":" })
            guard parts.count == 3, let port = Int(parts[1]), let pid = Int32(parts[2]) else { throw ProofError("bad --service \(spec)") }
            return ServiceProcess(name: String(parts[0]), port: port, pid: pid)
        }
        let ports = Dictionary(uniqueKeysWithValues: services.map { ($0.name, $0.port) })
        guard let ingestPort = ports["ingest"] else { throw ProofError("--service ingest=… is required") }
        let logger = quietLogger("proof.hostile")

        // Dead letters, read from the start of the run's topic.
        let deadLetters = DeadLetterCollector()
        let reader = try KafkaConsumer(
            configuration: KafkaConsumerConfiguration(
                bootstrapServers: config.kafkaBrokers, groupId: "\(config.topicPrefix)hostile-reader-\(UUID().uuidString.prefix(8))",
                topics: [config.topic(Topic.deadLetter.name)], autoOffsetReset: .earliest, sessionTimeoutMs: 6_000,
                maxPollIntervalMs: 30_000, extra: ["heartbeat.interval.ms": "500", "enable.auto.commit": "false"]),
            logger: logger)
        let reading = Task {
            for await message in reader.messages {
                if let letter = try? LeadflowJSON.decode(DeadLetter.self, from: message.value) { deadLetters.add(letter) }
            }
        }
        let producer = try KafkaProducer(
            configuration: KafkaProducerConfiguration(bootstrapServers: config.kafkaBrokers, clientId: "leadflow-proof-hostile"), logger: logger)

        let signing = config.auth.hmacSecrets.first { $0.kid == config.auth.signingKeyID } ?? config.auth.hmacSecrets[0]
        var outcomes: [HostileOutcome] = []
        var validHTTP: [UUID] = []
        var validTopic: [String] = []
        var rss: [[String: Int]] = [rssNow(services)]
        var fdsAfterRound1: [String: Int] = [:]
        var healthFailures: [String] = []
        var validRefused = 0
        var authAddresses = 0
        let started = ContinuousClock.now
        for round in 1...rounds {
            let http = HTTPBuilder(apiKey: apiKey, adminToken: adminToken)
            let everything = HostileHTTPCatalogue(
                http: http, adminToken: adminToken, salespersonToken: env["LEADFLOW_TOKEN_SALESPERSON"] ?? adminToken,
                readerToken: env["LEADFLOW_TOKEN_DOWNSTREAM_READER"] ?? adminToken, signingSecret: signing.secret,
                signingKid: signing.kid, googleKey: googleKey, metaSecret: metaSecret, maxBodyBytes: maxBodyBytes, round: round).all()
                + HostileTopicCatalogue(round: round, maxBodyBytes: maxBodyBytes).all()
            let catalogue = everything.filter { only == nil || $0.channel.contains(only!) || $0.name.contains(only!) }
            for (index, testCase) in catalogue.enumerated() {
                if index % validEvery == 0 {
                    if let id = await sendValidHTTP(port: ingestPort, apiKey: apiKey, tag: "r\(round)-\(index)") {
                        validHTTP.append(id)
                    } else {
                        validRefused += 1
                    }
                    validTopic.append(try await sendValidTopic(producer, config: config, tag: "r\(round)-\(index)"))
                }
                outcomes.append(try await send(testCase, authAddresses: &authAddresses, ports: ports, producer: producer, config: config, secrets: [apiKey, adminToken]))
            }
            for process in services where !healthy(process) {
                healthFailures.append("\(process.name) not alive/ready after round \(round)")
            }
            rss.append(rssNow(services))
            if round == 1 { fdsAfterRound1 = fdsNow(services) }
            FileHandle.standardError.write(Data("round \(round): \(catalogue.count) cases sent in \(Int(seconds(ContinuousClock.now - started))) s\n".utf8))
        }
        await producer.shutdown()

        // Settle: dead letters for every topic case, valid leads through analytics and the notifier.
        var database = config.database
        database.maximumConnections = 2
        let client = database.makeClient(logger: logger)
        let clientTask = Task { await client.run() }
        defer { clientTask.cancel() }
        let deadline = ContinuousClock.now + .seconds(settleTimeout)
        var valid = ValidCheck(expected: validHTTP.count + validTopic.count, projected: 0, notified: 0, httpRefused: 0)
        while true {
            outcomes = outcomes.map { outcome in
                guard case .topic(_, let key, _, _) = outcome.testCase.input, case .deadLetters(let stages) = outcome.testCase.expect else { return outcome }
                var updated = outcome
                let letters = deadLetters.letters(for: key)
                let seen = Set(letters.map(\.stage.rawValue))
                let reasoned = letters.allSatisfy { !$0.errorCode.isEmpty && !$0.reason.isEmpty }
                updated.passed = stages.isSubset(of: seen) && reasoned
                updated.observed = letters.isEmpty ? "no dead letter yet"
                    : letters.map { "\($0.stage.rawValue):\($0.errorCode)" }.sorted().joined(separator: " ")
                return updated
            }
            valid = try await checkValid(client, http: validHTTP, topic: validTopic, logger: logger)
            let topicDone = outcomes.allSatisfy { outcome in
                if case .topic = outcome.testCase.input { return outcome.passed }
                return true
            }
            if (topicDone && valid.projected >= valid.expected && valid.notified >= valid.expected) || ContinuousClock.now > deadline { break }
            try await Task.sleep(for: .seconds(1))
        }
        valid.httpRefused = validRefused
        reading.cancel()
        await reader.close()
        for process in services where !healthy(process) { healthFailures.append("\(process.name) not alive/ready at the end") }
        rss.append(rssNow(services))
        // Connections refused half-way (413 before the body was read) must be closed, not left
        // half-open holding a socket and buffers: wait up to 45 s (the HTTP idle timeout is 30 s)
        // for the services' ports to have no socket in FIN-WAIT-2 or CLOSE-WAIT.
        var fds = fdsNow(services)
        var stuck = halfOpen(services)
        let fdDeadline = ContinuousClock.now + .seconds(45)
        while stuck.values.contains(where: { $0 > 0 }), ContinuousClock.now < fdDeadline {
            try await Task.sleep(for: .seconds(1))
            stuck = halfOpen(services)
        }
        fds = fdsNow(services)
        for process in services where (stuck[process.name] ?? 0) > 0 {
            healthFailures.append("\(process.name) keeps \(stuck[process.name] ?? 0) half-closed connections: sockets leak")
        }
        print("Open file descriptors after round 1 → at the end: " + services.map { "\($0.name) \(fdsAfterRound1[$0.name] ?? 0) → \(fds[$0.name] ?? 0)" }.joined(separator: ", "))

        try report(outcomes: outcomes, valid: valid, rss: rss, health: healthFailures, services: services)
    }

    // MARK: Sending

    private func send(_ testCase: HostileCase, authAddresses: inout Int, ports: [String: Int], producer: KafkaProducer, config: ServiceConfiguration,
                      secrets: [String]) async throws -> HostileOutcome {
        switch testCase.input {
        case .http(let service, let bytes, let source):
            guard let port = ports[service] else { return HostileOutcome(testCase: testCase, passed: false, observed: "no port for \(service)") }
            // Each bad-credential case from its own loopback address, so the per-address limit of
            // failed authentications (tested on purpose by the brute-force cases) does not hide the
            // verifier behind 429s.
            var from = source
            if source == HTTPBuilder.authSource {
                authAddresses += 1
                from = "127.1.\(authAddresses / 250).\(authAddresses % 250 + 1)"
            }
            let sent = ContinuousClock.now
            let response = await RawHTTP.send(bytes, port: port, source: from)
            var outcome = judge(testCase, response, secrets: secrets)
            let took = seconds(ContinuousClock.now - sent)
            if took > 2 { outcome.observed += String(format: " (%.1f s)", took) }
            return outcome
        case .topic(let topic, let key, let value, let headers):
            _ = try await producer.send(OutgoingMessage(topic: config.topic(topic), key: Array(key.utf8), value: value, headers: headers))
            return HostileOutcome(testCase: testCase, passed: false, observed: "no dead letter yet")
        }
    }

    private func judge(_ testCase: HostileCase, _ response: RawHTTPResponse, secrets: [String]) -> HostileOutcome {
        let code = response.json?["code"] as? String ?? ""
        let observed = response.status <= 0 ? "closed without an answer" : "\(response.status) \(code.isEmpty ? "(no code)" : code)"
        let body = String(decoding: response.body, as: UTF8.self)
        if secrets.contains(where: { !$0.isEmpty && body.contains($0) }) {
            return HostileOutcome(testCase: testCase, passed: false, observed: observed + " — answer echoes a credential")
        }
        let isProblem = (400..<500).contains(response.status)
            && (response.header("content-type") ?? "").contains("problem+json") && !code.isEmpty
        switch testCase.expect {
        case .problem(let statuses, let expected):
            let passed = isProblem && (statuses.isEmpty || statuses.contains(response.status)) && (expected == nil || expected == code)
            return HostileOutcome(testCase: testCase, passed: passed, observed: observed)
        case .clientError:
            return HostileOutcome(testCase: testCase, passed: (400..<500).contains(response.status), observed: observed)
        case .treatedAsData(let literal):
            let passed = (200..<300).contains(response.status) && body.contains(literal)
            return HostileOutcome(testCase: testCase, passed: passed, observed: "\(response.status) taken as data")
        case .refusedFraming:
            return HostileOutcome(testCase: testCase, passed: response.status == 0 || (400..<500).contains(response.status), observed: observed)
        case .csvRowsRefused:
            if isProblem { return HostileOutcome(testCase: testCase, passed: true, observed: observed) }
            let json = response.json ?? [:]
            let errors = json["errors"] as? [[String: Any]] ?? []
            let refused = (json["rejected"] as? Int ?? 0) > 0 && !errors.isEmpty && errors.allSatisfy { ($0["code"] as? String)?.isEmpty == false }
            let codes = Set(errors.compactMap { $0["code"] as? String }).sorted().joined(separator: ",")
            return HostileOutcome(testCase: testCase, passed: (200..<300).contains(response.status) && refused,
                                  observed: "\(response.status) rows refused: \(json["rejected"] ?? 0) [\(codes)]")
        case .deadLetters:
            return HostileOutcome(testCase: testCase, passed: false, observed: "not an HTTP case")
        }
    }

    // MARK: Valid leads in between

    private func sendValidHTTP(port: Int, apiKey: String, tag: String) async -> UUID? {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/leads")
        request.method = .POST
        request.headers.add(name: "X-API-Key", value: apiKey)
        request.headers.add(name: "Content-Type", value: "application/json")
        let suffix = UUID().uuidString.prefix(8).lowercased()
        request.body = .bytes(ByteBuffer(string: #"{"externalId":"valid-\#(tag)-\#(suffix)","name":"Valid \#(tag)","email":"valid.\#(suffix)@example.com","address":{"postalCode":"43215","country":"US"},"vehicles":[{"make":"Honda","model":"CR-V","bodyStyle":"SUV","interest":"buy"}]}"#))
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
            let body = try await response.body.collect(upTo: 1 << 20)
            let json = (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any]
            if response.status.code == 202, let id = (json?["leadId"] as? String).flatMap(UUID.init(uuidString:)) { return id }
        } catch {}
        return nil
    }

    private func sendValidTopic(_ producer: KafkaProducer, config: ServiceConfiguration, tag: String) async throws -> String {
        let suffix = UUID().uuidString.prefix(8).lowercased()
        let externalId = "valid-topic-\(tag)-\(suffix)"
        let body = #"{"externalId":"\#(externalId)","name":"Valid Topic \#(tag)","email":"topic.\#(suffix)@example.com","address":{"postalCode":"90210","country":"US"},"vehicles":[{"make":"Ford","model":"F-150","interest":"buy"}]}"#
        _ = try await producer.send(OutgoingMessage(
            topic: config.topic(Topic.inbound.name), key: Array(UUID().uuidString.lowercased().utf8), value: Array(body.utf8),
            headers: [KafkaHeader(key: "content-type", string: "application/json"), KafkaHeader(key: "leadflow-source", string: "src-demo")]))
        return externalId
    }

    struct ValidCheck {
        var expected: Int
        var projected: Int
        var notified: Int
        var httpRefused: Int
    }

    private func checkValid(_ client: PostgresClient, http: [UUID], topic: [String], logger: Logger) async throws -> ValidCheck {
        let rows = try await client.query(
            """
            WITH ids AS (
                SELECT unnest(\(http)::uuid[]) AS lead_id
                UNION SELECT lead_id FROM ingest.source_lead_ids WHERE source_id = 'src-demo' AND source_lead_id = ANY(\(topic)::text[]))
            SELECT (SELECT count(*)::int FROM ids),
                   (SELECT count(*)::int FROM analytics_projection.leads l JOIN ids USING (lead_id) WHERE l.known AND l.owner_id IS NOT NULL),
                   (SELECT count(DISTINCT d.lead_id)::int FROM notifier.deliveries d JOIN ids USING (lead_id) WHERE d.state = 'sent')
            """, logger: logger)
        for try await (found, projected, notified) in rows.decode((Int, Int, Int).self) {
            return ValidCheck(expected: http.count + topic.count, projected: min(projected, found), notified: min(notified, found), httpRefused: 0)
        }
        return ValidCheck(expected: http.count + topic.count, projected: 0, notified: 0, httpRefused: 0)
    }

    // MARK: Health and memory

    private func healthy(_ process: ServiceProcess) -> Bool {
        guard kill(process.pid, 0) == 0 else { return false }
        let response = RawHTTP.exchange(RawHTTP.request("GET", "/health/ready"), port: process.port, source: "127.0.0.1", timeout: 10)
        return response.status == 200
    }

    /// Sockets on each service's HTTP port in FIN-WAIT-2 (05) or CLOSE-WAIT (08), from /proc/net/tcp.
    private func halfOpen(_ services: [ServiceProcess]) -> [String: Int] {
        let table = (try? String(contentsOfFile: "/proc/net/tcp", encoding: .utf8)) ?? ""
        let rows = table.split(separator: "\n").dropFirst().map { $0.split(separator: " ") }
        return Dictionary(uniqueKeysWithValues: services.map { process in
            let port = String(format: ":%04X", process.port)
            return (process.name, rows.filter { $0.count > 3 && $0[1].hasSuffix(port) && ($0[3] == "05" || $0[3] == "08") }.count)
        })
    }

    private func fdsNow(_ services: [ServiceProcess]) -> [String: Int] {
        Dictionary(uniqueKeysWithValues: services.map { process in
            (process.name, (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(process.pid)/fd").count) ?? -1)
        })
    }

    private func rssNow(_ services: [ServiceProcess]) -> [String: Int] {
        Dictionary(uniqueKeysWithValues: services.map { process in
            let status = (try? String(contentsOfFile: "/proc/\(process.pid)/status", encoding: .utf8)) ?? ""
            let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
            return (process.name, Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0)
        })
    }

    // MARK: Report

    private func report(outcomes: [HostileOutcome], valid: ValidCheck, rss: [[String: Int]], health: [String], services: [ServiceProcess]) throws {
        var channels: [String] = []
        for outcome in outcomes where !channels.contains(outcome.testCase.channel) { channels.append(outcome.testCase.channel) }
        let rounds = max(1, rss.count - 2)
        let perRound = outcomes.count / rounds
        print("Hostile-input suite: \(perRound) cases per round × \(rounds) round(s) = \(outcomes.count) inputs")
        print("")
        print("| channel | cases | rejected with a reason | failures |")
        print("|---|---|---|---|")
        var rows: [[String: Any]] = []
        for channel in channels {
            let group = outcomes.filter { $0.testCase.channel == channel }
            let passed = group.filter(\.passed).count
            print("| \(channel) | \(group.count) | \(passed) | \(group.count - passed) |")
            let codes = Dictionary(grouping: group.filter(\.passed), by: \.observed).mapValues(\.count)
            rows.append(["channel": channel, "cases": group.count, "rejected": passed, "failures": group.count - passed, "observed": codes])
        }
        let failures = outcomes.filter { !$0.passed }
        print("| **total** | \(outcomes.count) | \(outcomes.count - failures.count) | \(failures.count) |")
        print("")
        // Memory: the baseline is the end of round 1 (warm caches and pools), compared with the end.
        print("| service | RSS before MiB | after round 1 | after round \(rounds) | at the end | growth since round 1 |")
        print("|---|---|---|---|---|---|")
        var memoryFailures: [String] = []
        var memory: [[String: Any]] = []
        for process in services {
            let values = rss.map { Double($0[process.name] ?? 0) / 1024 }
            let growth = (values.last ?? 0) - (values.count > 1 ? values[1] : 0)
            print(String(format: "| %@ | %.1f | %.1f | %.1f | %.1f | %+.1f MiB |", process.name, values[0], values.count > 1 ? values[1] : 0,
                         values.count > 2 ? values[values.count - 2] : 0, values.last ?? 0, growth))
            if growth > Double(rssSlackMib) { memoryFailures.append("\(process.name) grew \(Int(growth)) MiB after round 1 (slack \(rssSlackMib) MiB)") }
            memory.append(["service": process.name, "rssMiB": values, "growthSinceRound1MiB": growth])
        }
        print("")
        let validOK = valid.httpRefused == 0 && valid.projected >= valid.expected && valid.notified >= valid.expected
        print("Valid leads sent between the hostile inputs: \(valid.expected) accepted (\(valid.httpRefused) refused), \(valid.projected) in analytics with an owner, \(valid.notified) notified")
        print("Services alive and ready after every round: \(health.isEmpty ? "yes" : "NO — " + health.joined(separator: "; "))")
        if !failures.isEmpty {
            print("")
            print("Failures:")
            for failure in failures.prefix(60) {
                print("  ✘ [\(failure.testCase.channel)] \(failure.testCase.name): \(failure.observed)")
            }
        }
        for line in memoryFailures { print("  ✘ memory: \(line)") }
        if let jsonOut {
            let object: [String: Any] = [
                "inputs": outcomes.count, "rounds": rounds, "casesPerRound": perRound, "failures": failures.count,
                "channels": rows, "memory": memory,
                "valid": ["expected": valid.expected, "refused": valid.httpRefused, "projected": valid.projected, "notified": valid.notified],
                "healthFailures": health,
                "failed": failures.map { ["channel": $0.testCase.channel, "case": $0.testCase.name, "observed": $0.observed] },
            ]
            try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted]).write(to: URL(fileURLWithPath: jsonOut))
        }
        if !failures.isEmpty || !memoryFailures.isEmpty || !health.isEmpty || !validOK { throw ExitCode(1) }
    }
}

/// Dead letters by original key.
final class DeadLetterCollector: Sendable {
    private let byKey = Mutex<[String: [DeadLetter]]>([:])

    func add(_ letter: DeadLetter) {
        guard let key = letter.originalKey else { return }
        byKey.withLock { $0[key, default: []].append(letter) }
    }

    func letters(for key: String) -> [DeadLetter] { byKey.withLock { $0[key] ?? [] } }
}
