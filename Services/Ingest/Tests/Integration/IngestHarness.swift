import Foundation
import LeadIngest
import LeadIntegrationSupport
import LeadMessaging
import LeadModel
import LeadServiceKit
import LeadTestSupport
import Logging
import PostgresNIO
import Synchronization

/// One ingest instance in the test process against the real broker and database, with recorders
/// on the topics it produces, a fake Graph API, and helpers for credentials and requests.
final class IngestHarness: Sendable {
    static let metaSecret = "meta-app-secret-for-tests"
    static let metaVerifyToken = "meta-verify-token"
    static let metaAccessToken = "page-access-token-secret"
    static let googleKey = "google-key-for-tests"

    let database: String
    let prefix: String
    let service: InProcessService
    let graph: FakeGraphAPI
    let received: TopicRecorder
    let lifecycle: TopicRecorder
    let deadLetters: TopicRecorder
    let clock: TestClock
    let producer: KafkaProducer
    let adminToken: String

    var baseURL: String { service.baseURL }

    private init(database: String, prefix: String, service: InProcessService, graph: FakeGraphAPI, received: TopicRecorder,
                 lifecycle: TopicRecorder, deadLetters: TopicRecorder, clock: TestClock, producer: KafkaProducer, adminToken: String) {
        self.database = database
        self.prefix = prefix
        self.service = service
        self.graph = graph
        self.received = received
        self.lifecycle = lifecycle
        self.deadLetters = deadLetters
        self.clock = clock
        self.producer = producer
        self.adminToken = adminToken
    }

    /// The environment every harness instance runs with, plus `extra`.
    static func environment(graph: FakeGraphAPI, extra: [String: String]) -> [String: String] {
        [
            "LEADFLOW_INGEST_META_APP_SECRET": metaSecret,
            "LEADFLOW_INGEST_META_VERIFY_TOKEN": metaVerifyToken,
            "LEADFLOW_INGEST_META_ACCESS_TOKEN": metaAccessToken,
            "LEADFLOW_INGEST_META_GRAPH_URL": graph.baseURL,
            "LEADFLOW_INGEST_META_GRAPH_VERSION": "v99.0",
            "LEADFLOW_INGEST_META_MAX_ATTEMPTS": "3",
            "LEADFLOW_INGEST_META_RETRY_BASE_MS": "100",
            "LEADFLOW_INGEST_META_POLL_MS": "100",
            "LEADFLOW_INGEST_GOOGLE_KEY": googleKey,
            "LEADFLOW_INGEST_MAX_BODY_BYTES": "262144",
            "LEADFLOW_INGEST_MAX_IMPORT_BYTES": "4194304",
            "LEADFLOW_INGEST_API_KEY_CACHE_SECONDS": "0",
        ].merging(extra) { _, new in new }
    }

    /// Starts an instance on a fresh database and topic prefix (or on `sharing`'s, as a second instance).
    static func start(
        _ name: String, environment extra: [String: String] = [:], sharing other: IngestHarness? = nil, instanceId: String? = nil
    ) async throws -> IngestHarness {
        let database: String
        if let other { database = other.database } else { database = try await TestDatabase.createDatabase() }
        let prefix = other?.prefix ?? TestKafka.uniquePrefix(name)
        if other == nil { try await TestKafka.createLeadflowTopics(prefix: prefix) }
        let graph = try await FakeGraphAPI.start()
        let clock = TestClock()
        var environment = Self.environment(graph: graph, extra: extra)
        if let instanceId { environment["LEADFLOW_INSTANCE_ID"] = instanceId }
        let service = try await InProcessService.start(
            IngestService.makeDefinition(clock: { clock.now }), database: database, topicPrefix: prefix, environment: environment)
        return IngestHarness(
            database: database, prefix: prefix, service: service, graph: graph,
            received: try TopicRecorder(topics: [prefix + Topic.received.name]),
            lifecycle: try TopicRecorder(topics: [prefix + Topic.lifecycle.name]),
            deadLetters: try TopicRecorder(topics: [prefix + Topic.deadLetter.name]),
            clock: clock, producer: try TestKafka.producer(),
            adminToken: try await TestAuth.token(.platformAdmin, id: "admin-1"))
    }

    func stop() async {
        await service.stop()
        await graph.stop()
        await received.stop()
        await lifecycle.stop()
        await deadLetters.stop()
        await producer.shutdown()
    }

    // MARK: Credentials

    var admin: [String: String] { ["authorization": TestAuth.bearer(adminToken)] }

    static func bearer(_ role: Actor.Role, id: String, locations: Set<String> = [], teams: Set<String> = [], sources: Set<String> = []) async throws -> [String: String] {
        ["authorization": TestAuth.bearer(try await TestAuth.token(role, id: id, locations: locations, teams: teams, sources: sources))]
    }

    /// Creates a source and returns a fresh API key for it.
    func createSource(_ id: String = TestEnvironment.uniqueName("src"), rateLimitPerMinute: Int? = nil) async throws -> (id: String, key: String) {
        var body = #"{"id":"\#(id)","name":"Test source \#(id)","channel":"json""#
        if let rateLimitPerMinute { body += #","rateLimitPerMinute":\#(rateLimitPerMinute)"# }
        body += "}"
        let created = try await TestHTTP.postJSON(baseURL + "/v1/sources", body, headers: admin)
        guard created.status == 201 else { throw HarnessError("create source: \(created.status) \(created.text)") }
        let key = try await TestHTTP.postJSON(baseURL + "/v1/sources/\(id)/keys", "{}", headers: admin)
        guard key.status == 201, let apiKey = key.json["apiKey"] as? String else { throw HarnessError("issue key: \(key.status) \(key.text)") }
        return (id, apiKey)
    }

    // MARK: Requests

    func post(_ path: String, _ body: String, headers: [String: String], contentType: String = "application/json") async throws -> TestHTTPResponse {
        try await TestHTTP.request("POST", baseURL + path, headers: headers.merging(["content-type": contentType]) { a, _ in a }, body: Array(body.utf8),
                                  timeout: .seconds(180))  // a CSV import answers once the whole file is processed
    }

    func post(_ path: String, bytes: [UInt8], headers: [String: String], contentType: String) async throws -> TestHTTPResponse {
        try await TestHTTP.request("POST", baseURL + path, headers: headers.merging(["content-type": contentType]) { a, _ in a }, body: bytes,
                                  timeout: .seconds(180))
    }

    func get(_ path: String, headers: [String: String] = [:]) async throws -> TestHTTPResponse {
        try await TestHTTP.get(baseURL + path, headers: headers)
    }

    /// Enters a lead by hand as a manager of `location`, so lifecycle tests have one in scope.
    func manualLead(location: String = "loc-a", email: String = "\(UUID().uuidString.prefix(8).lowercased())@example.com") async throws -> LeadID {
        let manager = try await Self.bearer(.manager, id: "mgr-\(location)", locations: [location])
        let response = try await post("/v1/leads", #"{"manual":{"kind":"phone"},"name":"Pat Doe","email":"\#(email)","locationId":"\#(location)"}"#, headers: manager)
        guard response.status == 202, let text = response.json["leadId"] as? String, let id = LeadID(text) else {
            throw HarnessError("manual lead: \(response.status) \(response.text)")
        }
        return id
    }

    // MARK: Events and database

    func receivedEvent(for leadId: LeadID, timeout: Duration = .seconds(30)) async -> LeadReceived? {
        let events = await received.wait(timeout: timeout) { $0.contains { $0.received?.leadId == leadId } }
        return events.compactMap(\.received).first { $0.leadId == leadId }
    }

    func lifecycleEvents(for leadId: LeadID, atLeast count: Int = 1, timeout: Duration = .seconds(30)) async -> [LeadLifecycleEvent] {
        let events = await lifecycle.wait(timeout: timeout) { $0.compactMap(\.lifecycle).filter { $0.leadId == leadId }.count >= count }
        return events.compactMap(\.lifecycle).filter { $0.leadId == leadId }
    }

    func query<T: Sendable>(_ body: @escaping @Sendable (PostgresClient) async throws -> T) async throws -> T {
        try await TestDatabase.withClient(database: database, body)
    }

    /// Number of leads stored.
    func leadCount() async throws -> Int {
        try await query { client in
            var count = 0
            for try await value in try await client.query("SELECT count(*)::int FROM ingest.leads").decode(Int.self) { count = value }
            return count
        }
    }

    /// Number of leads whose stored record mentions `text` (a unique marker of one test).
    func leadCount(containing text: String) async throws -> Int {
        try await query { client in
            var count = 0
            for try await value in try await client.query(
                "SELECT count(*)::int FROM ingest.leads WHERE strpos(lower(snapshot::text), lower(\(text))) > 0").decode(Int.self) {
                count = value
            }
            return count
        }
    }

    /// Outbox rows about `leadId` the relay has not published yet.
    func unpublishedOutboxRows(for leadId: LeadID) async throws -> Int {
        try await query { client in
            var count = 0
            for try await value in try await client.query(
                "SELECT count(*)::int FROM ingest.outbox WHERE message_key = \(leadId.description) AND published_at IS NULL").decode(Int.self) {
                count = value
            }
            return count
        }
    }

    /// Publishes a raw message to `leads.inbound`.
    func publishInbound(_ bytes: [UInt8], contentType: String?, key: String? = nil, headers extra: [String: String] = [:],
                        rawHeaders: [KafkaHeader] = []) async throws {
        var headers: [KafkaHeader] = rawHeaders
        if let contentType { headers.append(KafkaHeader(key: "content-type", string: contentType)) }
        for (name, value) in extra { headers.append(KafkaHeader(key: name, string: value)) }
        _ = try await producer.send(OutgoingMessage(
            topic: prefix + Topic.inbound.name, key: Array((key ?? UUID().uuidString).utf8), value: bytes, headers: headers))
    }
}

struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The instance most suites share (started once per test process).
enum SharedIngest {
    private static let instance = Task { try await IngestHarness.start("ingest") }

    static func get() async throws -> IngestHarness { try await instance.value }
}
