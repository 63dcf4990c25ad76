import Foundation
import LeadAnalytics
import LeadIngest
import LeadIntegrationSupport
import LeadModel
import LeadNotifier
import LeadRouting
import LeadScoring
import LeadServiceKit
import LeadTestSupport
import PostgresNIO
import Testing

/// All five services in-process on one database and topic prefix, through the real broker:
/// merging two leads that each have activities, tasks and assignments leaves one lead with all
/// of them, one owner, no duplicate reminders and one lead counted; unmerge restores both.
@Suite("Merge and unmerge across services", .serialized)
struct MergeFlowTests {
    final class Stack: Sendable {
        let database: String
        let prefix: String
        let ingest: InProcessService
        let scoring: InProcessService
        let routing: InProcessService
        let notifier: InProcessService
        let analytics: InProcessService
        let admin: [String: String]

        init(database: String, prefix: String, services: [InProcessService], admin: String) {
            self.database = database
            self.prefix = prefix
            (ingest, scoring, routing, notifier, analytics) = (services[0], services[1], services[2], services[3], services[4])
            self.admin = ["authorization": TestAuth.bearer(admin)]
        }

        func post(_ service: InProcessService, _ path: String, _ json: String, headers: [String: String]? = nil) async throws -> TestHTTPResponse {
            try await TestHTTP.postJSON(service.baseURL + path, json, headers: headers ?? admin)
        }

        func get(_ service: InProcessService, _ path: String, headers: [String: String]? = nil) async throws -> TestHTTPResponse {
            try await TestHTTP.get(service.baseURL + path, headers: headers ?? admin)
        }

        func put(_ path: String, _ value: some Encodable) async throws {
            let response = try await TestHTTP.request(
                "PUT", routing.baseURL + path, headers: admin.merging(["content-type": "application/json"]) { a, _ in a },
                body: try LeadflowJSON.encode(value))
            guard [200, 201].contains(response.status) else { throw Failure("PUT \(path): \(response.status) \(response.text)") }
        }

        func count(_ sql: String) async throws -> Int {
            try await TestDatabase.withClient(database: database) { client in
                var result = 0
                for try await value in try await client.query(PostgresQuery(unsafeSQL: sql)).decode(Int.self) { result = value }
                return result
            }
        }
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    static let shared = Task { try await start() }

    static func start() async throws -> Stack {
        let database = try await TestDatabase.createDatabase()
        let prefix = TestKafka.uniquePrefix("merge")
        try await TestKafka.createLeadflowTopics(prefix: prefix)
        let definitions = [
            IngestService.makeDefinition(), ScoringService.makeDefinition(), RoutingService.makeDefinition(),
            NotifierService.makeDefinition(clock: { Date() }), AnalyticsService.makeDefinition(),
        ]
        var services: [InProcessService] = []
        for definition in definitions {
            services.append(try await InProcessService.start(definition, database: database, topicPrefix: prefix))
        }
        let stack = Stack(database: database, prefix: prefix, services: services,
                          admin: try await TestAuth.token(.platformAdmin, id: "admin-merge"))
        try await stack.put("/v1/routing/locations/loc-merge", Location(id: "loc-merge", name: "Merge Motors", postalAreas: ["432"]))
        try await stack.put("/v1/routing/teams/team-merge", Team(id: "team-merge", name: "Sales", locationId: "loc-merge"))
        for member in ["member-merge-ann", "member-merge-bob"] {
            try await stack.put("/v1/routing/members/\(member)", Member(id: member, teamId: "team-merge", name: member))
        }
        return stack
    }

    /// Creates a lead through ingest and waits until routing assigned it.
    func createAssignedLead(_ stack: Stack, email: String, phone: String, name: String) async throws -> (LeadID, owner: String) {
        let created = try await stack.post(stack.ingest, "/v1/leads", """
            {"name":"\(name)","email":"\(email)","phone":"\(phone)","address":{"postalCode":"43215"},
             "vehicles":[{"year":2024,"make":"Honda","model":"CR-V"}]}
            """)
        guard created.status == 202 || created.status == 201, let text = created.json["leadId"] as? String, let id = LeadID(text) else {
            throw Failure("intake: \(created.status) \(created.text)")
        }
        var owner: String?
        let assigned = try await eventually(timeout: .seconds(90)) {
            let detail = try await stack.get(stack.analytics, "/v1/leads/\(id)")
            owner = (detail.json["lead"] as? [String: Any])?["ownerId"] as? String
            return owner != nil
        }
        guard assigned, let owner else { throw Failure("lead \(id) was never assigned") }
        return (id, owner)
    }

    func pendingJobs(_ stack: Stack, _ id: LeadID) async throws -> Int {
        try await stack.count("SELECT count(*)::int FROM notifier.jobs WHERE lead_id = '\(id)' AND state = 'scheduled'")
    }

    func pendingTaskJobs(_ stack: Stack, _ id: LeadID, _ task: String) async throws -> Int {
        try await stack.count("""
            SELECT count(*)::int FROM notifier.jobs WHERE lead_id = '\(id)' AND kind = 'task_due' AND subject = '\(task)' AND state = 'scheduled'
            """)
    }

    func visibleLeads(_ stack: Stack, _ ids: [LeadID]) async throws -> Set<String> {
        let list = try await stack.get(stack.analytics, "/v1/leads?limit=100")
        let items = (list.json["leads"] as? [[String: Any]]) ?? []
        return Set(items.compactMap { $0["leadId"] as? String }).intersection(ids.map(\.description))
    }

    @Test("merge leaves one lead with everything, one owner, no duplicate reminders; unmerge restores both")
    func mergeAndUnmerge() async throws {
        let stack = try await Self.shared.value
        let tag = UUID().uuidString.prefix(6).lowercased()
        let (a, ownerA) = try await createAssignedLead(stack, email: "ana.\(tag)@example.com", phone: "+16145550101", name: "Ana Perez")
        let (b, ownerB) = try await createAssignedLead(stack, email: "ana.p.\(tag)@example.org", phone: "+16145550199", name: "Anna Perez")

        // Activities, notes and tasks on both; each task schedules a reminder in the notifier.
        let due = LeadflowJSON.formatDate(Date().addingTimeInterval(86_400))
        for (lead, label) in [(a, "A"), (b, "B")] {
            #expect(try await stack.post(stack.ingest, "/v1/leads/\(lead)/activities", #"{"kind":"call","direction":"outbound","summary":"call \#(label)"}"#).status == 202)
            #expect(try await stack.post(stack.ingest, "/v1/leads/\(lead)/notes", #"{"text":"note \#(label)"}"#).status == 202)
            #expect(try await stack.post(stack.ingest, "/v1/leads/\(lead)/tasks", #"{"id":"task-\#(label)","title":"Call back \#(label)","dueAt":"\#(due)"}"#).status == 202)
        }
        #expect(try await eventually(timeout: .seconds(60)) {
            let jobsA = try await pendingJobs(stack, a), jobsB = try await pendingJobs(stack, b)
            return jobsA >= 1 && jobsB >= 1
        }, "the notifier scheduled reminders for both leads")
        #expect(try await eventually(timeout: .seconds(60)) { try await visibleLeads(stack, [a, b]).count == 2 })

        // Duplicates: analytics finds B as a likely duplicate of A (similar name, same postal code, same vehicle).
        let duplicates = try await stack.get(stack.analytics, "/v1/leads/\(a)/duplicates")
        #expect(duplicates.status == 200)
        let candidates = (duplicates.json["candidates"] as? [[String: Any]]) ?? []
        let candidateB = candidates.first { $0["leadId"] as? String == b.description }
        #expect((candidateB?["reasons"] as? [String])?.contains("similar_name_same_postal_code") == true, "\(duplicates.text)")

        let assignedBefore = try await stack.count("SELECT count(*)::int FROM routing.assignments WHERE lead_id = '\(b)'")

        // Merge B into A, taking B's e-mail as the primary one.
        let merged = try await stack.post(stack.ingest, "/v1/leads/\(a)/merge",
                                          #"{"mergeLeadIds":["\#(b)"],"fieldChoices":{"email":"\#(b)"}}"#)
        #expect(merged.status == 202, "\(merged.text)")

        // Analytics counts one lead; the survivor's timeline holds both leads' activities.
        #expect(try await eventually(timeout: .seconds(60)) { try await visibleLeads(stack, [a, b]) == [a.description] })
        let detail = try await stack.get(stack.analytics, "/v1/leads/\(a)")
        let summaries = detail.text  // the timeline's events carry the activities' summaries and notes' texts
        #expect(summaries.contains("call A") && summaries.contains("call B"), "\(summaries)")
        #expect(summaries.contains("note A") && summaries.contains("note B"))
        #expect((detail.json["lead"] as? [String: Any])?["ownerId"] as? String == ownerA, "the survivor keeps its owner")
        // The merged id resolves to the survivor.
        let viaMerged = try await stack.get(stack.analytics, "/v1/leads/\(b)")
        #expect(((viaMerged.json["lead"] as? [String: Any])?["id"] as? String) == a.description)

        // Notifier: B's task reminder moved to the survivor with its task, B's other pending jobs are
        // cancelled, A's stay; no reminder is scheduled twice. Routing: B closed, no reroute.
        #expect(try await eventually(timeout: .seconds(60)) { try await pendingJobs(stack, b) == 0 }, "no duplicate reminders")
        #expect(try await pendingTaskJobs(stack, a, "task-A") == 1)
        #expect(try await pendingTaskJobs(stack, a, "task-B") == 1, "B's task is reminded on the survivor")
        #expect(try await stack.count("""
            SELECT count(*)::int FROM (SELECT 1 FROM notifier.jobs WHERE lead_id = '\(a)' AND state = 'scheduled'
                                       GROUP BY kind, subject HAVING count(*) > 1) AS twice
            """) == 0, "no reminder scheduled twice on the survivor")
        #expect(try await eventually(timeout: .seconds(60)) {
            try await stack.count("SELECT count(*)::int FROM routing.leads WHERE lead_id = '\(b)' AND NOT is_open AND response_due_at IS NULL") == 1
        })
        #expect(try await stack.count("SELECT count(*)::int FROM routing.leads WHERE lead_id = '\(a)' AND owner_id = '\(ownerA)'") == 1)
        // Scoring: B's score is retired; its id answers with the survivor's score.
        #expect(try await eventually(timeout: .seconds(60)) {
            try await stack.count("SELECT count(*)::int FROM scoring.leads WHERE lead_id = '\(b)' AND merged_into = '\(a)'") == 1
        })
        let score = try await stack.get(stack.scoring, "/v1/scores/\(b)")
        #expect(score.json["leadId"] as? String == a.description, "\(score.text)")

        // A command on the merged id acts on the survivor.
        let note = try await stack.post(stack.ingest, "/v1/leads/\(b)/notes", #"{"text":"after merge"}"#)
        #expect(note.json["leadId"] as? String == a.description)

        // Unmerge: both leads again, each with its owner, no re-routing, no resent reminders.
        let unmerged = try await stack.post(stack.ingest, "/v1/leads/\(a)/unmerge", "{}")
        #expect(unmerged.status == 202, "\(unmerged.text)")
        #expect(try await eventually(timeout: .seconds(60)) { try await visibleLeads(stack, [a, b]).count == 2 })
        #expect(try await eventually(timeout: .seconds(60)) {
            try await stack.count("SELECT count(*)::int FROM routing.leads WHERE lead_id = '\(b)' AND is_open AND owner_id = '\(ownerB)'") == 1
        })
        let restored = try await stack.get(stack.analytics, "/v1/leads/\(b)")
        #expect(restored.json["mergedInto"] == nil || restored.json["mergedInto"] is NSNull)
        #expect(((restored.json["lead"] as? [String: Any])?["ownerId"] as? String) == ownerB)
        let survivorAfter = try await stack.get(stack.analytics, "/v1/leads/\(a)").text
        #expect(survivorAfter.contains("call A") && !survivorAfter.contains("call B"), "B's activities left the survivor")
        #expect(survivorAfter.contains("after merge"), "what arrived after the merge stays on the survivor")
        #expect(try await stack.count("SELECT count(*)::int FROM routing.assignments WHERE lead_id = '\(b)'") == assignedBefore, "no re-routing")
        // B's task reminder goes back with B; nothing else is scheduled or sent again.
        #expect(try await pendingJobs(stack, b) == 1, "an unmerge schedules nothing new")
        #expect(try await pendingTaskJobs(stack, b, "task-B") == 1)
        #expect(try await pendingTaskJobs(stack, a, "task-B") == 0)
        #expect(try await stack.count("SELECT count(*)::int FROM scoring.leads WHERE lead_id = '\(b)' AND merged_into IS NULL") == 1)
        // The intake identity of B points at B again.
        let again = try await stack.post(stack.ingest, "/v1/leads", #"{"email":"ana.p.\#(tag)@example.org"}"#)
        #expect(again.json["leadId"] as? String == b.description, "\(again.text)")
    }

    @Test("erasing a survivor erases the leads merged into it everywhere and forgets the merge snapshots")
    func erasingSurvivorTakesMergedLeads() async throws {
        let stack = try await Self.shared.value
        let tag = UUID().uuidString.prefix(6).lowercased()
        let (a, _) = try await createAssignedLead(stack, email: "eve.\(tag)@example.com", phone: "+16145550301", name: "Eve Stone")
        let (b, _) = try await createAssignedLead(stack, email: "eve.s.\(tag)@example.org", phone: "+16145550302", name: "Eva Stone")
        let merged = try await stack.post(stack.ingest, "/v1/leads/\(a)/merge", #"{"mergeLeadIds":["\#(b)"]}"#)
        #expect(merged.status == 202, "\(merged.text)")
        #expect(try await stack.count("SELECT count(*)::int FROM ingest.lead_merges WHERE survivor_id = '\(a)'") == 1)

        let erased = try await TestHTTP.request("DELETE", stack.ingest.baseURL + "/v1/leads/\(a)", headers: stack.admin)
        #expect(erased.status == 202, "\(erased.text)")
        #expect((erased.json["eventIds"] as? [Any])?.count == 2, "one erasure event per lead: \(erased.text)")

        // Ingest: both leads erased, no snapshot of either left behind, B's e-mail nowhere.
        #expect(try await stack.count("SELECT count(*)::int FROM ingest.leads WHERE id IN ('\(a)', '\(b)') AND erased_at IS NOT NULL") == 2)
        #expect(try await stack.count("SELECT count(*)::int FROM ingest.lead_merges WHERE survivor_id = '\(a)' OR merged_lead_id = '\(b)'") == 0)
        #expect(try await stack.count("SELECT count(*)::int FROM ingest.leads WHERE snapshot::text LIKE '%eve.s.\(tag)%'") == 0)
        // Downstream: the merged lead's personal data goes in every service too.
        #expect(try await eventually(timeout: .seconds(60)) {
            try await stack.count("SELECT count(*)::int FROM notifier.leads WHERE lead_id = '\(b)' AND erased") == 1
        }, "the notifier erased the merged lead")
        #expect(try await eventually(timeout: .seconds(60)) {
            try await stack.count("SELECT count(*)::int FROM routing.leads WHERE lead_id = '\(b)' AND is_erased") == 1
        }, "routing erased the merged lead")
        // A merged id still resolves to the (erased) survivor: 410, not the merged lead's data.
        let later = try await stack.post(stack.ingest, "/v1/leads/\(b)/notes", #"{"text":"too late"}"#)
        #expect(later.status == 410, "\(later.text)")
    }

    /// Creates a lead through ingest (not waiting for routing).
    func createLead(_ stack: Stack, _ tag: String) async throws -> LeadID {
        let created = try await stack.post(stack.ingest, "/v1/leads", #"{"name":"Val \#(tag)","email":"val.\#(tag)@example.com"}"#)
        guard let text = created.json["leadId"] as? String, let id = LeadID(text) else { throw Failure("intake: \(created.text)") }
        return id
    }

    @Test("merge and unmerge refuse bad input, hostile input and callers without the right")
    func validationAndAccess() async throws {
        let stack = try await Self.shared.value
        let tag = UUID().uuidString.prefix(6).lowercased()
        let a = try await createLead(stack, "a\(tag)"), b = try await createLead(stack, "b\(tag)"), c = try await createLead(stack, "c\(tag)")
        func merge(_ survivor: String, _ body: String, headers: [String: String]? = nil) async throws -> TestHTTPResponse {
            try await stack.post(stack.ingest, "/v1/leads/\(survivor)/merge", body, headers: headers)
        }
        func problem(_ response: TestHTTPResponse) -> String { (response.json["code"] as? String) ?? "status \(response.status): \(response.text)" }

        // Validation (422) and unknown leads (404).
        let selfMerge = try await merge("\(a)", #"{"mergeLeadIds":["\#(a)"]}"#)
        #expect(selfMerge.status == 422 && problem(selfMerge) == "self_merge")
        for body in [#"{}"#, #"{"mergeLeadIds":[]}"#, #"{"mergeLeadIds":"\#(b)"}"#, #"{"mergeLeadIds":["' OR 1=1; DROP TABLE ingest.leads;--"]}"#,
                     #"{"mergeLeadIds":["\#(b)","\#(b)"]}"#, #"{"mergeLeadIds":[42]}"#, #"{"mergeLeadIds":["\#(b)"],"fieldChoices":{"shoeSize":"\#(b)"}}"#,
                     #"{"mergeLeadIds":["\#(b)"],"fieldChoices":{"name":"\#(c)"}}"#, #"{"mergeLeadIds":["\#(b)"],"extra":1}"#, #"[1,2]"#] {
            let response = try await merge("\(a)", body)
            #expect(response.status == 422, "\(body) → \(response.status) \(response.text)")
            #expect(!response.text.contains("DROP TABLE"), "problems do not echo hostile input")
        }
        #expect(try await merge("\(a)", "{not json").status == 400)
        #expect(try await merge("\(a)", #"{"mergeLeadIds":["\#(LeadID())"]}"#).status == 404)
        #expect(try await merge("%27%20OR%201%3D1--", #"{"mergeLeadIds":["\#(b)"]}"#).status == 404)
        let huge = "{\"mergeLeadIds\":[" + String(repeating: "\"\(b)\",", count: 60_000) + "\"\(b)\"]}"
        #expect(try await merge("\(a)", huge).status == 413)
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect([400, 413, 422].contains(try await merge("\(a)", deep).status))
        #expect(try await stack.count("SELECT count(*)::int FROM ingest.leads") >= 3, "nothing was dropped")

        // Access: 401 without credentials, 403 for salespeople, 404 for a manager of another location.
        for caller in try await AccessMatrix.unauthenticatedCallers() {
            #expect(try await merge("\(a)", #"{"mergeLeadIds":["\#(b)"]}"#, headers: caller.headers).status == 401, "\(caller)")
            #expect(try await stack.post(stack.ingest, "/v1/leads/\(a)/unmerge", "{}", headers: caller.headers).status == 401, "\(caller)")
            #expect(try await stack.get(stack.analytics, "/v1/leads/\(a)/duplicates", headers: caller.headers).status == 401, "\(caller)")
        }
        let salesperson = ["authorization": TestAuth.bearer(try await TestAuth.token(.salesperson, id: "member-x", locations: ["loc-merge"]))]
        #expect(try await merge("\(a)", #"{"mergeLeadIds":["\#(b)"]}"#, headers: salesperson).status == 403)
        #expect(try await stack.post(stack.ingest, "/v1/leads/\(a)/unmerge", "{}", headers: salesperson).status == 403)
        let elsewhere = ["authorization": TestAuth.bearer(try await TestAuth.token(.manager, id: "manager-far", locations: ["loc-far"]))]
        #expect(try await merge("\(a)", #"{"mergeLeadIds":["\#(b)"]}"#, headers: elsewhere).status == 404)
        #expect(try await stack.get(stack.analytics, "/v1/leads/\(a)/duplicates", headers: elsewhere).status == 404)

        // Conflicts: unmerge without merges, merging an already merged lead, merging into a merged lead.
        let notMerged = try await stack.post(stack.ingest, "/v1/leads/\(a)/unmerge", "")
        #expect(notMerged.status == 409 && problem(notMerged) == "not_merged")
        #expect(try await merge("\(a)", #"{"mergeLeadIds":["\#(b)"]}"#).status == 202)
        let again = try await merge("\(c)", #"{"mergeLeadIds":["\#(b)"]}"#)
        #expect(again.status == 409 && problem(again) == "already_merged")
        let intoMerged = try await merge("\(b)", #"{"mergeLeadIds":["\#(c)"]}"#)
        #expect(intoMerged.status == 409 && problem(intoMerged) == "lead_merged")
        let hasMerged = try await merge("\(c)", #"{"mergeLeadIds":["\#(a)"]}"#)
        #expect(hasMerged.status == 409 && problem(hasMerged) == "has_merged_leads")
        let badMove = try await stack.post(stack.ingest, "/v1/leads/\(a)/unmerge", #"{"moveEvents":[{"eventId":"\#(UUID())","toLeadId":"\#(c)"}]}"#)
        #expect(badMove.status == 422, "\(badMove.text)")
        let restored = try await stack.post(stack.ingest, "/v1/leads/\(a)/unmerge", #"{"leadIds":["\#(b)"]}"#)
        #expect(restored.status == 202 && (restored.json["leadIds"] as? [String]) == [b.description], "\(restored.text)")
    }
}
