import Foundation
import Logging
import Metrics
import NIOCore
import PostgresNIO
import ServiceLifecycle

/// Where the relay hands outbox records: in the services, the idempotent Kafka producer.
public protocol OutboxSink: Sendable {
    /// Publishes `records` in order and returns only when every one was acknowledged.
    func publish(_ records: [OutboxRecord]) async throws
}

/// Publishes a service's outbox to Kafka, in id order, and marks each published row.
///
/// Only one instance relays a schema at a time (a transaction-scoped advisory lock per batch), so a
/// lead's events leave in the order they were written however many instances run. A crash between the
/// broker's acknowledgement and the commit republishes that batch once; the events keep their ids, and
/// consumers skip ids they have already applied.
public final class OutboxRelay: Service, Sendable {
    /// Tuning knobs.
    public struct Configuration: Sendable {
        /// Rows per batch.
        public var batchSize: Int = 500
        /// How long an idle relay waits before looking again (it is also woken by `wake()`).
        public var pollInterval: Duration = .milliseconds(200)
        /// Wait after a failed publish before retrying.
        public var retryDelay: Duration = .seconds(1)
        /// Published rows older than this are deleted.
        public var retention: Duration = .seconds(3600)

        /// Creates the default configuration.
        public init() {}
    }

    private let client: PostgresClient
    private let schema: SQLIdentifier
    private let sink: any OutboxSink
    private let configuration: Configuration
    private let logger: Logger
    private let signal = WakeSignal()
    private let publishedCounter: Counter
    private let failureCounter: Counter
    private let backlogGauge: Gauge

    /// Creates a relay for the outbox of `schema`.
    public init(
        client: PostgresClient,
        schema: SQLIdentifier,
        sink: any OutboxSink,
        configuration: Configuration = .init(),
        logger: Logger
    ) {
        self.client = client
        self.schema = schema
        self.sink = sink
        self.configuration = configuration
        self.logger = logger
        self.publishedCounter = Counter(label: "leadflow_outbox_published_total", dimensions: [("schema", schema.name)])
        self.failureCounter = Counter(label: "leadflow_outbox_publish_failures_total", dimensions: [("schema", schema.name)])
        self.backlogGauge = Gauge(label: "leadflow_outbox_backlog", dimensions: [("schema", schema.name)])
    }

    /// Asks the relay to look at the outbox now (call after committing a transaction that enqueued).
    public func wake() { signal.wake() }

    /// Runs until graceful shutdown, finishing the batch in flight first.
    public func run() async throws {
        await withGracefulShutdownHandler {
            var lastPurge = ContinuousClock.now
            var lastBacklog = ContinuousClock.now - .seconds(60)
            while !signal.isStopped && !Task.isCancelled {
                do {
                    let published = try await relayBatch()
                    if published == 0 { await signal.wait(timeout: configuration.pollInterval) }
                    if ContinuousClock.now - lastBacklog > .seconds(5) {
                        backlogGauge.record(try await Outbox(schema: schema).backlog(client: client, logger: logger))
                        lastBacklog = ContinuousClock.now
                    }
                    if ContinuousClock.now - lastPurge > .seconds(60) {
                        try await purgePublished()
                        lastPurge = ContinuousClock.now
                    }
                } catch {
                    failureCounter.increment()
                    logger.warning("outbox relay failed; retrying", metadata: [
                        "schema": "\(schema.name)", "error": "\(String(reflecting: error))",
                    ])
                    await signal.wait(timeout: configuration.retryDelay)
                }
            }
        } onGracefulShutdown: {
            self.signal.stop()
        }
    }

    /// Publishes one batch if this instance holds the relay lock; returns the number of rows published.
    @discardableResult
    public func relayBatch() async throws -> Int {
        let logger = self.logger
        let table = "\(schema.name).outbox"
        let lockName = "leadflow.outbox.\(schema.name)"
        let batchSize = configuration.batchSize
        let sink = self.sink
        let count = try await client.transaction(logger: logger) { connection -> Int in
            let lockRows = try await connection.query("SELECT pg_try_advisory_xact_lock(hashtext(\(lockName)))", logger: logger)
            var locked = false
            for try await value in lockRows.decode(Bool.self) { locked = value }
            guard locked else { return 0 }

            let rows = try await connection.query(
                """
                SELECT id, topic, message_key, payload, headers::text FROM \(unescaped: table)
                WHERE published_at IS NULL ORDER BY id LIMIT \(batchSize)
                """,
                logger: logger
            )
            var records: [OutboxRecord] = []
            for try await (id, topic, key, payload, headers) in rows.decode((Int64, String, String?, ByteBuffer, String).self) {
                records.append(OutboxRecord(
                    id: id, topic: topic, key: key,
                    payload: Array(payload.readableBytesView),
                    headers: try Outbox.decodeHeaders(headers)
                ))
            }
            guard !records.isEmpty else { return 0 }
            try await sink.publish(records)
            let ids = records.map(\.id)
            try await connection.query(
                "UPDATE \(unescaped: table) SET published_at = now() WHERE id = ANY(\(ids)::bigint[])",
                logger: logger
            )
            return records.count
        }
        if count > 0 { publishedCounter.increment(by: count) }
        return count
    }

    private func purgePublished() async throws {
        let seconds = Int(configuration.retention.components.seconds)
        try await client.query(
            """
            DELETE FROM \(unescaped: schema.name).outbox
            WHERE published_at IS NOT NULL AND published_at < now() - make_interval(secs => \(seconds))
            """,
            logger: logger
        )
    }
}
