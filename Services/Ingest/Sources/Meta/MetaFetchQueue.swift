import Foundation
import LeadModel
import LeadServiceKit
import LeadStorage
import Logging
import PostgresNIO
import ServiceLifecycle

/// The durable queue of Meta leadgen ids to fetch from the Graph API (`ingest.meta_fetches`).
///
/// A notification is answered once its ids are committed here; a worker on any instance then
/// claims due ids (`FOR UPDATE SKIP LOCKED`, leased so a crashed worker's claim comes back),
/// fetches each lead, and stores it through the intake pipeline in the same transaction that
/// marks the id done. Failed fetches back off exponentially; after the last attempt the id is
/// dead-lettered (original notice, reason) — never silently lost.
final class MetaFetchQueue: Service, Sendable {
    private let core: IngestCore
    private let graph: GraphClient
    private let signal = WakeSignal()
    private var logger: Logger { core.logger }
    private var configuration: IngestConfiguration.MetaConfiguration { core.configuration.meta }
    /// How long a claim lasts before another worker may take the id.
    private let lease: TimeInterval

    init(core: IngestCore) {
        self.core = core
        let meta = core.configuration.meta
        graph = GraphClient(baseURL: meta.graphURL, version: meta.graphVersion, accessToken: meta.accessToken, timeout: meta.fetchTimeout)
        lease = max(30, meta.fetchTimeout * 3)
    }

    /// Queues leadgen ids (an id already queued or done is not queued again); returns how many are new.
    func enqueue(_ notices: [MetaLeadgenNotice], sourceId: String, now: Date) async throws -> Int {
        guard !notices.isEmpty else { return 0 }
        let ids = notices.map(\.leadgenId)
        let payloads = try notices.map { String(decoding: try LeadflowJSON.encode($0), as: UTF8.self) }
        let rows = try await core.context.postgres.query(
            """
            INSERT INTO ingest.meta_fetches (leadgen_id, source_id, notice, status, next_attempt_at, created_at, updated_at)
            SELECT id, \(sourceId), n::jsonb, 'pending', \(now), \(now), \(now)
            FROM unnest(\(ids)::text[], \(payloads)::text[]) AS q(id, n)
            ON CONFLICT (leadgen_id) DO NOTHING RETURNING 1
            """, logger: logger)
        var count = 0
        for try await _ in rows { count += 1 }
        if count > 0 { signal.wake() }
        return count
    }

    func run() async throws {
        await withGracefulShutdownHandler {
            while !signal.isStopped && !Task.isCancelled {
                var worked = 0
                do {
                    worked = try await processDue()
                } catch {
                    logger.warning("meta fetch queue failed; retrying", metadata: ["error": "\(String(reflecting: error))"])
                }
                if worked == 0 { await signal.wait(timeout: .milliseconds(Int64(configuration.pollInterval * 1000))) }
            }
        } onGracefulShutdown: {
            self.signal.stop()
        }
    }

    struct Claim {
        var leadgenId: String
        var sourceId: String
        var notice: String
        var attempts: Int
    }

    /// Claims and processes the due ids; returns how many were claimed.
    func processDue() async throws -> Int {
        let now = core.clock()
        let rows = try await core.context.postgres.query(
            """
            UPDATE ingest.meta_fetches SET attempts = attempts + 1, next_attempt_at = \(now.addingTimeInterval(lease)), updated_at = \(now)
            WHERE leadgen_id IN (
                SELECT leadgen_id FROM ingest.meta_fetches WHERE status = 'pending' AND next_attempt_at <= \(now)
                ORDER BY next_attempt_at LIMIT 16 FOR UPDATE SKIP LOCKED)
            RETURNING leadgen_id, source_id, notice::text, attempts
            """, logger: logger)
        var claims: [Claim] = []
        for try await (id, source, notice, attempts) in rows.decode((String, String, String, Int).self) {
            claims.append(Claim(leadgenId: id, sourceId: source, notice: notice, attempts: attempts))
        }
        await withTaskGroup(of: Void.self) { group in
            for claim in claims {
                group.addTask { await self.process(claim) }
            }
        }
        return claims.count
    }

    private func process(_ claim: Claim) async {
        do {
            let body = try await graph.fetch(leadgenId: claim.leadgenId)
            try await store(claim, body: body)
        } catch let rejection as IntakeRejection {
            await deadLetter(claim, code: rejection.first.code, reason: "the Graph API lead is not usable: \(rejection)")
        } catch let error as JSONParseError {
            await deadLetter(claim, code: error.code, reason: "the Graph API answer is not JSON: \(error)")
        } catch {
            await retryOrGiveUp(claim, error: String(describing: error))
        }
    }

    /// Stores the fetched lead and marks the id done, in one transaction.
    private func store(_ claim: Claim, body: [UInt8]) async throws {
        let submission = try MetaFormat.lead(try core.json.parse(body))
        if let fetched = submission.sourceLeadId?.text, fetched != claim.leadgenId {
            throw IntakeRejection.field("/id", rule: "match", "the Graph API returned lead \(fetched.prefix(32)) for \(claim.leadgenId)")
        }
        let notice = try? LeadflowJSON.decode(MetaLeadgenNotice.self, from: Array(claim.notice.utf8))
        let now = core.clock()
        let record = await core.sourceRecord(claim.sourceId)
        var prepared = try core.prepare(
            submission, source: LeadSource(id: claim.sourceId, name: record?.name ?? "Meta Lead Ads", channel: .meta, partner: "Meta"),
            contentType: "application/json", actor: Actor(id: claim.sourceId, role: .integrationSource), now: now)
        if prepared.lead.source.formId == nil { prepared.lead.source.formId = notice?.formId }
        if prepared.lead.source.adId == nil { prepared.lead.source.adId = notice?.adId }
        let logger = self.logger
        try await core.context.applier.perform { connection -> (Void, [OutboxRecord]) in
            let rows = try await connection.query(
                "SELECT status FROM ingest.meta_fetches WHERE leadgen_id = \(claim.leadgenId) FOR UPDATE", logger: logger)
            var status = ""
            for try await value in rows.decode(String.self) { status = value }
            guard status == "pending" else { return ((), []) }
            let (results, records) = try await self.core.writer.submit([prepared], now: now, on: connection)
            try await connection.query(
                """
                UPDATE ingest.meta_fetches SET status = 'done', lead_id = \(results.first?.leadId.uuid), last_error = NULL, updated_at = \(now)
                WHERE leadgen_id = \(claim.leadgenId)
                """, logger: logger)
            return ((), records)
        }
    }

    private func retryOrGiveUp(_ claim: Claim, error: String) async {
        guard claim.attempts < configuration.maxAttempts else {
            await deadLetter(claim, code: "graph_fetch_failed", reason: "fetching the lead failed \(claim.attempts) times; last: \(error)")
            return
        }
        let delay = min(configuration.retryMax, configuration.retryBase * pow(2, Double(claim.attempts - 1)))
        let now = core.clock()
        logger.notice("meta lead fetch failed; will retry", metadata: [
            "leadgenId": "\(claim.leadgenId)", "attempt": "\(claim.attempts)", "error": "\(error)",
        ])
        _ = try? await core.context.postgres.query(
            """
            UPDATE ingest.meta_fetches SET next_attempt_at = \(now.addingTimeInterval(delay)), last_error = \(error), updated_at = \(now)
            WHERE leadgen_id = \(claim.leadgenId) AND status = 'pending'
            """, logger: logger)
    }

    /// Publishes the notice to `leads.deadletter` and marks the id dead; if the dead letter
    /// cannot be written the id stays pending and is tried again.
    private func deadLetter(_ claim: Claim, code: String, reason: String) async {
        let letter = DeadLetter(
            originalTopic: "http:/v1/webhooks/meta", originalKey: claim.leadgenId,
            originalHeaders: ["leadgen_id": claim.leadgenId, "source_id": claim.sourceId],
            originalValue: Array(claim.notice.utf8), stage: .ingest, errorCode: code, reason: String(reason.prefix(1000)),
            failedAt: core.clock(), attempts: claim.attempts)
        do {
            try await core.context.deadLetters.write(letter)
            try await core.context.postgres.query(
                """
                UPDATE ingest.meta_fetches SET status = 'dead', last_error = \(String(reason.prefix(1000))), updated_at = \(core.clock())
                WHERE leadgen_id = \(claim.leadgenId)
                """, logger: logger)
            logger.warning("meta lead dead-lettered", metadata: ["leadgenId": "\(claim.leadgenId)", "code": "\(code)"])
        } catch {
            logger.error("could not dead-letter a meta lead; it stays queued", metadata: ["error": "\(String(reflecting: error))"])
        }
    }
}
