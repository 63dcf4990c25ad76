import Foundation
import LeadIntegrationSupport
import LeadMessaging
import LeadModel
import LeadServiceKit
import LeadTestSupport
import Logging
import PostgresNIO
import Testing

@testable import LeadNotifier

/// One notifier running in-process against the real broker and a fresh database, with a real SMTP
/// server (aiosmtpd), a fake SMS provider, a test clock and a reader of the topics it produces.
/// Started once per suite by ``NotifierStackTrait`` and reached through ``NotifierStack/current``.
final class NotifierStack: Sendable {
    @TaskLocal static var current: NotifierStack?

    /// The stack of the running suite.
    static var shared: NotifierStack {
        get throws { try #require(current, "the suite needs the .notifierStack trait") }
    }

    static let linkBase = "https://ingest.leadflow.test"
    static let smsToken = "sms-provider-token-123"

    let database: String
    let prefix: String
    let clock: TestClock
    let sink: SMTPSink
    let sms: FakeEndpoint
    let producer: KafkaProducer
    let recorder: TopicRecorder
    let service: InProcessService
    let adminToken: String
    /// A client on the test database, for checks.
    let db: CheckClient

    private init(database: String, prefix: String, clock: TestClock, sink: SMTPSink, sms: FakeEndpoint, producer: KafkaProducer,
                 recorder: TopicRecorder, service: InProcessService, adminToken: String) {
        db = CheckClient(database: database)
        self.database = database
        self.prefix = prefix
        self.clock = clock
        self.sink = sink
        self.sms = sms
        self.producer = producer
        self.recorder = recorder
        self.service = service
        self.adminToken = adminToken
    }

    /// The environment every notifier of the tests runs with.
    static func environment(smtpPort: Int, smsURL: String?) -> [String: String] {
        var environment = [
            "LEADFLOW_NOTIFIER_SMTP_PORT": "\(smtpPort)",
            "LEADFLOW_NOTIFIER_MAIL_FROM": "Leadflow Notifier <notifications@leadflow.test>",
            "LEADFLOW_PUBLIC_INGEST_URL": linkBase,
            "LEADFLOW_NOTIFIER_RETRY_BASE_MS": "40",
            "LEADFLOW_NOTIFIER_RETRY_MAX_SECONDS": "1",
            "LEADFLOW_NOTIFIER_MAX_ATTEMPTS": "8",
            "LEADFLOW_NOTIFIER_POLL_MS": "100",
            "LEADFLOW_NOTIFIER_CUSTOMER_ACK": "true",
            "LEADFLOW_NOTIFIER_SMTP_TIMEOUT_SECONDS": "10",
            "LEADFLOW_NOTIFIER_SUBSCRIPTION_RETRY_BASE_MS": "50",
            "LEADFLOW_NOTIFIER_SUBSCRIPTION_RETRY_MAX_MS": "300",
            "LEADFLOW_NOTIFIER_SUBSCRIPTION_PAUSE_AFTER_FAILURES": "4",
            "LEADFLOW_NOTIFIER_SUBSCRIPTION_GAUGE_MS": "200",
        ]
        if let smsURL {
            environment["LEADFLOW_NOTIFIER_SMS_URL"] = smsURL
            environment["LEADFLOW_NOTIFIER_SMS_TOKEN"] = smsToken
            environment["LEADFLOW_NOTIFIER_SMS_FROM"] = "Leadflow"
        }
        return environment
    }

    static func start() async throws -> NotifierStack {
        let database = try await TestDatabase.createDatabase()
        let prefix = TestKafka.uniquePrefix("notifier")
        try await TestKafka.createLeadflowTopics(prefix: prefix)
        let clock = TestClock(try Date("2030-03-04T10:00:00Z", strategy: .iso8601))
        let sink = try await SMTPSink.start()
        let sms = try await FakeEndpoint.start()
        let recorder = try TopicRecorder(topics: [prefix + Topic.notificationOutcomes.name, prefix + Topic.deadLetter.name])
        let service = try await InProcessService.start(
            NotifierService.makeDefinition(clock: clock.clock), database: database, topicPrefix: prefix,
            environment: environment(smtpPort: sink.port, smsURL: sms.url + "/v1/messages"))
        return NotifierStack(
            database: database, prefix: prefix, clock: clock, sink: sink, sms: sms, producer: try TestKafka.producer(),
            recorder: recorder, service: service,
            adminToken: try await TestAuth.token(.platformAdmin, id: "admin-1"))
    }

    func stop() async {
        await service.stop()
        db.stop()
        await recorder.stop()
        await producer.shutdown()
        await sms.stop()
        sink.stop()
        try? await TestDatabase.dropDatabase(database)
    }

    // MARK: Helpers

    /// Publishes events as routing and ingest would.
    func publish<Event: LeadflowEvent>(_ events: Event...) async throws {
        try await TestKafka.publish(events, prefix: prefix, producer: producer)
    }

    private func publishOne<Event: LeadflowEvent>(_ event: Event) async throws {
        try await TestKafka.publish([event], prefix: prefix, producer: producer)
    }

    /// Waits until the notifier applied the event (its id is in the idempotency record).
    func waitApplied(_ eventId: UUID, timeout: Duration = .seconds(60)) async throws {
        let applied = try await eventually(timeout: timeout, every: .milliseconds(50)) {
            try await self.count("SELECT count(*)::int FROM notifier.processed_events WHERE event_id = '\(eventId)'") == 1
        }
        try #require(applied, "event \(eventId) was not applied")
    }

    /// Publishes `events` and waits until the last one was applied (same lead: same partition, in order).
    func publishAndWait(_ events: [any LeadflowEvent]) async throws {
        for event in events { try await publishOne(event) }
        if let last = events.last { try await waitApplied(last.eventId) }
    }

    /// The integer a counting query returns.
    func count(_ sql: String) async throws -> Int { try await db.count(sql) }

    /// Text rows of a query, for diagnostics.
    func rows(_ sql: String) async throws -> [String] { try await db.rows(sql) }

    /// A request to the notifier's API as `token` (nil: anonymous).
    func api(_ method: String, _ path: String, token: String?, body: String? = nil) async throws -> TestHTTPResponse {
        var headers: [String: String] = [:]
        if let token { headers["authorization"] = TestAuth.bearer(token) }
        if body != nil { headers["content-type"] = "application/json" }
        return try await TestHTTP.request(method, service.baseURL + path, headers: headers, body: body.map { Array($0.utf8) })
    }

    /// Creates or replaces a recipient as platform admin; fails the test unless it worked.
    func putRecipient(_ id: String, _ json: String) async throws {
        let response = try await api("PUT", "/v1/recipients/\(id)", token: adminToken, body: json)
        try #require([200, 201].contains(response.status), "PUT recipient \(id): \(response.status) \(response.text)")
    }

    /// The outcomes read from `notifications.outcomes` so far.
    var outcomes: [NotificationOutcome] { recorder.events.compactMap(\.notification) }

    /// The dead letters read so far.
    var deadLetters: [DeadLetter] { recorder.events.compactMap(\.deadLetter) }

    /// Waits until the outcomes satisfy `condition`.
    @discardableResult
    func waitOutcomes(timeout: Duration = .seconds(60), until condition: @Sendable ([NotificationOutcome]) -> Bool) async -> [NotificationOutcome] {
        _ = await eventually(timeout: timeout, every: .milliseconds(50)) { condition(self.outcomes) }
        return outcomes
    }

    /// Moves the clock and wakes nobody: the scheduler notices on its next poll (100 ms).
    func advance(by seconds: TimeInterval) { clock.advance(by: seconds) }

    /// The action-link signer ingest would verify with.
    static let signer = ActionLinkSigner(secret: AuthConfiguration.developmentSecret)

    /// The claims of a mailed action URL.
    static func claims(of url: String, now: Date) throws -> ActionLinkClaims {
        let token = try #require(url.components(separatedBy: "/v1/actions/").last?.components(separatedBy: "?").first)
        return try signer.verify(token, now: now)
    }
}

/// Starts a ``NotifierStack`` around a suite and stops it afterwards.
struct NotifierStackTrait: SuiteTrait, TestScoping {
    var isRecursive: Bool { false }

    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        let stack = try await NotifierStack.start()
        do {
            try await NotifierStack.$current.withValue(stack) { try await function() }
        } catch {
            await stack.stop()
            throw error
        }
        await stack.stop()
    }
}

extension Trait where Self == NotifierStackTrait {
    /// Runs the suite against one in-process notifier (see ``NotifierStack``).
    static var notifierStack: NotifierStackTrait { NotifierStackTrait() }
}
