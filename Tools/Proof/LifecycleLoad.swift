import ArgumentParser
import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import PostgresNIO

/// `leadflow-proof lifecycle`: lifecycle updates through ingest's command endpoints while leads
/// arrive — each recently accepted lead is moved `new → contacted`, gets a note, then moves
/// `contacted → qualified` — at a fixed rate for a fixed time. Prints one JSON object.
struct LifecycleLoad: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lifecycle",
        abstract: "Send lifecycle commands (status changes, notes) for recently accepted leads at a rate.")

    @Option(help: "Ingest's base URL.") var url: String
    @Option(help: "A platform-admin bearer token (default: LEADFLOW_OPERATOR_TOKEN).") var token: String?
    @Option(help: "Commands per second.") var rate: Double = 20
    @Option(help: "Seconds to run.") var duration: Double = 10
    @Option(help: "Commands in flight at most.") var concurrency = 8

    /// The commands a lead goes through, in order.
    static let steps: [(path: String, body: String)] = [
        ("status", #"{"to":"contacted","note":"called back within a minute"}"#),
        ("notes", #"{"text":"Customer prefers e-mail; wants a test drive on Saturday."}"#),
        ("status", #"{"to":"qualified"}"#),
    ]

    func run() async throws {
        let config = try proofConfiguration()
        guard config.database.database != "leadflow" else {
            throw ProofError("set LEADFLOW_PG_DATABASE to the run's own database (scripts/bench does)")
        }
        guard let token = token ?? ProcessInfo.processInfo.environment["LEADFLOW_OPERATOR_TOKEN"] else {
            throw ProofError("no token: pass --token or set LEADFLOW_OPERATOR_TOKEN")
        }
        let logger = quietLogger("proof.lifecycle")
        var database = config.database
        database.maximumConnections = 2
        let client = database.makeClient(logger: logger)
        let running = Task { await client.run() }
        defer { running.cancel() }

        let started = ContinuousClock.now
        let since = Date()
        let end = started + .seconds(duration)
        let interval = Duration.seconds(1 / max(rate, 0.1))
        var progress: [UUID: Int] = [:]
        var candidates: [UUID] = []
        var statuses: [Int: Int] = [:]
        var sent = 0
        try await withThrowingTaskGroup(of: Int.self) { group in
            var inFlight = 0
            var next = started
            while ContinuousClock.now < end {
                if candidates.isEmpty {
                    candidates = try await Self.recentLeads(client, since: since, logger: logger)
                        .filter { (progress[$0] ?? 0) < Self.steps.count }
                    if candidates.isEmpty {
                        try await Task.sleep(for: .milliseconds(200))
                        next = .now
                        continue
                    }
                }
                if next > .now { try await Task.sleep(until: next, clock: .continuous) }
                next = next.advanced(by: interval)
                let lead = candidates.removeFirst()
                let step = progress[lead] ?? 0
                progress[lead] = step + 1
                if inFlight >= concurrency, let status = try await group.next() {
                    statuses[status, default: 0] += 1
                    inFlight -= 1
                }
                inFlight += 1
                sent += 1
                let (path, body) = Self.steps[step]
                let target = "\(url)/v1/leads/\(lead.uuidString.lowercased())/\(path)"
                group.addTask { await Self.post(target, body: body, token: token) }
            }
            for try await status in group { statuses[status, default: 0] += 1 }
        }
        let elapsed = seconds(ContinuousClock.now - started)
        printJSON([
            "commands": sent,
            "seconds": elapsed,
            "perSecond": Double(sent) / elapsed,
            "statuses": Dictionary(uniqueKeysWithValues: statuses.map { ("\($0.key)", $0.value) }),
        ])
    }

    /// Leads accepted since the start, newest first (a lead moves on to its next step on the next pass).
    static func recentLeads(_ client: PostgresClient, since: Date, logger: Logger) async throws -> [UUID] {
        let rows = try await client.query(
            "SELECT id FROM ingest.leads WHERE updated_at >= \(since) ORDER BY updated_at DESC LIMIT 200", logger: logger)
        var ids: [UUID] = []
        for try await id in rows.decode(UUID.self) { ids.append(id) }
        return ids
    }

    /// POSTs one command; the HTTP status (0 when the request failed).
    static func post(_ url: String, body: String, token: String) async -> Int {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: body))
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
            _ = try await response.body.collect(upTo: 1 << 20)
            return Int(response.status.code)
        } catch {
            return 0
        }
    }
}
