import Foundation
import HTTPTypes
import Hummingbird
import LeadStorage
import LeadModel
import LeadServiceKit

/// CSV import: `POST /v1/leads/import` parses the upload while it streams (bytes are counted,
/// the file is never held whole), stores rows in batches through the intake pipeline, and keeps
/// the job's progress in `ingest.imports` for `GET /v1/imports/{id}`. The client may choose the
/// job id (`?jobId=` or `X-Import-Id`) to watch progress while it uploads.
struct ImportRoutes: Sendable {
    let core: IngestCore
    let imports: ImportStore

    static let jobHeader = HTTPField.Name("X-Import-Id")!
    static let batchSize = 100

    func register(on router: Router<LeadflowRequestContext>) {
        router.post("/v1/leads/import") { request, context in try await upload(request, context) }
        router.get("/v1/imports/:importId") { _, context in try await status(context) }
    }

    func status(_ context: LeadflowRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        guard let text = context.parameters.get("importId"), let id = UUID(uuidString: text),
              let job = try await imports.find(id), Self.maySee(job, principal)
        else { throw Problem.notFound("no such import") }
        return try Response.json(job)
    }

    /// Admins see every job; others the jobs they started or of their own source.
    static func maySee(_ job: ImportJob, _ principal: Principal) -> Bool {
        principal.role == .platformAdmin || job.createdBy == principal.description
            || (principal.role == .integrationSource && principal.scope.sourceIds.contains(job.sourceId))
    }

    func upload(_ request: Request, _ context: LeadflowRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try request.requireMediaType(["text/csv", "application/csv", "text/plain", "application/octet-stream"], describe: "text/csv")
        let query = request.uri.queryParameters
        let requestedSource = query["sourceId"].map(String.init)
        let sourceId: String
        switch principal.role {
        case .integrationSource:
            guard let chosen = requestedSource ?? principal.scope.sourceIds.sorted().first,
                  principal.holds(.submitLeads(sourceId: chosen)) else {
                throw Problem(status: .forbidden, code: "source_mismatch", detail: "this integration may not import for that source")
            }
            sourceId = chosen
        case .platformAdmin:
            sourceId = requestedSource ?? "import"
        default:
            throw Problem(status: .forbidden, code: "forbidden", detail: "\(principal.role.rawValue) may not import leads")
        }
        guard SourceRoutes.isSourceId(sourceId) else {
            throw Problem.invalid("sourceId", rule: "pattern", "not a source id")
        }
        var jobId = UUID()
        if let text = query["jobId"].map(String.init) ?? request.headers[Self.jobHeader] {
            guard let id = UUID(uuidString: text) else { throw Problem.invalid("jobId", rule: "uuid", "the job id must be a UUID") }
            jobId = id
        }
        let record = await core.sourceRecord(sourceId)
        if let limited = try core.rateLimitResponse(
            "source:\(sourceId)", perMinute: core.apiKeys.rateLimit(of: sourceId) ?? record?.rateLimitPerMinute) { return limited }
        let started = core.clock()
        guard try await imports.create(id: jobId, sourceId: sourceId, createdBy: principal.description, now: started) else {
            throw Problem(status: .conflict, code: "import_exists", detail: "an import with that id exists", field: "jobId", rule: "unique")
        }
        var run = ImportRun(
            core: core, imports: imports, actor: principal.actor,
            source: LeadSource(id: sourceId, name: record?.name, channel: .csv, partner: record?.partner),
            job: ImportJob(
                id: jobId, sourceId: sourceId, createdBy: principal.description, status: .running, bytesRead: 0, rowsRead: 0,
                accepted: 0, merged: 0, redelivered: 0, rejected: 0, createdAt: started, updatedAt: started, errors: []))
        // One pass over the body: after a failure the rest is read and discarded (the body can be
        // iterated once), so the client gets the answer instead of a stalled upload.
        var failure: (any Error)?
        let hardCap = Int64(core.configuration.maxImportBytes) * 4 + (64 << 20)
        do {
            for try await chunk in request.body {
                run.job.bytesRead += Int64(chunk.readableBytes)
                if failure != nil {
                    if run.job.bytesRead > hardCap { break }
                    continue
                }
                if run.job.bytesRead > Int64(core.configuration.maxImportBytes) {
                    failure = Problem(status: .contentTooLarge, code: "body_too_large",
                                      detail: "the upload exceeds \(core.configuration.maxImportBytes) bytes; rows before that were imported (job \(jobId))")
                    continue
                }
                do {
                    try await run.feed(chunk.readableBytesView)
                } catch {
                    failure = error
                }
            }
            if failure == nil { try await run.finish() }
        } catch {
            failure = failure ?? error
        }
        if let failure {
            let problem: Problem = switch failure {
            case let problem as Problem: problem
            case let parse as CSVParser.Failure:
                Problem(status: .unprocessableContent, code: parse.code, detail: "\(parse.message) (line \(parse.line)); rows before it were imported")
            case let rejection as IntakeRejection: rejection.problem
            case let error where isTransientDatabaseFailure(error):
                Problem.databaseUnavailable(
                    "the database became unavailable during the import (job \(jobId.uuidString.lowercased())); rows before it were imported. "
                        + "Send the file again: rows already imported are recognised by their source lead id (others merge into their lead as repeat inquiries)")
            default: Problem(status: .badRequest, code: "upload_interrupted", detail: "the upload was interrupted; rows before it were imported")
            }
            try? await run.fail(problem.detail)
            throw problem
        }
        return try Response.json(run.job, status: .accepted, headers: [.location: "/v1/imports/\(jobId.uuidString.lowercased())"])
    }
}

/// The state of one import while it streams.
struct ImportRun {
    let core: IngestCore
    let imports: ImportStore
    let actor: Actor
    let source: LeadSource
    var job: ImportJob
    var parser = CSVParser()
    var format: CSVLeadFormat?
    var pending: [(row: Int, lead: PreparedLead)] = []
    var newErrors: [ImportJob.RowError] = []
    var lastProgress = Date.distantPast

    init(core: IngestCore, imports: ImportStore, actor: Actor, source: LeadSource, job: ImportJob) {
        self.core = core
        self.imports = imports
        self.actor = actor
        self.source = source
        self.job = job
    }

    mutating func feed(_ bytes: some Sequence<UInt8>) async throws {
        for row in try parser.feed(bytes) { try await handle(row) }
        if pending.count >= ImportRoutes.batchSize { try await flush() }
        if Date().timeIntervalSince(lastProgress) > 0.5 { try await saveProgress() }
    }

    mutating func finish() async throws {
        for row in try parser.finish() { try await handle(row) }
        guard format != nil else {
            throw IntakeRejection.field("/header", rule: "required", "the file has no header row", code: "csv_header_invalid")
        }
        try await flush()
        job.status = .completed
        job.finishedAt = core.clock()
        try await saveProgress()
    }

    mutating func fail(_ reason: String) async throws {
        try? await flush()
        job.status = .failed
        job.failure = String(reason.prefix(500))
        job.finishedAt = core.clock()
        try await saveProgress()
    }

    mutating func handle(_ row: CSVParser.Row) async throws {
        let fields = row.fields.map { String(validating: $0, as: UTF8.self) }
        guard let format else {
            guard fields.allSatisfy({ $0 != nil }) else {
                throw IntakeRejection.malformed("invalid_utf8", "the header row is not valid UTF-8")
            }
            format = try CSVLeadFormat(header: fields.map { $0! })
            return
        }
        job.rowsRead += 1
        let number = job.rowsRead
        guard fields.allSatisfy({ $0 != nil }) else {
            reject(number, line: row.line, Violation(code: "invalid_utf8", field: "/rows/\(number)", rule: "encoding", detail: "the row is not valid UTF-8"))
            return
        }
        if fields.count == 1, fields[0]!.trimmingWhitespace.isEmpty { job.rowsRead -= 1; return }
        do {
            let submission = format.submission(fields.map { $0! }, row: number)
            pending.append((number, try core.prepare(submission, source: source, contentType: "text/csv", actor: actor, now: core.clock())))
        } catch {
            reject(number, line: row.line, error.first)
        }
        if pending.count >= ImportRoutes.batchSize { try await flush() }
    }

    mutating func reject(_ row: Int, line: Int, _ violation: Violation) {
        job.rejected += 1
        if job.errors.count < core.configuration.importMaxErrors {
            let error = ImportJob.RowError(row: row, line: line, code: violation.code, field: violation.field, rule: violation.rule, detail: violation.detail)
            job.errors.append(error)
            newErrors.append(error)
        }
    }

    mutating func flush() async throws {
        guard !pending.isEmpty else { return }
        let batch = pending
        pending = []
        for result in try await core.store(batch.map(\.lead)) {
            switch result.outcome {
            case .created: job.accepted += 1
            case .merged: job.merged += 1
            case .redelivered: job.redelivered += 1
            }
        }
        try await saveProgress()
    }

    mutating func saveProgress() async throws {
        let now = core.clock()
        job.updatedAt = now
        try await imports.progress(job, newErrors: newErrors, now: now)
        newErrors = []
        lastProgress = Date()
    }
}
