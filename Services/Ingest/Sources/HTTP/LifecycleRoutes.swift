import Foundation
import HTTPTypes
import Hummingbird
import LeadModel
import LeadServiceKit
import LeadStorage
import Logging
import PostgresNIO

/// What a lifecycle command answers (`202 Accepted`): the events it published and the lead's
/// statuses afterwards.
struct CommandResult: Codable, Sendable {
    var leadId: LeadID
    /// The published events' ids, lower-case.
    var eventIds: [String]
    var changes: [LifecycleChange.Kind]
    var lifecycleStage: LifecycleStage
    var pipelineStatus: PipelineStatus
    var locationResponse: LocationResponseStatus?
    var taskId: String?
    var appointmentId: String?
}

extension CommandError {
    var problem: Problem {
        let status: HTTPResponse.Status = switch kind {
        case .conflict: .conflict
        case .invalid: .unprocessableContent
        case .notFound: .notFound
        }
        return Problem(status: status, code: code, detail: detail, field: field, rule: rule)
    }
}

/// The lifecycle commands on one lead (`POST /v1/leads/{leadId}/…`, `DELETE /v1/leads/{leadId}`).
/// Each is validated against the lead with LeadModel's transition rules under a row lock and
/// published to `leads.lifecycle` through the outbox, carrying the caller as actor.
struct LifecycleRoutes: Sendable {
    let core: IngestCore

    static let idempotencyHeader = HTTPField.Name("Idempotency-Key")!

    func register(on router: Router<LeadflowRequestContext>) {
        for kind in CommandReader.Kind.allCases {
            router.post("/v1/leads/:leadId/\(kind.rawValue)") { request, context in
                try await command(request, context) { reader, value throws(IntakeRejection) in try reader.read(kind, value) }
            }
        }
        router.post("/v1/leads/:leadId/tasks/:taskId/complete") { request, context in
            let taskId = try context.parameters.require("taskId")
            return try await command(request, context) { reader, value throws(IntakeRejection) in try reader.readCompletion(taskId: taskId, value) }
        }
        router.post("/v1/leads/:leadId/appointments") { request, context in
            try await command(request, context) { reader, value throws(IntakeRejection) in try reader.readAppointment(value) }
        }
        router.post("/v1/leads/:leadId/appointments/:appointmentId/outcome") { request, context in
            let appointmentId = try context.parameters.require("appointmentId")
            return try await command(request, context) { reader, value throws(IntakeRejection) in try reader.readOutcome(appointmentId: appointmentId, value) }
        }
        router.delete("/v1/leads/:leadId") { request, context in
            let principal = try context.requirePrincipal()
            let leadId = try Self.leadId(context)
            return try await execute(.erase, leadId: leadId, actor: principal.actor, principal: principal,
                                     idempotencyKey: request.headers[Self.idempotencyHeader])
        }
    }

    static func leadId(_ context: LeadflowRequestContext) throws -> LeadID {
        guard let text = context.parameters.get("leadId"), let id = LeadID(text) else { throw Problem.notFound("no such lead") }
        return id
    }

    /// Reads a command body and runs it.
    func command(
        _ request: Request, _ context: LeadflowRequestContext,
        read: (CommandReader, JSONValue) throws(IntakeRejection) -> LifecycleCommand
    ) async throws -> Response {
        let principal = try context.requirePrincipal()
        let leadId = try Self.leadId(context)
        try request.requireMediaType(["application/json"], suffix: "+json", describe: "application/json")
        let bytes = Array(try await request.collectBody(limit: core.configuration.maxBodyBytes).readableBytesView)
        let command: LifecycleCommand
        do {
            let value = try core.json.parse(bytes)
            command = try read(CommandReader(builder: core.builder, now: core.clock()), value)
        } catch let error as JSONParseError {
            throw error.problem
        } catch let rejection as IntakeRejection {
            throw rejection.problem
        }
        return try await execute(command, leadId: leadId, actor: principal.actor, principal: principal,
                                 idempotencyKey: request.headers[Self.idempotencyHeader])
    }

    /// Runs `command` on the lead in one transaction: lock, authorize, validate, apply, publish.
    /// - Parameters:
    ///   - principal: the bearer caller (nil for action links, which `authorize` checks instead).
    ///   - before: work in the same transaction before the lead is loaded (action-link nonces).
    ///   - authorize: extra checks on the locked lead.
    func execute(
        _ command: LifecycleCommand, leadId: LeadID, actor: Actor, principal: Principal?, idempotencyKey: String? = nil,
        before: @Sendable (PostgresConnection) async throws -> Void = { _ in },
        authorize: @Sendable (StoredLead) throws -> Void = { _ in }
    ) async throws -> Response {
        let now = core.clock()
        let store = core.store
        let events = core.context.events
        let logger = core.logger
        if let idempotencyKey, idempotencyKey.isEmpty || idempotencyKey.utf8.count > 200 {
            throw Problem.invalid("Idempotency-Key", rule: "format", "the Idempotency-Key header must be 1 to 200 characters")
        }
        let result: CommandResult = try await core.context.applier.perform { connection in
            if let principal, let idempotencyKey {
                let rows = try await connection.query(
                    """
                    SELECT lead_id, response::text FROM ingest.command_keys
                    WHERE principal = \(principal.description) AND idempotency_key = \(idempotencyKey)
                    """, logger: logger)
                for try await (storedLead, response) in rows.decode((UUID, String).self) {
                    guard storedLead == leadId.uuid else {
                        throw Problem(status: .conflict, code: "idempotency_key_reused", detail: "the Idempotency-Key was used for another lead")
                    }
                    return (try LeadflowJSON.decode(CommandResult.self, from: Array(response.utf8)), [])
                }
            }
            try await before(connection)
            // A merged lead's id keeps working: commands and action links act on its survivor.
            let requestedLeadId = leadId
            let leadId = try await MergeStore(logger: logger).resolve(leadId, on: connection)
            guard var stored = try await store.load(leadId, forUpdate: true, on: connection) else {
                throw Problem.notFound("no such lead")
            }
            if let principal {
                try principal.requireLead(stored.facts, change: true)
                try Self.checkRole(command, principal: principal)
            }
            try authorize(stored)
            if stored.erasedAt != nil {
                guard command == .erase else { throw Problem.leadErased }
                return (CommandResult(leadId: leadId, eventIds: [], changes: [], lifecycleStage: stored.lead.lifecycleStage,
                                      pipelineStatus: stored.lead.pipelineStatus, locationResponse: stored.lead.locationResponse), [])
            }
            var commandContext = CommandContext()
            switch command {
            case .completeTask(let id, _, _):
                commandContext.taskCompletedAt = try await store.taskCompletion(id, leadId: leadId, on: connection)
            case .recordAppointmentOutcome(let id, _):
                commandContext.appointmentKept = try await store.appointmentOutcome(id, leadId: leadId, on: connection)
            default:
                break
            }
            let changes = try Self.plan(command, lead: stored.lead, context: commandContext)
            var taskId: String?
            var appointmentId: String?
            switch command {
            case .createTask(let task):
                guard try await store.insertTask(task, leadId: leadId, on: connection) else {
                    throw Problem(status: .conflict, code: "task_exists", detail: "the lead already has a task with that id", field: "/id", rule: "unique")
                }
                taskId = task.id
            case .completeTask(let id, _, _):
                try await store.completeTask(id, leadId: leadId, now: now, on: connection)
                taskId = id
            case .scheduleAppointment(let appointment):
                guard try await store.insertAppointment(appointment, leadId: leadId, on: connection) else {
                    throw Problem(status: .conflict, code: "appointment_exists", detail: "the lead already has an appointment with that id", field: "/id", rule: "unique")
                }
                appointmentId = appointment.id
            case .recordAppointmentOutcome(let id, let kept):
                try await store.recordAppointmentOutcome(id, kept: kept, leadId: leadId, on: connection)
                appointmentId = id
            default:
                break
            }
            for change in changes { stored.lead.apply(change, at: now) }
            var lifecycleEvents = changes.map { LeadLifecycleEvent(leadId: leadId, occurredAt: now, actor: actor, change: $0) }
            if command == .erase {
                try await store.erase(stored.lead, now: now, on: connection)
                lifecycleEvents += try await Self.eraseMergedLeads(into: leadId, actor: actor, now: now, store: store, logger: logger, on: connection)
            } else {
                try await store.update(stored.lead, now: now, on: connection)
            }
            let result = CommandResult(
                leadId: leadId, eventIds: lifecycleEvents.map { $0.eventId.uuidString.lowercased() }, changes: changes.map(\.kind),
                lifecycleStage: stored.lead.lifecycleStage, pipelineStatus: stored.lead.pipelineStatus,
                locationResponse: stored.lead.locationResponse, taskId: taskId, appointmentId: appointmentId)
            if let principal, let idempotencyKey {
                let response = String(decoding: try LeadflowJSON.encode(result), as: UTF8.self)
                try await connection.query(
                    """
                    INSERT INTO ingest.command_keys (principal, idempotency_key, lead_id, response, created_at)
                    VALUES (\(principal.description), \(idempotencyKey), \(requestedLeadId.uuid), \(response)::jsonb, \(now))
                    """, logger: logger)
            }
            return (result, try lifecycleEvents.map { try events.record($0) })
        }
        return try Response.json(result, status: .accepted)
    }

    /// Erases the leads merged into `survivorId` with it — they are the same person, and their ids
    /// resolve to the survivor, so they could never be erased on their own — and forgets the merge
    /// snapshots, which hold both. Returns the erasure events of those leads.
    static func eraseMergedLeads(
        into survivorId: LeadID, actor: Actor, now: Date, store: LeadStore, logger: Logger, on connection: PostgresConnection
    ) async throws -> [LeadLifecycleEvent] {
        var events: [LeadLifecycleEvent] = []
        for mergedId in try await MergeStore(logger: logger).forgetMerges(into: survivorId, on: connection) {
            guard var merged = try await store.load(mergedId, forUpdate: true, on: connection), merged.erasedAt == nil else { continue }
            let changes = try plan(.erase, lead: merged.lead, context: CommandContext())
            for change in changes { merged.lead.apply(change, at: now) }
            try await store.erase(merged.lead, now: now, on: connection)
            events += changes.map { LeadLifecycleEvent(leadId: mergedId, occurredAt: now, actor: actor, change: $0) }
        }
        return events
    }

    /// The planner's changes, its refusals as problems.
    static func plan(_ command: LifecycleCommand, lead: Lead, context: CommandContext) throws -> [LifecycleChange] {
        do {
            return try CommandPlanner.changes(for: command, lead: lead, context: context)
        } catch {
            throw error.problem
        }
    }

    /// Reassignment and erasure are for managers and admins, not salespeople.
    static func checkRole(_ command: LifecycleCommand, principal: Principal) throws {
        switch command {
        case .assign(_, let locationId, _):
            guard principal.role == .platformAdmin || principal.role == .manager else {
                throw Problem(status: .forbidden, code: "forbidden", detail: "only managers and admins reassign leads")
            }
            if principal.role == .manager, let locationId, !principal.scope.locationIds.contains(locationId) {
                throw Problem(status: .forbidden, code: "forbidden", detail: "the location is outside your scope", field: "/locationId", rule: "scope")
            }
        case .erase:
            guard principal.role == .platformAdmin || principal.role == .manager else {
                throw Problem(status: .forbidden, code: "forbidden", detail: "only managers and admins erase leads")
            }
        default:
            break
        }
    }
}
