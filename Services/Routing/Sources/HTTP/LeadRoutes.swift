import Foundation
import Hummingbird
import LeadModel
import LeadServiceKit
import LeadStorage
import Logging
import PostgresNIO

/// The lead endpoints under `/v1/routing`: a lead's routing state and history, the fallback
/// queues, and manual assignment.
struct LeadRoutes: Sendable {
    let postgres: PostgresClient
    let applier: EventApplier
    let leads: LeadRepository
    let engine: RoutingEngine
    let schema: SQLIdentifier
    let logger: Logger

    func add(to router: Router<LeadflowRequestContext>) {
        let group = router.group("v1/routing")
        group.get("leads/:id", use: getLead)
        group.post("leads/:id/assign", use: assign)
        group.get("queue", use: listQueue)
    }

    /// `GET /v1/routing/leads/{id}`: where the lead sits, its SLA clock and its assignment history.
    @Sendable func getLead(_ request: Request, context: LeadflowRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let leadId = try Self.leadId(context)
        let view = try await postgres.withConnection { connection -> LeadRoutingView? in
            guard let routed = try await leads.find(leadId, on: connection) else { return nil }
            try principal.requireLead(Self.facts(routed))
            return LeadRoutingView(routed, history: try await leads.history(of: leadId, on: connection))
        }
        guard let view else {
            // Unknown and invisible leads look the same; roles that may never read single leads get 403 first.
            try principal.requireLead(LeadAccessFacts())
            throw Problem.notFound("no such lead")
        }
        return try Response.json(view)
    }

    /// `POST /v1/routing/leads/{id}/assign` `{"ownerId", "locationId"?, "note"}`: manual assignment.
    /// An `Idempotency-Key` header makes retries safe: the same key answers with the first result.
    @Sendable func assign(_ request: Request, context: LeadflowRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try RoutingAccess.requireAssigner(principal)
        let leadId = try Self.leadId(context)
        let input = try await request.decodeJSON(ManualAssignmentInput.self, limits: JSONBodyLimits(maxBytes: 16 << 10, maxDepth: 4))
        try input.validate()
        let key = HTTPSupport.header("idempotency-key", in: request)
        if let key, key.isEmpty || key.count > 200 {
            throw Problem(status: .badRequest, code: "invalid_header", detail: "Idempotency-Key is 1–200 characters",
                          field: "Idempotency-Key", rule: "format")
        }
        let causation = key.map { StableUUID.make("\(principal.id)|\(leadId)|\($0)") } ?? UUID()
        let recorder = IdempotencyRecorder(schema: schema)
        let leads = self.leads, engine = self.engine, logger = self.logger
        let record = try await applier.perform { connection -> (AssignmentRecord?, [OutboxRecord]) in
            guard var routed = try await leads.lock(leadId, on: connection) else {
                try principal.requireLead(LeadAccessFacts(), change: true)
                throw Problem.notFound("no such lead")
            }
            try principal.requireLead(Self.facts(routed), change: true)
            let directory = try await engine.directory(on: connection)
            guard let member = directory.members[input.ownerId], member.active else {
                throw Problem(status: .unprocessableContent, code: "invalid_field", detail: "no active member \(input.ownerId)",
                              field: "/ownerId", rule: "unknown_reference")
            }
            let team = directory.teams[member.teamId]
            if let locationId = input.locationId, directory.locations[locationId] == nil {
                throw Problem(status: .unprocessableContent, code: "invalid_field", detail: "no location \(locationId)",
                              field: "/locationId", rule: "unknown_reference")
            }
            // A manager may only hand leads to members (and locations) of their own scope.
            try principal.require(.configureRouting(locationId: input.locationId ?? team?.locationId, teamId: member.teamId))
            if let locationId = input.locationId { try RoutingAccess.requireLocation(principal, locationId) }
            if key != nil {
                let first = try await recorder.recordFirstDelivery(
                    consumer: "routing.http.assign", eventId: causation, on: connection, logger: logger)
                if !first {
                    return (try await leads.assignment(causedBy: causation, leadId: leadId, on: connection), [])
                }
            }
            let outbox = try await engine.assignManually(
                &routed, directory: directory, ownerId: input.ownerId, locationId: input.locationId, note: input.note,
                actor: principal.actor, causationEventId: causation, on: connection)
            return (try await leads.assignment(causedBy: causation, leadId: leadId, on: connection), [outbox])
        }
        guard let record else { throw Problem.notFound("no such assignment") }
        return try Response.json(record)
    }

    /// `GET /v1/routing/queue[?queue=name]`: open leads nobody could take, filtered to the caller's leads.
    @Sendable func listQueue(_ request: Request, context: LeadflowRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try principal.require(.listLeads)
        let limit = try HTTPSupport.limit(request)
        let after = try HTTPSupport.after(request).map { raw -> LeadID in
            guard let id = LeadID(raw) else {
                throw Problem(status: .badRequest, code: "invalid_query", detail: "after must be a lead id", field: "after", rule: "format")
            }
            return id
        }
        let queue = request.uri.queryParameters["queue"].map(String.init)
        if let queue, queue.count > 64 {
            throw Problem(status: .badRequest, code: "invalid_query", detail: "queue is at most 64 characters", field: "queue", rule: "too_long")
        }
        let rows = try await postgres.withConnection { connection in
            try await leads.queued(filter: principal.leadFilter, queue: queue, after: after, limit: limit + 1, on: connection)
        }
        let items = Array(rows.prefix(limit))
        return try Response.json(Page(items: items, nextAfter: rows.count > limit ? items.last?.leadId.description : nil))
    }

    static func leadId(_ context: LeadflowRequestContext) throws -> LeadID {
        guard let id = LeadID(try HTTPSupport.pathId(context)) else { throw Problem.notFound("no such lead") }
        return id
    }

    static func facts(_ routed: RoutedLead) -> LeadAccessFacts {
        LeadAccessFacts(
            locationId: routed.placement.locationId, teamId: routed.placement.teamId, ownerId: routed.placement.ownerId,
            collaborators: routed.collaborators, sourceId: routed.lead?.source.id)
    }
}

/// The body of a manual assignment.
struct ManualAssignmentInput: Decodable, Sendable {
    let ownerId: String
    let locationId: String?
    let note: String

    func validate() throws {
        if !ConfigValidator.isValidId(ownerId, prefix: "member") {
            throw Problem(status: .unprocessableContent, code: "invalid_field", detail: "not a member id (member-…)",
                          field: "/ownerId", rule: "format")
        }
        if let locationId, !ConfigValidator.isValidId(locationId, prefix: "loc") {
            throw Problem(status: .unprocessableContent, code: "invalid_field", detail: "not a location id (loc-…)",
                          field: "/locationId", rule: "format")
        }
        if let issue = ConfigValidator.text(note, at: "/note", max: 2000).first {
            throw HTTPSupport.problem(issue)
        }
    }
}

/// What `GET /v1/routing/leads/{id}` answers.
struct LeadRoutingView: Encodable, Sendable {
    let leadId: LeadID
    let ownerId: String?
    let teamId: String?
    let locationId: String?
    let queue: String?
    let isOpen: Bool
    let collaborators: [String]
    let responseDueAt: Date?
    let responseParty: ResponseParty?
    let excludedLocations: [String]
    let excludedMembers: [String]
    let reroutes: Int
    let history: [AssignmentRecord]

    init(_ routed: RoutedLead, history: [AssignmentRecord]) {
        leadId = routed.leadId
        ownerId = routed.placement.ownerId
        teamId = routed.placement.teamId
        locationId = routed.placement.locationId
        queue = routed.placement.queue
        isOpen = routed.isOpen
        collaborators = routed.collaborators
        responseDueAt = routed.responseDueAt
        responseParty = routed.responseParty
        excludedLocations = routed.excludedLocations
        excludedMembers = routed.excludedMembers
        reroutes = routed.reroutes
        self.history = history
    }
}

/// A UUID derived from text (two FNV-1a hashes): the same idempotency key always names the same command.
enum StableUUID {
    static func make(_ text: String) -> UUID {
        func fnv(_ seed: UInt64) -> UInt64 {
            var hash = seed
            for byte in text.utf8 {
                hash ^= UInt64(byte)
                hash = hash &* 0x0000_0100_0000_01B3
            }
            return hash
        }
        let high = fnv(0xcbf2_9ce4_8422_2325), low = fnv(0x84222325_cbf29ce4)
        var bytes = [UInt8](repeating: 0, count: 16)
        for i in 0..<8 {
            bytes[i] = UInt8(truncatingIfNeeded: high >> (56 - 8 * UInt64(i)))
            bytes[8 + i] = UInt8(truncatingIfNeeded: low >> (56 - 8 * UInt64(i)))
        }
        bytes[6] = (bytes[6] & 0x0F) | 0x50  // version 5-style (name-based)
        bytes[8] = (bytes[8] & 0x3F) | 0x80  // RFC 4122 variant
        return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                           bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }
}
