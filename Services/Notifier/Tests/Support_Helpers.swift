import Foundation
import Hummingbird
import LeadIntegrationSupport
import LeadModel
import LeadServiceKit
import LeadTestSupport
import Logging
import NIOCore
import PostgresNIO
import ServiceLifecycle
import Synchronization

@testable import LeadNotifier

/// A clock that runs with real time from a start the test chooses, and that the test moves
/// forward in jumps (an hour, a day) to make reminders and requests come due. Retries with real
/// backoff still happen on their own.
final class TestClock: Sendable {
    private let offset: Mutex<TimeInterval>

    init(_ start: Date = Date()) { offset = Mutex(start.timeIntervalSinceNow) }

    var now: Date { Date().addingTimeInterval(offset.withLock { $0 }) }

    func advance(by seconds: TimeInterval) { offset.withLock { $0 += seconds } }

    var clock: NotifierClock { { self.now } }
}

/// One message the SMTP sink stored (see Support/smtp_sink.py).
struct ReceivedMail: Decodable, Sendable {
    let number: Int
    let mailFrom: String
    let rcptTos: [String]
    let authenticatedAs: String?
    let tls: Bool
    let subject: String
    let from: String
    let to: String
    let messageId: String
    let headers: [String: String]
    let text: String?
    let html: String?
    let defects: [String]

    /// The text body with LF line ends.
    var plain: String { (text ?? "").replacingOccurrences(of: "\r\n", with: "\n") }

    /// The notification key header.
    var notificationKey: String? { headers["x-leadflow-notification-key"] }

    /// Every one-click URL in the text body.
    var actionURLs: [String] {
        plain.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init).filter { $0.contains("/v1/actions/") }
    }
}

/// Python's aiosmtpd as a child process: a real SMTP server storing what it receives.
final class SMTPSink: Sendable {
    let port: Int
    let directory: URL
    private let process: Process
    private let output: Mutex<Data>

    private init(port: Int, directory: URL, process: Process) {
        self.port = port
        self.directory = directory
        self.process = process
        self.output = Mutex(Data())
    }

    static var python: String { ProcessInfo.processInfo.environment["LEADFLOW_PYTHON3"] ?? "/usr/bin/python3" }

    static var script: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Support/smtp_sink.py").path
    }

    /// Starts the sink; waits until it accepts connections.
    static func start(
        tlsCertificate: (cert: String, key: String)? = nil, requireTLS: Bool = false, auth: String? = nil, excludeAuth: [String] = []
    ) async throws -> SMTPSink {
        let port = try ServiceProcess.freePort()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("smtp-sink-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        var arguments = [script, "--port", "\(port)", "--dir", directory.path]
        if let tlsCertificate { arguments += ["--tls-cert", tlsCertificate.cert, "--tls-key", tlsCertificate.key] }
        if requireTLS { arguments.append("--require-tls") }
        if let auth { arguments += ["--auth", auth] }
        for mechanism in excludeAuth { arguments += ["--exclude-auth", mechanism] }
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        let sink = SMTPSink(port: port, directory: directory, process: process)
        pipe.fileHandleForReading.readabilityHandler = { handle in
            let chunk = handle.availableData
            if chunk.isEmpty { handle.readabilityHandler = nil } else { sink.output.withLock { $0.append(chunk) } }
        }
        try process.run()
        let ready = await eventually(timeout: .seconds(20), every: .milliseconds(50)) {
            sink.log.contains("READY") || !process.isRunning
        }
        guard ready, process.isRunning else {
            sink.stop()
            throw SinkFailure(log: sink.log)
        }
        return sink
    }

    struct SinkFailure: Error, CustomStringConvertible {
        let log: String
        var description: String { "the SMTP sink did not start: \(log)" }
    }

    var log: String { output.withLock { String(decoding: $0, as: UTF8.self) } }

    /// Everything received so far, in arrival order.
    var messages: [ReceivedMail] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".json") }.sorted().compactMap { name in
            guard let data = FileManager.default.contents(atPath: directory.appendingPathComponent(name).path) else { return nil }
            return try? JSONDecoder().decode(ReceivedMail.self, from: data)
        }
    }

    /// Messages to `address`.
    func messages(to address: String) -> [ReceivedMail] {
        messages.filter { $0.rcptTos.contains(address) }
    }

    /// Waits until `condition` holds for the received messages (or the timeout), then returns them.
    @discardableResult
    func wait(timeout: Duration = .seconds(30), until condition: @Sendable ([ReceivedMail]) -> Bool) async -> [ReceivedMail] {
        _ = await eventually(timeout: timeout, every: .milliseconds(50)) { condition(self.messages) }
        return messages
    }

    /// Asks the server to stop (SIGTERM; it exits within a second or two) without waiting.
    func stop() {
        if process.isRunning { process.terminate() }
        try? FileManager.default.removeItem(at: directory)
    }

    /// Stops the server and waits until it is gone.
    func stopAndWait() async {
        stop()
        _ = await eventually(timeout: .seconds(15), every: .milliseconds(50)) { !self.process.isRunning }
    }
}

/// A local HTTP endpoint (Hummingbird) the test scripts: a webhook receiver or an SMS provider.
final class FakeEndpoint: Sendable {
    struct Received: Sendable {
        let path: String
        let headers: [String: String]
        let body: [UInt8]
        let status: Int
    }

    let port: Int
    private let requests = SharedList<Received>()
    private let failuresLeft: Mutex<Int>
    private let failureStatus: HTTPResponse.Status
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    var url: String { "http://127.0.0.1:\(port)" }
    var received: [Received] { requests.all }

    private init(port: Int, failures: Int, failureStatus: HTTPResponse.Status, group: ServiceGroup, task: Task<Void, any Error>) {
        self.port = port
        self.failureStatus = failureStatus
        self.group = group
        self.task = task
        self.failuresLeft = Mutex(failures)
    }

    /// Starts an endpoint answering `failureStatus` to the first `failures` requests, then 200.
    static func start(failures: Int = 0, failureStatus: HTTPResponse.Status = .serviceUnavailable) async throws -> FakeEndpoint {
        let port = try ServiceProcess.freePort()
        let holder = Mutex<FakeEndpoint?>(nil)
        let router = Router()
        router.post("**") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            guard let endpoint = holder.withLock({ $0 }) else { return Response(status: .serviceUnavailable) }
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            let fail = endpoint.failuresLeft.withLock { left -> Bool in
                guard left > 0 else { return false }
                left -= 1
                return true
            }
            let status: HTTPResponse.Status = fail ? endpoint.failureStatus : .ok
            endpoint.requests.append(Received(path: request.uri.path, headers: headers, body: Array(body.readableBytesView), status: Int(status.code)))
            return Response(status: status)
        }
        var logger = Logger(label: "test.fake-endpoint")
        logger.logLevel = .warning
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)), logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let task = Task { try await group.run() }
        let endpoint = FakeEndpoint(port: port, failures: failures, failureStatus: failureStatus, group: group, task: task)
        holder.withLock { $0 = endpoint }
        _ = await eventually(timeout: .seconds(10), every: .milliseconds(50)) {
            (try? await TestHTTP.request("GET", endpoint.url + "/ready").status) != nil
        }
        return endpoint
    }

    func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
    }
}

/// Builders of the events the notifier consumes.
enum Events {
    static func lead(
        name: String = "Jürgen Groß", email: String? = "customer@example.com", owner: String, location: String?,
        collaborators: [String] = [], at date: Date, isTest: Bool = false
    ) -> Lead {
        Lead(
            fullName: PersonName(full: name),
            contacts: ContactInfo(emails: email.map { [EmailAddress(address: $0)] } ?? [],
                                  phones: [PhoneNumber(raw: "+1 614 555 0142", e164: "+16145550142", type: .mobile)]),
            source: LeadSource(id: "src-marketplace", name: "Marketplace", channel: .json),
            locationId: location, ownerId: owner, collaborators: collaborators,
            vehiclesOfInterest: [
                VehicleOfInterest(year: 2021, make: "Honda", model: "Civic"),
                VehicleOfInterest(year: 2024, make: "Škoda", model: "Octavia", trim: "RS", isPreferred: true),
            ],
            locationResponse: location == nil ? nil : .unacknowledged, score: 71, priority: .hot, createdAt: date, isTest: isTest)
    }

    static func assigned(_ lead: Lead, team: String? = "team-1", at date: Date, responseDueAt: Date? = nil) -> LeadAssigned {
        LeadAssigned(leadId: lead.id, occurredAt: date, locationId: lead.locationId, teamId: team, ownerId: lead.ownerId,
                     strategy: .roundRobin, reason: "next in rotation", responseDueAt: responseDueAt, causationEventId: UUID(), lead: lead)
    }

    static func lifecycle(_ leadId: LeadID, _ change: LifecycleChange, at date: Date, actor: Actor = Actor(id: "contact-x", role: .locationContact)) -> LeadLifecycleEvent {
        LeadLifecycleEvent(leadId: leadId, occurredAt: date, actor: actor, change: change)
    }
}

/// A long-lived client on a test database, for checks (polling with a fresh client each time
/// would open a connection per poll).
final class CheckClient: Sendable {
    let client: PostgresClient
    private let task: Task<Void, Never>

    init(database: String) {
        var logger = Logger(label: "test.checks")
        logger.logLevel = .warning
        let client = TestDatabase.configuration(database: database).makeClient(logger: logger)
        self.client = client
        task = Task { await client.run() }
    }

    /// The integer a counting query returns.
    func count(_ sql: String) async throws -> Int {
        let rows = try await client.query(PostgresQuery(unsafeSQL: sql))
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }

    /// Text rows of a query, for diagnostics.
    func rows(_ sql: String) async throws -> [String] {
        var result: [String] = []
        for try await text in try await client.query(PostgresQuery(unsafeSQL: "SELECT (\(sql))::text")).decode(String.self) {
            result.append(text)
        }
        return result
    }

    func stop() { task.cancel() }
}
