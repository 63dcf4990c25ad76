import Foundation
import Hummingbird
import LeadModel
import LeadServiceKit
import LeadStorage
import PostgresNIO

/// What a merge or unmerge answers (`202 Accepted`).
struct MergeResult: Codable, Sendable {
    /// The survivor.
    var leadId: LeadID
    /// The leads merged (or restored) by this request.
    var leadIds: [LeadID]
    /// The `leads.lifecycle` event published, lower-case.
    var eventId: String
    /// The survivor afterwards.
    var lead: Lead
}

/// `POST /v1/leads/{id}/merge` and `POST /v1/leads/{id}/unmerge`: managers (in scope of every
/// lead involved) and admins merge leads into a survivor and undo it. Every lead involved is
/// row-locked in one global order, the change and its `leads.lifecycle` event (with snapshots for
/// downstream services) commit in one transaction.
struct MergeRoutes: Sendable {
    let core: IngestCore

    func register(on router: Router<LeadflowRequestContext>) {
        router.post("/v1/leads/:leadId/merge") { request, context in try await merge(request, context) }
        router.post("/v1/leads/:leadId/unmerge") { request, context in try await unmerge(request, context) }
    }

    /// Managers and admins only.
    static func checkRole(_ principal: Principal) throws {
        guard principal.role == .platformAdmin || principal.role == .manager else {
            throw Problem(status: .forbidden, code: "forbidden", detail: "only managers and admins merge and unmerge leads")
        }
    }

    private func body(_ request: Request, optional: Bool) async throws -> JSONValue? {
        try request.requireMediaType(["application/json"], suffix: "+json", describe: "application/json")
        let bytes = Array(try await request.collectBody(limit: core.configuration.maxBodyBytes).readableBytesView)
        if optional, bytes.allSatisfy({ [0x20, 0x0A, 0x0D, 0x09].contains($0) }) { return nil }
        do {
            return try core.json.parse(bytes)
        } catch {
            throw error.problem
        }
    }

    /// Loads and row-locks `ids` in ascending order (so concurrent merges cannot deadlock);
    /// a lead missing or out of the caller's scope is 404, an erased one 410.
    private func lockAll(_ ids: [LeadID], principal: Principal, on connection: PostgresConnection) async throws -> [LeadID: StoredLead] {
        var leads: [LeadID: StoredLead] = [:]
        for id in ids.sorted() {
            guard let stored = try await core.store.load(id, forUpdate: true, on: connection) else {
                throw Problem.notFound("no such lead: \(id)")
            }
            do {
                try principal.requireLead(stored.facts, change: true)
            } catch {
                throw Problem.notFound("no such lead: \(id)")
            }
            guard stored.erasedAt == nil else { throw Problem.leadErased }
            leads[id] = stored
        }
        return leads
    }

    func merge(_ request: Request, _ context: LeadflowRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let survivorId = try LifecycleRoutes.leadId(context)
        try Self.checkRole(principal)
        let parsed = try MergeRequest(try await body(request, optional: false) ?? .null, survivorId: survivorId)
        let now = core.clock()
        let store = core.store, merges = MergeStore(logger: core.logger), events = core.context.events
        let result: MergeResult = try await core.context.applier.perform { connection in
            let leads = try await lockAll([survivorId] + parsed.mergeLeadIds, principal: principal, on: connection)
            if let into = try await merges.survivor(of: survivorId, on: connection) {
                throw Problem(status: .conflict, code: "lead_merged", detail: "the survivor was itself merged into \(into); merge into that lead")
            }
            for id in parsed.mergeLeadIds {
                if let into = try await merges.survivor(of: id, on: connection) {
                    throw Problem(status: .conflict, code: "already_merged", detail: "lead \(id) is already merged into \(into)")
                }
                if try await merges.hasMergedLeads(id, on: connection) {
                    throw Problem(status: .conflict, code: "has_merged_leads",
                                  detail: "lead \(id) has leads merged into it; unmerge them first or make it the survivor")
                }
            }
            var survivor = leads[survivorId]!.lead
            let merged = parsed.mergeLeadIds.map { leads[$0]!.lead }
            let existing = try await merges.merges(into: survivorId, on: connection).count
            let eventId = UUID()
            for (offset, lead) in merged.enumerated() {
                let before = survivor
                survivor = MergePlanner.merge(survivor: survivor, merged: [lead], choices: parsed.fieldChoices)
                try await merges.recordMerge(
                    MergeRecord(snapshot: lead, survivorBefore: before, survivorAfter: survivor), into: survivorId,
                    eventId: eventId, position: existing + offset, actor: principal.actor, now: now, on: connection)
            }
            if survivor.lastActivityAt < now { survivor.lastActivityAt = now }
            try await store.update(survivor, now: now, on: connection)
            let published = LeadLifecycleEvent(eventId: eventId, leadId: survivorId, occurredAt: now, actor: principal.actor, change: .merged(
                mergedLeadIds: parsed.mergeLeadIds,
                details: MergeDetails(
                    survivor: survivor, mergedLeads: merged,
                    fieldChoices: Dictionary(uniqueKeysWithValues: parsed.fieldChoices.map { ($0.key.rawValue, $0.value) }))))
            let result = MergeResult(
                leadId: survivorId, leadIds: parsed.mergeLeadIds, eventId: eventId.uuidString.lowercased(), lead: survivor)
            return (result, [try events.record(published)])
        }
        return try Response.json(result, status: .accepted)
    }

    func unmerge(_ request: Request, _ context: LeadflowRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let survivorId = try LifecycleRoutes.leadId(context)
        try Self.checkRole(principal)
        let parsed = try UnmergeRequest(try await body(request, optional: true))
        let now = core.clock()
        let store = core.store, merges = MergeStore(logger: core.logger), events = core.context.events
        let result: MergeResult = try await core.context.applier.perform { connection in
            // Lock the survivor first to read its merges, then everything in one order.
            guard let first = try await store.load(survivorId, forUpdate: true, on: connection),
                  (try? principal.requireLead(first.facts, change: true)) != nil
            else { throw Problem.notFound("no such lead") }
            if let into = try await merges.survivor(of: survivorId, on: connection) {
                throw Problem(status: .conflict, code: "lead_merged", detail: "the lead is merged into \(into); unmerge from that lead")
            }
            let active = try await merges.merges(into: survivorId, on: connection)
            guard !active.isEmpty else {
                throw Problem(status: .conflict, code: "not_merged", detail: "no leads are merged into this lead")
            }
            let wanted = parsed.leadIds ?? active.map(\.mergedLeadId)
            for (index, id) in wanted.enumerated() where !active.contains(where: { $0.mergedLeadId == id }) {
                throw Problem(status: .conflict, code: "not_merged", detail: "lead \(id) is not merged into this lead",
                              field: "/leadIds/\(index)", rule: "member")
            }
            for (index, move) in parsed.moves.enumerated() where !wanted.contains(move.leadId) {
                throw Problem.invalid("/moveEvents/\(index)/toLeadId", rule: "member", "events move only to a lead this request restores")
            }
            let leads = try await lockAll([survivorId] + wanted, principal: principal, on: connection)
            var survivor = leads[survivorId]!.lead
            let restoring = active.filter { wanted.contains($0.mergedLeadId) }
            for merge in restoring.reversed() {
                survivor = MergePlanner.unmerge(current: survivor, record: merge.record)
                try await merges.undo(merge, on: connection)
            }
            if survivor.lastActivityAt < now { survivor.lastActivityAt = now }
            try await store.update(survivor, now: now, on: connection)
            let restored = restoring.map(\.record.snapshot)
            let event = LeadLifecycleEvent(
                leadId: survivorId, occurredAt: now, actor: principal.actor,
                change: .unmerged(restoredLeadIds: restoring.map(\.mergedLeadId),
                                  details: UnmergeDetails(survivor: survivor, restoredLeads: restored, movedEvents: parsed.moves)))
            let result = MergeResult(
                leadId: survivorId, leadIds: restoring.map(\.mergedLeadId), eventId: event.eventId.uuidString.lowercased(), lead: survivor)
            return (result, [try events.record(event)])
        }
        return try Response.json(result, status: .accepted)
    }
}
