import Foundation
import LeadIntegrationSupport
import LeadMessaging
import LeadModel
import LeadServiceKit
import LeadTestSupport
@testable import LeadRouting

/// One routing instance shared by the flow and access suites: its own database and topics, a
/// clock the tests move, a recorder on `leads.assigned` and `leads.deadletter`, and seeded
/// configuration. Started once per test process.
final class FlowEnvironment: Sendable {
    let database: String
    let prefix: String
    let clock: TestClock
    let service: InProcessService
    let recorder: TopicRecorder
    let producer: KafkaProducer
    let admin: RoutingClient

    /// Wednesday 19 March 2025, 15:00 UTC.
    static let start = LeadflowJSON.parseDate("2025-03-19T15:00:00.000Z")!

    private init(database: String, prefix: String, clock: TestClock, service: InProcessService, recorder: TopicRecorder, producer: KafkaProducer, admin: RoutingClient) {
        self.database = database
        self.prefix = prefix
        self.clock = clock
        self.service = service
        self.recorder = recorder
        self.producer = producer
        self.admin = admin
    }

    private static let shared = SharedStart()

    /// The environment, started on first use.
    static func get() async throws -> FlowEnvironment { try await shared.get() }

    private actor SharedStart {
        var task: Task<FlowEnvironment, any Error>?
        func get() async throws -> FlowEnvironment {
            if let task { return try await task.value }
            let task = Task { try await FlowEnvironment.make() }
            self.task = task
            return try await task.value
        }
    }

    private static func make() async throws -> FlowEnvironment {
        let database = try await TestDatabase.createDatabase()
        let prefix = TestKafka.uniquePrefix("routing")
        try await TestKafka.createLeadflowTopics(prefix: prefix)
        let clock = TestClock(start)
        let service = try await InProcessService.start(
            RoutingService.makeDefinition(clock: clock), database: database, topicPrefix: prefix,
            environment: ["LEADFLOW_ROUTING_SLA_POLL_MS": "50"])
        let recorder = try TopicRecorder(topics: [prefix + Topic.assigned.name, prefix + Topic.deadLetter.name])
        let admin = RoutingClient(baseURL: service.baseURL, token: try await TestAuth.token(.platformAdmin, id: "admin-flow"))
        let environment = FlowEnvironment(
            database: database, prefix: prefix, clock: clock, service: service, recorder: recorder,
            producer: try TestKafka.producer(), admin: admin)
        try await environment.seed()
        return environment
    }

    /// Columbus (alias DLR-30412, postal 432) with a sales team of two; Cleveland (postal 441)
    /// without teams; Dayton (postal 454) with one capped member; a central team of one.
    private func seed() async throws {
        try await admin.configure("/v1/routing/locations/loc-flow-columbus", Location(
            id: "loc-flow-columbus", name: "Columbus", aliases: ["DLR-30412"], postalAreas: ["432"],
            contacts: [LocationContact(id: "contact-columbus", name: "Internet sales", email: "sales@columbus.example")]))
        try await admin.configure("/v1/routing/locations/loc-flow-cleveland", Location(
            id: "loc-flow-cleveland", name: "Cleveland", postalAreas: ["441"], responseSlaSeconds: 7200))
        try await admin.configure("/v1/routing/locations/loc-flow-dayton", Location(id: "loc-flow-dayton", name: "Dayton", postalAreas: ["454"]))
        try await admin.configure("/v1/routing/teams/team-flow-sales", Team(
            id: "team-flow-sales", name: "Sales", locationId: "loc-flow-columbus", rule: TeamRule(hotResponseSlaSeconds: 300)))
        try await admin.configure("/v1/routing/teams/team-flow-dayton", Team(id: "team-flow-dayton", name: "Dayton", locationId: "loc-flow-dayton"))
        try await admin.configure("/v1/routing/teams/team-flow-central", Team(id: "team-flow-central", name: "Central"))
        for (id, team, capacity) in [
            ("member-flow-ann", "team-flow-sales", nil), ("member-flow-bob", "team-flow-sales", nil),
            ("member-flow-cap", "team-flow-dayton", 1), ("member-flow-zoe", "team-flow-central", nil),
        ] as [(String, String, Int?)] {
            try await admin.configure("/v1/routing/members/\(id)", Member(id: id, teamId: team, name: id, capacity: capacity))
        }
    }

    /// Publishes events to their topics under this environment's prefix.
    func publish(_ events: [LeadScored]) async throws {
        try await TestKafka.publish(events, prefix: prefix, producer: producer)
    }

    func publish(_ events: [LeadLifecycleEvent]) async throws {
        try await TestKafka.publish(events, prefix: prefix, producer: producer)
    }

    /// Waits until routing applied `eventId` (its idempotency record exists).
    func waitUntilApplied(_ eventId: UUID, timeout: Duration = .seconds(60)) async throws -> Bool {
        try await eventually(timeout: timeout) {
            try await RoutingDatabase.count(database, "SELECT count(*) FROM routing.processed_events WHERE event_id = '\(eventId)'") == 1
        }
    }

    /// Assignments recorded for `leadId`.
    func assignmentCount(_ leadId: LeadID) async throws -> Int {
        try await RoutingDatabase.count(database, "SELECT count(*) FROM routing.assignments WHERE lead_id = '\(leadId)'")
    }
}
