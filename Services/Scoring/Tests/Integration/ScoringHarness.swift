import Foundation
import LeadIntegrationSupport
import LeadMessaging
import LeadModel
import LeadServiceKit
import LeadTestSupport
import Synchronization
import Testing
@testable import LeadScoring

/// A clock tests move by hand.
final class TestClock: Sendable {
    private let current: Mutex<Date>

    init(_ start: Date = Date()) { current = Mutex(start) }

    /// The current time.
    var now: Date { current.withLock { $0 } }

    /// Moves the clock forward.
    func advance(by seconds: TimeInterval) { current.withLock { $0.addTimeInterval(seconds) } }
}

/// The scoring service running in-process against the real broker and database, with its own
/// database and topic prefix, a producer for its input topics and a recorder of its output topics.
final class ScoringHarness: Sendable {
    let service: InProcessService
    let database: String
    let prefix: String
    let producer: KafkaProducer
    let output: TopicRecorder
    let clock: TestClock?

    private init(service: InProcessService, database: String, prefix: String, producer: KafkaProducer,
                 output: TopicRecorder, clock: TestClock?) {
        self.service = service
        self.database = database
        self.prefix = prefix
        self.producer = producer
        self.output = output
        self.clock = clock
    }

    /// Starts a harness; with `clock`, the service computes scores at that clock's time.
    static func start(clock: TestClock? = nil, environment: [String: String] = [:]) async throws -> ScoringHarness {
        let database = try await TestDatabase.createDatabase()
        let prefix = TestKafka.uniquePrefix("scoring")
        try await TestKafka.createLeadflowTopics(prefix: prefix)
        let definition = clock.map { clock in ScoringService.makeDefinition(clock: { clock.now }) } ?? ScoringService.definition
        var env = ["LEADFLOW_SCORING_RESCORE_POLL_MS": "100"]
        env.merge(environment) { _, new in new }
        let service = try await InProcessService.start(definition, database: database, topicPrefix: prefix, environment: env)
        let output = try TopicRecorder(topics: [prefix + Topic.scored.name, prefix + Topic.deadLetter.name])
        return ScoringHarness(service: service, database: database, prefix: prefix, producer: try TestKafka.producer(),
                              output: output, clock: clock)
    }

    /// One harness shared by the suites that only add their own leads (started on first use).
    static func shared() async throws -> ScoringHarness { try await SharedHarness.instance.get() }

    /// The time events should carry.
    var now: Date { clock?.now ?? Date() }

    func publish<Event: LeadflowEvent>(_ events: [Event]) async throws {
        try await TestKafka.publish(events, prefix: prefix, producer: producer)
    }

    /// Publishes raw bytes to an input topic (hostile input).
    func publishRaw(topic: Topic, key: String?, value: [UInt8], headers: [(String, String)]) async throws {
        _ = try await producer.send(OutgoingMessage(
            topic: prefix + topic.name, key: key.map { Array($0.utf8) }, value: value,
            headers: headers.map { KafkaHeader(key: $0.0, string: $0.1) }))
    }

    /// The `leads.scored` events of `leadId` read so far, in order.
    func scored(_ leadId: LeadID) -> [LeadScored] {
        output.events.compactMap(\.scored).filter { $0.leadId == leadId }
    }

    /// Waits until `leadId` has `count` scored events (or the timeout) and returns them.
    @discardableResult
    func waitForScores(_ leadId: LeadID, count: Int, timeout: Duration = .seconds(60)) async -> [LeadScored] {
        await output.wait(timeout: timeout) { events in
            events.compactMap(\.scored).filter { $0.leadId == leadId }.count >= count
        }
        return scored(leadId)
    }

    /// The dead letters read so far.
    var deadLetters: [DeadLetter] { output.events.compactMap(\.deadLetter) }

    /// An HTTP request with a token for `principal` (none: anonymous).
    func request(
        _ method: String, _ path: String, as principal: Principal?, body: String? = nil, headers: [String: String] = [:]
    ) async throws -> TestHTTPResponse {
        var all = headers
        if let principal { all["authorization"] = TestAuth.bearer(try await TestAuth.token(principal)) }
        if body != nil { all["content-type"] = "application/json" }
        return try await TestHTTP.request(method, service.baseURL + path, headers: all, body: body.map { Array($0.utf8) })
    }

    static let admin = Principal(id: "admin-1", role: .platformAdmin)

    func stop() async {
        await output.stop()
        await producer.shutdown()
        await service.stop()
        try? await TestDatabase.dropDatabase(database)
    }
}

/// Starts the shared harness once per test process.
private actor SharedHarness {
    static let instance = SharedHarness()
    private var task: Task<ScoringHarness, any Error>?

    func get() async throws -> ScoringHarness {
        if let task { return try await task.value }
        let task = Task { try await ScoringHarness.start() }
        self.task = task
        return try await task.value
    }
}

extension Fixtures {
    /// A received event at `time` for a fresh copy of `lead` created then.
    static func received(_ make: (LeadID, Date) -> Lead, at time: Date) -> LeadReceived {
        received(make(LeadID(), time), at: time)
    }
}
