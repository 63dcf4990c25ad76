import Foundation
import LeadAnalytics
import LeadIntegrationSupport
import LeadMessaging
import LeadModel
import LeadServiceKit
import LeadTestSupport
import Testing

/// The analytics service running in-process against the real broker and a fresh database,
/// fed the scripted history once for the whole suite (see ``AnalyticsStackTrait``).
final class AnalyticsStack: Sendable {
    @TaskLocal static var current: AnalyticsStack?

    let database: String
    let prefix: String
    let service: InProcessService
    let script: Script
    let producer: KafkaProducer
    let metrics: TopicRecorder
    let deadLetters: TopicRecorder
    let adminToken: String

    /// The fixed "now" of the service's clock: a whole minute plus 10 s, early enough in the UTC
    /// day that appointments later today stay today.
    static func fixedNow() -> Date {
        let real = Date()
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let latest = calendar.startOfDay(for: real).addingTimeInterval(20 * 3600)
        let base = min(real, latest)
        return Date(timeIntervalSince1970: (base.timeIntervalSince1970 / 60).rounded(.down) * 60 + 10)
    }

    static let environment = [
        "LEADFLOW_ANALYTICS_SOURCE_COSTS": "src-web:10.00,src-meta:25.50",
        "LEADFLOW_ANALYTICS_METRICS_INTERVAL_SECONDS": "1",
        "LEADFLOW_ANALYTICS_METRICS_GRACE_SECONDS": "0",
        "LEADFLOW_ANALYTICS_METRICS_HORIZON_MINUTES": "180",
    ]

    private init(database: String, prefix: String, service: InProcessService, script: Script, producer: KafkaProducer,
                 metrics: TopicRecorder, deadLetters: TopicRecorder, adminToken: String) {
        self.database = database
        self.prefix = prefix
        self.service = service
        self.script = script
        self.producer = producer
        self.metrics = metrics
        self.deadLetters = deadLetters
        self.adminToken = adminToken
    }

    static func start() async throws -> AnalyticsStack {
        let now = fixedNow()
        let script = Script(now: now)
        let database = try await TestDatabase.createDatabase()
        let prefix = TestKafka.uniquePrefix("analytics")
        try await TestKafka.createLeadflowTopics(prefix: prefix)
        let service = try await InProcessService.start(
            AnalyticsService.makeDefinition(clock: { now }), database: database, topicPrefix: prefix, environment: environment)
        let stack = AnalyticsStack(
            database: database, prefix: prefix, service: service, script: script, producer: try TestKafka.producer(),
            metrics: try TopicRecorder(topics: [prefix + Topic.analyticsMetrics.name]),
            deadLetters: try TopicRecorder(topics: [prefix + Topic.deadLetter.name]),
            adminToken: try await TestAuth.token(.platformAdmin, id: "admin-1"))
        let (early, rest) = script.events()
        try await stack.publish(early)
        try await stack.waitForEvents(early.count)
        try await stack.publish(rest)
        try await stack.waitForEvents(early.count + rest.count)
        let put = try await stack.request("PUT", "/v1/analytics/source-costs/src-adf", token: stack.adminToken,
                                          body: #"{"costPerLead": "40.00", "currency": "USD"}"#)
        guard put.status == 200 else { throw StackError(description: "setting a source cost: \(put.status) \(put.text)") }
        return stack
    }

    func stop() async {
        await metrics.stop()
        await deadLetters.stop()
        await service.stop()
        await producer.shutdown(timeout: .seconds(5))
        try? await TestDatabase.dropDatabase(database)
    }

    func publish(_ events: [AnyLeadflowEvent]) async throws {
        for event in events {
            switch event {
            case .received(let e): try await TestKafka.publish([e], prefix: prefix, producer: producer)
            case .lifecycle(let e): try await TestKafka.publish([e], prefix: prefix, producer: producer)
            case .scored(let e): try await TestKafka.publish([e], prefix: prefix, producer: producer)
            case .assigned(let e): try await TestKafka.publish([e], prefix: prefix, producer: producer)
            case .notification(let e): try await TestKafka.publish([e], prefix: prefix, producer: producer)
            case .metrics(let e): try await TestKafka.publish([e], prefix: prefix, producer: producer)
            case .deadLetter(let e): try await TestKafka.publish([e], prefix: prefix, producer: producer)
            }
        }
    }

    /// Waits until the projection stored `count` lead events.
    func waitForEvents(_ count: Int, timeout: Duration = .seconds(90)) async throws {
        var last = -1
        let done = try await eventually(timeout: timeout, every: .milliseconds(200)) {
            last = try await status()["events"] as? Int ?? -1
            return last >= count
        }
        guard done else { throw StackError(description: "projection holds \(last) events, expected \(count)") }
    }

    func status() async throws -> [String: Any] {
        try await request("GET", "/v1/analytics/status", token: adminToken).json
    }

    func request(_ method: String, _ path: String, token: String?, body: String? = nil,
                 headers: [String: String] = [:]) async throws -> TestHTTPResponse {
        var all = headers
        if let token { all["authorization"] = TestAuth.bearer(token) }
        if body != nil { all["content-type"] = "application/json" }
        return try await TestHTTP.request(method, service.baseURL + path, headers: all, body: body.map { Array($0.utf8) })
    }

    func get(_ path: String, as principal: Principal) async throws -> TestHTTPResponse {
        try await request("GET", path, token: try await TestAuth.token(principal))
    }

    /// A report's table as rows keyed by their first column.
    func report(_ name: String, _ query: String = "", as principal: Principal = .admin) async throws -> ReportJSON {
        let response = try await get("/v1/reports/\(name)\(query.isEmpty ? "" : "?" + query)", as: principal)
        guard response.status == 200 else { throw StackError(description: "\(name): \(response.status) \(response.text)") }
        return ReportJSON(json: response.json)
    }

    struct StackError: Error, CustomStringConvertible {
        let description: String
    }
}

/// Starts the stack once around a whole suite.
struct AnalyticsStackTrait: SuiteTrait, TestScoping {
    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        let stack = try await AnalyticsStack.start()
        do {
            try await AnalyticsStack.$current.withValue(stack) { try await function() }
        } catch {
            await stack.stop()
            throw error
        }
        await stack.stop()
    }
}

extension Trait where Self == AnalyticsStackTrait {
    /// Runs the suite against one analytics service fed the scripted history.
    static var analyticsStack: Self { Self() }
}

/// A report response, read loosely.
struct ReportJSON {
    let json: [String: Any]

    func table(_ name: String) -> [[String: Any]] {
        ((json["tables"] as? [String: Any])?[name] as? [[String: Any]]) ?? []
    }

    /// The row whose first-column value (`group`, `source`, `status`, …) is `key`.
    func row(_ table: String, _ column: String, _ key: String) -> [String: Any]? {
        self.table(table).first { ($0[column] as? String) == key }
    }
}

extension Principal {
    static let admin = Principal(id: "admin-1", role: .platformAdmin)
    static let northManager = Principal(id: "mgr-north", role: .manager, scope: AccessScope(locationIds: ["loc-north"]))
    static let teamBManager = Principal(id: "mgr-b", role: .manager, scope: AccessScope(teamIds: ["team-b"]))
    static let ann = Principal(id: "member-ann", role: .salesperson)
    static let cid = Principal(id: "member-cid", role: .salesperson)
    static let reader = Principal(id: "bi-reader", role: .downstreamReader)
    static let contact = Principal(id: "contact-loc-north", role: .locationContact)
    static let integration = Principal(id: "src-web", role: .integrationSource, scope: AccessScope(sourceIds: ["src-web"]))
}

/// `Any` JSON numbers as `Double`.
func number(_ value: Any?) -> Double? {
    (value as? NSNumber)?.doubleValue
}

/// `Any` JSON numbers as `Int`.
func integer(_ value: Any?) -> Int? {
    (value as? NSNumber)?.intValue
}

/// Whether two optional doubles agree to 1e-6 (JSON round trip).
func same(_ a: Double?, _ b: Double?) -> Bool {
    switch (a, b) {
    case (nil, nil): true
    case (let a?, let b?): abs(a - b) <= 1e-6 * max(1, abs(b))
    default: false
    }
}
