import Foundation
import LeadMessaging
import LeadModel
import LeadServiceKit
import LeadStorage
import Logging
import PostgresNIO
import Synchronization

/// Rebuilds the projection from the topics: replays every consumed topic from the earliest
/// offset, in a fresh consumer group, into a fresh schema; then swaps it in for the live one.
///
/// The swap is safe while the service keeps running:
/// 1. The rebuild consumes until it owns every partition and has seen nothing new for
///    `idleTime` (it reached the end of the topics).
/// 2. In one transaction it locks the live tables (`ACCESS EXCLUSIVE`, idempotency table
///    first, in the order a live apply takes them), checks that every event the live
///    projection applied is in the rebuilt one — if not (the live consumer got ahead), it
///    rolls back, consumes more and tries again — and renames the schemas.
/// 3. Live applies waiting on the locks resolve the table names again once the swap commits
///    (PostgreSQL re-checks a relation after waiting for its lock), so they land in the new
///    tables, where the shared idempotency record (consumer `analytics`) turns the events the
///    rebuild already applied into no-ops. Nothing is lost, nothing counted twice.
///
/// Messages that are not Leadflow events were dead-lettered by the live service already; the
/// rebuild counts and skips them.
public struct ProjectionRebuilder: Sendable {
    /// How far a rebuild got.
    public struct Progress: Sendable, Encodable {
        public var consumed = 0
        public var applied = 0
        public var duplicates = 0
        public var rejected = 0
        /// Events that kept failing (the live service dead-lettered them as `processing_failed` too).
        public var failed = 0
        public var assignedPartitions = 0
        public var expectedPartitions = 0
    }

    /// What a finished rebuild did.
    public struct Outcome: Sendable, Encodable {
        public var progress: Progress
        public var schema: String
        public var leads: Int
        public var events: Int
        public var swapAttempts: Int
        public var seconds: Double
    }

    /// The reasons a rebuild gives up.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    let client: PostgresClient
    let brokers: String
    let topicPrefix: String
    let consumerGroup: String
    let idleTime: Duration
    let timeout: Duration
    let keepOldSchema: Bool
    let logger: Logger

    /// Creates a rebuilder.
    /// - Parameters:
    ///   - consumerGroup: the fresh group to replay in (must never have committed offsets).
    ///   - idleTime: how long nothing new must arrive before the topics count as replayed.
    ///   - timeout: the longest the whole rebuild may take.
    ///   - keepOldSchema: keep the replaced schema (renamed `analytics_projection_old_<time>`) for inspection.
    public init(
        client: PostgresClient, brokers: String, topicPrefix: String, consumerGroup: String,
        idleTime: Duration = .seconds(3), timeout: Duration = .seconds(3600), keepOldSchema: Bool = false, logger: Logger
    ) {
        self.client = client
        self.brokers = brokers
        self.topicPrefix = topicPrefix
        self.consumerGroup = consumerGroup
        self.idleTime = idleTime
        self.timeout = timeout
        self.keepOldSchema = keepOldSchema
        self.logger = logger
    }

    /// Runs the rebuild; `report` is called with progress about once a second.
    public func run(report: @escaping @Sendable (Progress) -> Void = { _ in }) async throws -> Outcome {
        let started = ContinuousClock.now
        let stamp = Int(Date().timeIntervalSince1970 * 1000)
        let next = try SQLIdentifier("analytics_projection_next_\(stamp)")
        let old = try SQLIdentifier("analytics_projection_old_\(stamp)")
        try await createSchema(next)

        let topics = AnalyticsService.consumedTopics.map { topicPrefix + $0.name }
        let admin = try KafkaAdmin(bootstrapServers: brokers, logger: logger)
        defer { admin.shutdown() }
        let partitions = try await admin.listTopics()
        let expected = topics.reduce(0) { $0 + Int(partitions[$1] ?? 0) }
        let consumer = try KafkaConsumer(
            configuration: KafkaConsumerConfiguration(
                bootstrapServers: brokers, groupId: consumerGroup, topics: topics, clientId: "analytics-rebuild",
                autoOffsetReset: .earliest, sessionTimeoutMs: 6_000, maxPollIntervalMs: 60_000,
                extra: ["heartbeat.interval.ms": "500"]),
            logger: logger)
        let shared = Shared(expected: expected)
        let store = ProjectionStore(client: client, schema: next, logger: logger)

        let queue = BatchQueue(capacity: 1000)
        let reading = Task {
            for await message in consumer.messages {
                shared.lastMessage.withLock { $0 = .now }
                await queue.push(message)
            }
            queue.finish()
        }
        let consuming = Task {
            while let batch = await queue.take(limit: 500) {
                var events: [AnyLeadflowEvent] = []
                var rejected = 0
                for message in batch {
                    do {
                        let incoming = try IncomingEvent(message)
                        if case .metrics = incoming.event { continue }
                        events.append(incoming.event)
                    } catch {
                        rejected += 1
                    }
                }
                var applied = 0
                var failed = 0
                if let count = try? await Self.retrying(attempts: 3, { try await store.apply(events) }) {
                    applied = count
                } else {
                    // One poisonous event must not stop the rebuild: apply them one by one.
                    for event in events {
                        if let done = try? await Self.retrying(attempts: 3, { try await store.apply(event) }) {
                            applied += done ? 1 : 0
                        } else {
                            failed += 1
                            logger.error("rebuild skips an event that keeps failing", metadata: ["eventId": "\(event.eventId)"])
                        }
                    }
                }
                shared.progress.withLock {
                    $0.consumed += batch.count
                    $0.rejected += rejected
                    $0.failed += failed
                    $0.applied += applied
                    $0.duplicates += events.count - applied - failed
                }
                shared.lastMessage.withLock { $0 = .now }
            }
        }
        defer {
            consuming.cancel()
            reading.cancel()
        }

        var attempts = 0
        let deadline = ContinuousClock.now + timeout
        do {
            while true {
                guard ContinuousClock.now < deadline else { throw Failure(description: "the rebuild did not finish within \(timeout)") }
                if consuming.isCancelled { throw Failure(description: "the rebuild consumer stopped") }
                try await Task.sleep(for: .milliseconds(250))
                let assigned = consumer.assignment().count
                let progress = shared.progress.withLock { progress -> Progress in
                    progress.assignedPartitions = assigned
                    return progress
                }
                report(progress)
                let idle = ContinuousClock.now - shared.lastMessage.withLock { $0 }
                guard assigned >= expected, idle >= idleTime else { continue }
                attempts += 1
                if try await swap(next: next, old: old) { break }
                logger.notice("live projection got ahead of the rebuild; consuming more before swapping again")
                shared.lastMessage.withLock { $0 = .now }
            }
        } catch {
            consuming.cancel()
            queue.finish()
            await consumer.close()
            _ = try? await client.query("DROP SCHEMA IF EXISTS \(unescaped: next.name) CASCADE", logger: logger)
            throw error
        }
        consuming.cancel()
        queue.finish()
        await consumer.close()
        if !keepOldSchema {
            try await client.query("DROP SCHEMA IF EXISTS \(unescaped: old.name) CASCADE", logger: logger)
        }
        let counts = try await LeadReadModel(client: client, schema: ProjectionSchema.live, logger: logger).status()
        let elapsed = ContinuousClock.now - started
        return Outcome(
            progress: shared.progress.withLock { $0 }, schema: ProjectionSchema.live.name, leads: counts.leads, events: counts.events,
            swapAttempts: attempts,
            seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }

    private func createSchema(_ schema: SQLIdentifier) async throws {
        let logger = self.logger
        try await client.transaction(logger: logger) { connection in
            try await connection.query("DROP SCHEMA IF EXISTS \(unescaped: schema.name) CASCADE", logger: logger)
            for statement in ProjectionSchema.createStatements(schema: schema) {
                try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
            }
        }
    }

    /// Swaps `next` in when it holds every event the live projection applied; returns whether it did.
    private func swap(next: SQLIdentifier, old: SQLIdentifier) async throws -> Bool {
        let live = ProjectionSchema.live.name
        let logger = self.logger
        do {
            return try await client.transaction(logger: logger) { connection -> Bool in
                try await connection.query("SET LOCAL lock_timeout = '10s'", logger: logger)
                for table in ProjectionSchema.tables {
                    try await connection.query(
                        PostgresQuery(unsafeSQL: "LOCK TABLE \(live).\(table) IN ACCESS EXCLUSIVE MODE"), logger: logger)
                }
                for table in ProjectionSchema.tables {
                    try await connection.query(
                        PostgresQuery(unsafeSQL: "LOCK TABLE \(next.name).\(table) IN ACCESS EXCLUSIVE MODE"), logger: logger)
                }
                let rows = try await connection.query(PostgresQuery(unsafeSQL: """
                    SELECT count(*)::int FROM \(live).processed_events p
                    WHERE NOT EXISTS (SELECT 1 FROM \(next.name).processed_events n
                                      WHERE n.consumer = p.consumer AND n.event_id = p.event_id)
                    """), logger: logger)
                var missing = 0
                for try await count in rows.decode(Int.self) { missing = count }
                guard missing == 0 else { throw NotYet() }
                try await connection.query(PostgresQuery(unsafeSQL: "ALTER SCHEMA \(live) RENAME TO \(old.name)"), logger: logger)
                try await connection.query(PostgresQuery(unsafeSQL: "ALTER SCHEMA \(next.name) RENAME TO \(live)"), logger: logger)
                return true
            }
        } catch is NotYet {
            return false
        } catch where sqlState(of: error) == "55P03" {  // lock_not_available: busy; try again
            return false
        }
    }

    private struct NotYet: Error {}

    /// What the reading, applying and watching tasks share.
    private final class Shared: Sendable {
        let progress: Mutex<Progress>
        let lastMessage = Mutex(ContinuousClock.now)
        init(expected: Int) { progress = Mutex(Progress(expectedPartitions: expected)) }
    }

    /// Retries failures (the swap's locks, deadlocks, connection hiccups) with a growing pause.
    static func retrying<T>(attempts: Int, _ body: () async throws -> T) async throws -> T {
        var attempt = 1
        while true {
            do {
                return try await body()
            } catch where attempt < attempts && !Task.isCancelled {
                try await Task.sleep(for: .milliseconds(100 * attempt))
                attempt += 1
            }
        }
    }
}
