import Foundation
import LeadAnalytics
import LeadIntegrationSupport
import LeadModel
import LeadServiceKit
import LeadTestSupport
import Testing

extension ScriptedHistoryTests {
    /// Every lead id of a list, following `nextCursor` to the end.
    func listAll(_ query: String, as principal: Principal = .admin, limit: Int = 50) async throws -> [String] {
        var ids: [String] = []
        var cursor: String?
        repeat {
            var path = "/v1/leads?limit=\(limit)" + (query.isEmpty ? "" : "&" + query)
            if let cursor { path += "&cursor=" + cursor.addingPercentEncoding(withAllowedCharacters: .alphanumerics)! }
            let response = try await stack.get(path, as: principal)
            try #require(response.status == 200, "\(path): \(response.status) \(response.text)")
            ids += (response.json["leads"] as? [[String: Any]] ?? []).compactMap { $0["leadId"] as? String }
            cursor = response.json["nextCursor"] as? String
        } while cursor != nil
        return ids
    }

    func ids(_ leads: [ScriptedLead]) -> Set<String> { Set(leads.map(\.id.description)) }

    @Test("the lead list filters by every attribute", arguments: [
        "status=new", "status=contacted,qualified", "stage=quote,request", "priority=hot", "source=src-meta", "owner=member-bob",
        "location=loc-south", "team=team-a", "hasVehicle=true", "hasVehicle=false", "overdue=true", "overdue=false",
        "appointmentToday=true", "includeTest=true",
    ])
    func filters(query: String) async throws {
        let visible = script.current
        let expected: [ScriptedLead] = switch query {
        case "status=new": visible.filter { $0.status == .new }
        case "status=contacted,qualified": visible.filter { [.contacted, .qualified].contains($0.status) }
        case "stage=quote,request": visible.filter { [.quote, .request].contains($0.stages.last?.0 ?? .lead) }
        case "priority=hot": visible.filter { $0.priority == .hot }
        case "source=src-meta": visible.filter { $0.source == "src-meta" }
        case "owner=member-bob": visible.filter { $0.owner == "member-bob" }
        case "location=loc-south": visible.filter { $0.location == "loc-south" }
        case "team=team-a": visible.filter { $0.team == "team-a" }
        case "hasVehicle=true": visible.filter { $0.vehicleType != nil }
        case "hasVehicle=false": visible.filter { $0.vehicleType == nil }
        case "overdue=true": visible.filter { $0.isOverdue(now: now) }
        case "overdue=false": visible.filter { !$0.isOverdue(now: now) }
        case "appointmentToday=true": visible.filter { $0.appointmentFromNow != nil }
        case "includeTest=true": script.leads.filter { $0.mergedInto == nil }
        default: []
        }
        #expect(!expected.isEmpty, "the script exercises \(query)")
        // Other tests of the suite add test leads of their own; only the script's leads are compared.
        let scripted = Set(script.leads.map(\.id.description))
        #expect(Set(try await listAll(query)).intersection(scripted) == ids(expected))
    }

    @Test("the creation range filter and newest-first order")
    func createdRange() async throws {
        let from = now.addingTimeInterval(-7 * Script.day)
        let to = now.addingTimeInterval(-1 * Script.hour)
        let listed = try await listAll("createdFrom=\(LeadflowJSON.formatDate(from))&createdTo=\(LeadflowJSON.formatDate(to))")
        let expected = script.current.filter { $0.createdAt(now) >= from && $0.createdAt(now) < to }
            .sorted { ($0.createdAt(now), $0.id.description) > ($1.createdAt(now), $1.id.description) }
        #expect(listed == expected.map(\.id.description))
    }

    @Test("cursor pagination walks every lead exactly once; cursors are tamper-proof and bound to their query")
    func pagination() async throws {
        let all = try await listAll("")
        #expect(all.count == script.current.count)
        #expect(try await listAll("", limit: 3) == all)
        let first = try await stack.get("/v1/leads?limit=3", as: .admin)
        let cursor = try #require(first.json["nextCursor"] as? String)
        var tampered = Array(cursor)
        tampered[2] = tampered[2] == "a" ? "b" : "a"
        for bad in [String(tampered), "garbage", String(repeating: "A", count: 900)] {
            let response = try await stack.get("/v1/leads?limit=3&cursor=\(bad)", as: .admin)
            #expect(response.status == 400)
            #expect(response.json["code"] as? String == "invalid_cursor")
        }
        let other = try await stack.get("/v1/leads?limit=3&priority=hot&cursor=\(cursor)", as: .admin)
        #expect(other.status == 400, "a cursor of another query is refused")
        let otherCaller = try await stack.get("/v1/leads?limit=3&cursor=\(cursor)", as: .northManager)
        #expect(otherCaller.status == 400, "a cursor of another caller is refused")
    }

    @Test("search finds leads by name, e-mail and phone; injection strings are harmless", arguments: [
        ("chloe", ["L3"]), ("Alice Archer", ["L1"]), ("dmitri@example.com", ["L4"]), ("ELENA", ["L5"]),
        ("614-555-0107", ["L7"]), ("5550108", ["L8"]), ("+1 614 555 0111", ["L11"]), ("arch", ["L1"]), ("example.com", nil),
        ("'; DROP TABLE analytics_projection.leads; --", []), ("x' OR '1'='1", []), ("\\\\ & | ! <-> :*", []), ("erin", []),
    ])
    func search(text: String, keys: [String]?) async throws {
        let encoded = text.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        let response = try await stack.get("/v1/leads?q=\(encoded)", as: .admin)
        #expect(response.status == 200, "\(response.text)")
        let found = Set((response.json["leads"] as? [[String: Any]] ?? []).compactMap { $0["leadId"] as? String })
        if let keys {
            #expect(found == Set(keys.map { script.lead($0).id.description }), "\(text)")
        } else {
            #expect(found.count == script.current.count - 1, "every lead but the erased one has an example.com address")
        }
        #expect(try await stack.status()["leads"] as? Int ?? 0 >= script.leads.count, "the table is still there")
    }

    @Test("my leads: owned and collaborated leads of the caller")
    func myLeads() async throws {
        let ann = Set(try await listAll("", as: .ann))
        #expect(ann == ids(script.current.filter { $0.owner == "member-ann" }))
        let cid = try await stack.get("/v1/leads/mine", as: .cid)
        let cidIds = Set((cid.json["leads"] as? [[String: Any]] ?? []).compactMap { $0["leadId"] as? String })
        #expect(cidIds == ids(script.current.filter { $0.owner == "member-cid" || $0.collaborators.contains("member-cid") }))
        let manager = try await stack.get("/v1/leads/mine", as: Principal(id: "member-ann", role: .manager, scope: AccessScope(locationIds: ["loc-north", "loc-south"])))
        #expect((manager.json["leads"] as? [[String: Any]])?.count == script.current.filter { $0.owner == "member-ann" }.count)
    }

    @Test("lead detail shows the lead and its whole timeline: every event, who and when, in order")
    func detail() async throws {
        let lead = script.lead("L1")
        let response = try await stack.get("/v1/leads/\(lead.id)", as: .admin)
        #expect(response.status == 200)
        let timeline = try #require(response.json["timeline"] as? [[String: Any]])
        let events = script.events(of: "L1")
        #expect(timeline.count == events.count)
        #expect(Set(timeline.compactMap { $0["eventId"] as? String }) == Set(events.map { $0.eventId.uuidString.lowercased() }))
        let times = timeline.compactMap { ($0["occurredAt"] as? String).flatMap(LeadflowJSON.parseDate) }
        #expect(times == times.sorted())
        let received = try #require(timeline.first)
        #expect(received["kind"] as? String == "received")
        #expect((received["actor"] as? [String: Any])?["role"] as? String == "integration_source")
        let won = try #require(timeline.first { ($0["summary"] as? String)?.contains("closed_won") == true })
        #expect((won["actor"] as? [String: Any])?["id"] as? String == "member-ann")
        let contact = try #require(timeline.first { $0["kind"] as? String == "location_response_changed" })
        #expect((contact["actor"] as? [String: Any])?["role"] as? String == "location_contact")
        #expect((response.json["lead"] as? [String: Any])?["pipelineStatus"] as? String == "closed_won")

        let outOfOrder = try await stack.get("/v1/leads/\(script.lead("L10").id)", as: .admin)
        #expect((outOfOrder.json["lead"] as? [String: Any])?["ownerId"] as? String == "member-ann", "events before leads.received were kept")
        #expect((outOfOrder.json["timeline"] as? [[String: Any]])?.first?["kind"] as? String == "received", "ordered by occurrence, not arrival")

        let erased = try await stack.get("/v1/leads/\(script.lead("L14").id)", as: .admin)
        #expect(erased.status == 200)
        #expect(!erased.text.contains("Erin") && !erased.text.contains("erin@") && !erased.text.contains("5550114"), "\(erased.text)")

        let merged = try await stack.get("/v1/leads/\(script.lead("L13").id)", as: .admin)
        #expect(merged.json["mergedInto"] as? String == script.lead("L3").id.description)

        for missing in ["\(LeadID())", "not-a-uuid", "%27%3B%20DROP%20TABLE"] {
            #expect(try await stack.get("/v1/leads/\(missing)", as: .admin).status == 404)
        }
    }

    @Test("malformed list parameters are 400 problems naming the parameter", arguments: [
        ("stage=nowhere", "stage"), ("limit=0", "limit"), ("limit=abc", "limit"), ("createdFrom=yesterday", "createdFrom"),
        ("overdue=maybe", "overdue"), ("tz=Mars/Olympus", "tz"), ("orderBy=name", "orderBy"), ("status=new&status=won", "status"),
    ])
    func badParameters(query: String, field: String) async throws {
        let response = try await stack.get("/v1/leads?\(query)", as: .admin)
        #expect(response.status == 400)
        #expect(response.headers["content-type"] == "application/problem+json")
        #expect(response.json["field"] as? String == field)
    }

    @Test("hostile query strings never break the service")
    func hostileQueries() async throws {
        let long = String(repeating: "a", count: 5000)
        for query in ["q=\(long)", "q=%FF%FE%00", "status=%27%29%3B--", "source=" + String(repeating: "x,", count: 60), "q=%00"] {
            let response = try await stack.get("/v1/leads?\(query)", as: .admin)
            #expect([200, 400].contains(response.status), "\(query.prefix(40)): \(response.status)")
        }
        #expect(try await stack.get("/v1/leads", as: .admin).status == 200)
    }
}
