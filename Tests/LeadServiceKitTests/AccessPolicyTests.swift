import LeadModel
import LeadServiceKit
import Testing

@Suite("Access policy: who may see and change which leads")
struct AccessPolicyTests {
    let inScope = LeadAccessFacts(locationId: "loc-1", teamId: "team-1", ownerId: "akira", collaborators: ["bea"], sourceId: "src-1")
    let outOfScope = LeadAccessFacts(locationId: "loc-9", teamId: "team-9", ownerId: "zoe", collaborators: [], sourceId: "src-9")

    let admin = Principal(id: "root", role: .platformAdmin)
    let manager = Principal(id: "mia", role: .manager, scope: AccessScope(locationIds: ["loc-1"]))
    let teamManager = Principal(id: "tom", role: .manager, scope: AccessScope(teamIds: ["team-1"]))
    let owner = Principal(id: "akira", role: .salesperson)
    let collaborator = Principal(id: "bea", role: .salesperson)
    let stranger = Principal(id: "carl", role: .salesperson)
    let contact = Principal(id: "contact-1", role: .locationContact, scope: AccessScope(locationIds: ["loc-1"]))
    let source = Principal(id: "feed", role: .integrationSource, scope: AccessScope(sourceIds: ["src-1"]))
    let reader = Principal(id: "warehouse", role: .downstreamReader)

    @Test("reading and changing single leads")
    func singleLeads() {
        for principal in [admin, manager, teamManager, owner, collaborator] {
            #expect(principal.holds(.readLead(inScope)), "\(principal)")
            #expect(principal.holds(.changeLead(inScope)), "\(principal)")
        }
        for principal in [manager, teamManager, owner, collaborator, stranger, contact, source, reader] {
            #expect(!principal.holds(.readLead(outOfScope)), "\(principal)")
        }
        #expect(admin.holds(.readLead(outOfScope)))
        for principal in [stranger, contact, source, reader] {
            #expect(!principal.holds(.changeLead(inScope)), "\(principal)")
        }
    }

    @Test("an out-of-scope lead is hidden (404); roles without lead access get 403")
    func errorsDoNotLeakExistence() {
        #expect(throws: Problem.self) { try stranger.requireLead(inScope) }
        do {
            try stranger.requireLead(inScope)
        } catch let problem as Problem {
            #expect(problem.statusCode == 404)
        } catch {
            Issue.record("unexpected \(error)")
        }
        do {
            try reader.requireLead(inScope)
        } catch let problem as Problem {
            #expect(problem.statusCode == 403)
        } catch {
            Issue.record("unexpected \(error)")
        }
        #expect(throws: Never.self) { try owner.requireLead(inScope, change: true) }
    }

    @Test("list filters admit exactly the leads in scope")
    func filters() {
        #expect(admin.leadFilter == .all)
        #expect(manager.leadFilter.admits(inScope) && !manager.leadFilter.admits(outOfScope))
        #expect(teamManager.leadFilter.admits(LeadAccessFacts(teamId: "team-1")))
        #expect(!teamManager.leadFilter.admits(LeadAccessFacts(locationId: "loc-1")))
        #expect(owner.leadFilter.admits(inScope) && collaborator.leadFilter.admits(inScope))
        #expect(!stranger.leadFilter.admits(inScope))
        for principal in [contact, source, reader] {
            #expect(principal.leadFilter == .nothing, "\(principal)")
        }
    }

    @Test("intake, reports and configuration permissions")
    func otherPermissions() {
        #expect(source.holds(.submitLeads(sourceId: "src-1")))
        #expect(!source.holds(.submitLeads(sourceId: "src-2")))
        #expect(manager.holds(.submitLeads(sourceId: nil)) && !manager.holds(.submitLeads(sourceId: "src-1")))
        #expect(!reader.holds(.submitLeads(sourceId: nil)) && !contact.holds(.submitLeads(sourceId: nil)))

        #expect(reader.holds(.readReports(personalData: false)))
        #expect(!reader.holds(.readReports(personalData: true)))
        #expect(manager.holds(.readReports(personalData: true)))
        #expect(!owner.holds(.readReports(personalData: false)) && !source.holds(.readReports(personalData: false)))

        #expect(admin.holds(.administer) && !manager.holds(.administer))
        #expect(manager.holds(.configureRouting(locationId: "loc-1", teamId: nil)))
        #expect(!manager.holds(.configureRouting(locationId: "loc-9", teamId: nil)))
        #expect(!manager.holds(.configureRouting(locationId: nil, teamId: nil)))
        #expect(!owner.holds(.configureRouting(locationId: "loc-1", teamId: nil)))
        #expect(!manager.holds(.manageSources) && admin.holds(.manageSources))
    }

    @Test("scope text parses and rejects nonsense")
    func scopeParsing() throws {
        let scope = try AccessScope(parsing: "location:loc-1, team:team-2,source:src-3,location:loc-4")
        #expect(scope.locationIds == ["loc-1", "loc-4"] && scope.teamIds == ["team-2"] && scope.sourceIds == ["src-3"])
        #expect(throws: Problem.self) { try AccessScope(parsing: "planet:mars") }
        #expect(throws: Problem.self) { try AccessScope(parsing: "location") }
        #expect(try AccessScope(parsing: "").isEmpty)
    }
}
