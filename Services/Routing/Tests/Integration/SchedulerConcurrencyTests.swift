import Foundation
import LeadIntegrationSupport
import LeadModel
import LeadServiceKit
import LeadStorage
import LeadTestSupport
import Logging
import PostgresNIO
import Testing
@testable import LeadRouting

/// The SLA scheduler and the event handler wired by hand on a real database (no broker): two
/// schedulers race over the same overdue leads, as two instances would.
@Suite("SLA scheduler on PostgreSQL")
struct SchedulerConcurrencyTests {
    @Test("two schedulers re-route each overdue lead exactly once, skipping leads the other holds")
    func twoSchedulers() async throws {
        let database = try await TestDatabase.createDatabase()
        try await TestDatabase.withClient(database: database) { client in
            var logger = Logger(label: "test.scheduler")
            logger.logLevel = .warning
            let schema = try SQLIdentifier("routing")
            try await Migrator(client: client, logger: logger).migrate([
                .messagingTables(schema: schema),
                MigrationSet(name: "routing", schema: schema, migrations: RoutingMigrations.all(schema: "routing")),
            ])
            let clock = TestClock(LeadflowJSON.parseDate("2025-03-19T15:00:00.000Z")!)
            let config = ConfigRepository(schema: schema, logger: logger)
            let leads = LeadRepository(schema: schema, logger: logger)
            let applier = EventApplier(client: client, schema: schema, relay: nil, logger: logger)
            func engine(_ instance: String) -> RoutingEngine {
                RoutingEngine(leads: leads, config: config, cache: DirectoryCache(repository: config),
                              events: EventEncoder(source: "/leadflow/routing"), clock: clock, instanceId: instance, logger: logger)
            }
            try await client.transaction(logger: logger) { connection in
                _ = try await config.put(Team(id: "team-s", name: "S", rule: TeamRule(responseSlaSeconds: 600)), ifMatch: nil, on: connection)
                for id in ["member-s1", "member-s2", "member-s3"] {
                    _ = try await config.put(Member(id: id, teamId: "team-s", name: id), ifMatch: nil, on: connection)
                }
            }
            let handler = RoutingEventHandler(applier: applier, leads: leads, engine: engine("handler"), logger: logger)
            let scored = (0..<120).map { _ in TestEvents.scored(at: clock.now()) }
            for event in scored { try await handler.apply(event) }
            #expect(try await count(client, "SELECT count(*) FROM routing.assignments") == 120)

            // Nothing is due yet.
            let early = ResponseDeadlineScheduler(applier: applier, leads: leads, engine: engine("one"), clock: clock, pollInterval: .seconds(1), logger: logger)
            #expect(try await early.rerouteNextOverdue() == false)

            clock.advance(by: 601)
            let schedulers = ["one", "two"].map {
                ResponseDeadlineScheduler(applier: applier, leads: leads, engine: engine($0), clock: clock, pollInterval: .seconds(1), logger: logger)
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for scheduler in schedulers {
                    group.addTask { while try await scheduler.rerouteNextOverdue() {} }
                }
                try await group.waitForAll()
            }
            #expect(try await count(client, "SELECT count(*) FROM routing.assignments") == 240)
            #expect(try await count(client, "SELECT count(*) FROM (SELECT lead_id FROM routing.assignments GROUP BY lead_id HAVING count(*) <> 2) s") == 0)
            #expect(try await count(client, "SELECT count(DISTINCT routed_by) FROM routing.assignments WHERE routed_by <> 'handler'") == 2)
            // Each re-routing went to another member, and the clock restarted for the new owner.
            #expect(try await count(client, """
                SELECT count(*) FROM routing.assignments a JOIN routing.assignments b
                  ON a.lead_id = b.lead_id AND a.id < b.id WHERE a.owner_id = b.owner_id OR b.previous_owner_id <> a.owner_id
                """) == 0)
            #expect(try await count(client, "SELECT count(*) FROM routing.leads WHERE response_due_at > '2025-03-19T15:10:01Z'::timestamptz") == 120)
            #expect(try await count(client, "SELECT count(*) FROM routing.outbox") == 240)
        }
        try await TestDatabase.dropDatabase(database)
    }

    func count(_ client: PostgresClient, _ sql: String) async throws -> Int {
        for try await value in try await client.query(PostgresQuery(unsafeSQL: sql)).decode(Int64.self) { return Int(value) }
        return 0
    }
}
