import Foundation
import Hummingbird
import LeadModel
import LeadServiceKit
import LeadStorage
import Metrics
import Logging
import PostgresNIO
import Synchronization

/// Everything ingest's handlers share: configuration, clock, normalization, the stores and the
/// intake pipeline (prepare → de-duplicate → store → outbox).
final class IngestCore: Sendable {
    let configuration: IngestConfiguration
    let context: ServiceContext
    let clock: @Sendable () -> Date
    let builder: LeadBuilder
    let store: LeadStore
    let writer: IntakeWriter
    let sources: SourceStore
    let apiKeys: APIKeyAuthenticator
    let rateLimiter: RateLimiter
    let json: JSONReader
    let xml = XMLReader()
    let logger: Logger
    private let sourceCache = Mutex<[String: (record: SourceRecord?, fetchedAt: Date)]>([:])

    init(configuration: IngestConfiguration, context: ServiceContext, clock: @escaping @Sendable () -> Date) {
        self.configuration = configuration
        self.context = context
        self.clock = clock
        self.logger = context.logger
        builder = LeadBuilder(
            limits: configuration.limits, phones: PhoneNormalizer(defaultRegion: configuration.defaultRegion),
            amounts: AmountParser(defaultCurrency: configuration.defaultCurrency))
        store = LeadStore(logger: context.logger)
        writer = IntakeWriter(store: store, events: context.events, dedupWindow: configuration.dedupWindow)
        sources = SourceStore(client: context.postgres, logger: context.logger)
        apiKeys = APIKeyAuthenticator(store: sources, cacheTime: configuration.apiKeyCacheSeconds, clock: clock)
        rateLimiter = RateLimiter(perMinute: configuration.rateLimitPerMinute, burst: configuration.rateLimitBurst, clock: clock)
        json = JSONReader(maxDepth: configuration.maxJSONDepth)
    }

    /// Normalizes one submission into a lead ready to store.
    func prepare(
        _ submission: LeadSubmission, source: LeadSource, contentType: String?, actor: Actor, now: Date,
        adjust: (inout Lead) -> Void = { _ in }
    ) throws(IntakeRejection) -> PreparedLead {
        var lead = try builder.build(submission, source: source, receivedAt: now)
        adjust(&lead)
        let sourceLeadId = submission.sourceLeadId.map { TextRules.clean($0.text, singleLine: true) }.flatMap { $0.isEmpty ? nil : $0 }
        let intake = Intake(
            channel: source.channel, sourceId: source.id, sourceLeadId: sourceLeadId, receivedAt: now, rawContentType: contentType)
        return PreparedLead(lead: lead, intake: intake, actor: actor)
    }

    /// Normalizes several submissions (an ADF document, a batch): all or none.
    func prepareAll(
        _ submissions: [LeadSubmission], source: LeadSource, contentType: String?, actor: Actor, now: Date
    ) throws(IntakeRejection) -> [PreparedLead] {
        var prepared: [PreparedLead] = []
        var violations: [Violation] = []
        for submission in submissions {
            do {
                prepared.append(try prepare(submission, source: source, contentType: contentType, actor: actor, now: now))
            } catch {
                violations += error.violations
            }
        }
        if !violations.isEmpty { throw IntakeRejection(violations) }
        return prepared
    }

    /// Stores prepared leads in one transaction and returns what became of each; the events
    /// are in the outbox when this returns (the database commit is the acceptance).
    func store(_ prepared: [PreparedLead]) async throws -> [IntakeResult] {
        guard !prepared.isEmpty else { return [] }
        let now = clock()
        let results = try await context.applier.perform { connection in
            try await self.writer.submit(prepared, now: now, on: connection)
        }
        for (item, result) in zip(prepared, results) {
            Counter(label: "leadflow_ingest_leads_total", dimensions: [
                ("channel", item.intake.channel.rawValue), ("outcome", result.outcome.rawValue),
            ]).increment()
        }
        return results
    }


    /// The 429 answer (problem `rate_limited` with `Retry-After`) when `key` is over its rate;
    /// `nil` when the request may go on.
    func rateLimitResponse(_ key: String, perMinute: Int? = nil, cost: Int = 1) throws -> Response? {
        guard let wait = rateLimiter.acquire(key, cost: cost, perMinute: perMinute) else { return nil }
        let seconds = max(1, Int(wait.rounded(.up)))
        let body = try LeadflowJSON.encode(Problem(
            status: .tooManyRequests, code: "rate_limited",
            detail: "the source exceeded its request rate; retry in \(seconds) s"))
        return Response(
            status: .tooManyRequests,
            headers: [.contentType: "application/problem+json", .retryAfter: "\(seconds)"],
            body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// The display data of a configured source, if it exists (cached for a few seconds: it is
    /// read on every intake, and only names and rate limits come from it).
    func sourceRecord(_ id: String) async -> SourceRecord? {
        let now = clock()
        if let cached = sourceCache.withLock({ $0[id] }), now.timeIntervalSince(cached.fetchedAt) < 10 {
            return cached.record
        }
        do {
            let record = try await sources.find(id)
            sourceCache.withLock { cache in
                if cache.count > 10_000 { cache.removeAll() }
                cache[id] = (record, now)  // an unknown source is remembered too
            }
            return record
        } catch {
            return nil
        }
    }
}
