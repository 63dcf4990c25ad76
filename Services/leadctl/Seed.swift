import ArgumentParser
import Foundation
import LeadModel
import LeadServiceKit
import Logging

/// `leadctl seed`: the demo world of `make run`, written through each service's admin API.
struct Seed: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Seed demo data: locations, teams, members, recipients, a demo source with an API key, source costs.",
        discussion: """
        Everything goes through the services' own admin APIs with a platform-admin token minted from \
        the local signing key, so the services must be running. Re-running is safe: configuration is \
        replaced, the demo source is kept, and a fresh API key is issued. With --write-env the API \
        key and a demo token per role are appended to that file (make run uses .run/demo.env).
        """
    )

    @Option(help: "ingest base URL") var ingestUrl = ProcessInfo.processInfo.environment["LEADFLOW_INGEST_URL"] ?? "http://127.0.0.1:8081"
    @Option(help: "routing base URL") var routingUrl = ProcessInfo.processInfo.environment["LEADFLOW_ROUTING_URL"] ?? "http://127.0.0.1:8083"
    @Option(help: "notifier base URL") var notifierUrl = ProcessInfo.processInfo.environment["LEADFLOW_NOTIFIER_URL"] ?? "http://127.0.0.1:8084"
    @Option(help: "analytics base URL") var analyticsUrl = ProcessInfo.processInfo.environment["LEADFLOW_ANALYTICS_URL"] ?? "http://127.0.0.1:8085"

    @Option(help: "Append LEADFLOW_API_KEY and demo tokens (LEADFLOW_TOKEN_<ROLE>) to this file.")
    var writeEnv: String?

    @Option(help: "Lifetime of the demo tokens, in seconds.")
    var tokenTtl = 7 * 86_400

    func run() async throws {
        let config = try ServiceConfiguration(serviceName: "leadctl", defaultHTTPPort: 0)
        let authority = try await TokenAuthority(configuration: config.auth, logger: Logger(label: "leadctl"))
        let adminToken = try await authority.issue(for: Principal(id: "leadctl-seed", role: .platformAdmin), lifetime: .seconds(600))
        func endpoint(_ url: String) -> IngestEndpoint {
            IngestEndpoint(baseURL: url, credentials: [("Authorization", "Bearer \(adminToken)")])
        }
        let routing = endpoint(routingUrl)
        for (path, body) in DemoWorld.routing {
            try await put(routing, path, body)
        }
        let notifier = endpoint(notifierUrl)
        for (path, body) in DemoWorld.recipients {
            try await put(notifier, path, body)
        }
        let analytics = endpoint(analyticsUrl)
        for (path, body) in DemoWorld.sourceCosts {
            try await put(analytics, path, body)
        }
        let ingest = endpoint(ingestUrl)
        for body in DemoWorld.sources {
            let answer = try await ingest.send(.POST, "/v1/sources", body: Array(body.utf8), contentType: "application/json")
            guard answer.status == 201 || answer.status == 409 else {
                throw CLIError("POST /v1/sources answered \(answer.status): \(answer.body.text)")
            }
        }
        let issued = try await ingest.send(.POST, "/v1/sources/\(DemoWorld.demoSource)/keys",
                                           body: Array(#"{"label":"make run demo"}"#.utf8), contentType: "application/json")
        guard issued.status == 201, let apiKey = issued.body.jsonObject["apiKey"] as? String else {
            throw CLIError("issuing the demo API key answered \(issued.status): \(issued.body.text)")
        }
        print("seeded: \(DemoWorld.routing.count) routing records, \(DemoWorld.recipients.count) recipients, \(DemoWorld.sources.count) sources")
        guard let writeEnv else {
            print("demo API key (shown once): \(apiKey)")
            return
        }
        var lines = ["", "# Written by 'leadctl seed': the demo source's API key and a demo token per role.",
                     "LEADFLOW_API_KEY=\(apiKey)"]
        for (name, principal) in DemoWorld.demoPrincipals {
            lines.append("LEADFLOW_TOKEN_\(name)=\(try await authority.issue(for: principal, lifetime: .seconds(tokenTtl)))")
        }
        lines.append("LEADFLOW_OPERATOR_TOKEN=\(try await authority.issue(for: Principal(id: "ops-admin", role: .platformAdmin), lifetime: .seconds(tokenTtl)))")
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: writeEnv))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data((lines.joined(separator: "\n") + "\n").utf8))
        try handle.close()
        print("demo API key and tokens written to \(writeEnv)")
    }

    private func put(_ endpoint: IngestEndpoint, _ path: String, _ body: String) async throws {
        let answer = try await endpoint.send(.PUT, path, body: Array(body.utf8), contentType: "application/json")
        guard (200..<300).contains(answer.status) else {
            throw CLIError("PUT \(endpoint.baseURL)\(path) answered \(answer.status): \(answer.body.text)")
        }
    }
}

/// The demo world: one dealer group with two locations, three teams and four salespeople.
enum DemoWorld {
    static let demoSource = "src-demo"

    static let everyDay = #"[{"days":["mon","tue","wed","thu","fri","sat","sun"],"start":"00:00","end":"23:59"}]"#

    static func member(_ id: String, _ name: String, team: String, types: [String]) -> (String, String) {
        let skills = types.map { "\"\($0)\"" }.joined(separator: ",")
        return ("/v1/routing/members/\(id)", #"""
            {"teamId":"\#(team)","name":"\#(name)","email":"\#(id)@example.com","timeZone":"America/New_York",
             "workingHours":\#(everyDay),"skills":{"vehicleTypes":[\#(skills)]},"capacity":50,"online":true}
            """#)
    }

    /// Routing: locations, then teams, then members (each references the one before).
    static let routing: [(String, String)] = [
        ("/v1/routing/locations/loc-columbus", #"""
            {"name":"Lakeshore Auto Columbus","aliases":["DLR-30412"],"postalAreas":["432","430"],
             "geo":{"latitude":39.96,"longitude":-82.99},"serviceRadiusKm":80,"timeZone":"America/New_York",
             "contacts":[{"id":"contact-columbus","name":"Columbus internet sales","email":"columbus.sales@example.com",
                          "followUpDelay":{"kind":"tomorrow"}}],"responseSlaSeconds":86400}
            """#),
        ("/v1/routing/locations/loc-dublin", #"""
            {"name":"Lakeshore Auto Dublin","aliases":["DLR-30413"],"postalAreas":["43016","43017"],
             "geo":{"latitude":40.10,"longitude":-83.11},"serviceRadiusKm":40,"timeZone":"America/New_York",
             "contacts":[{"id":"contact-dublin","name":"Dublin internet sales","email":"dublin.sales@example.com",
                          "followUpDelay":{"kind":"three_days"}}],"responseSlaSeconds":86400}
            """#),
        ("/v1/routing/teams/team-suv", #"{"name":"SUV desk","locationId":"loc-columbus","priority":1,"rule":{"strategy":"round_robin"}}"#),
        ("/v1/routing/teams/team-sedan", #"{"name":"Sedan desk","locationId":"loc-columbus","priority":2,"rule":{"strategy":"score_weighted"}}"#),
        ("/v1/routing/teams/team-dublin", #"{"name":"Dublin sales","locationId":"loc-dublin","priority":1,"rule":{"strategy":"round_robin"}}"#),
        member("member-ann", "Ann Avery", team: "team-suv", types: ["suv", "truck", "ev"]),
        member("member-bob", "Bob Baker", team: "team-suv", types: ["suv", "truck"]),
        member("member-cara", "Cara Chen", team: "team-sedan", types: []),
        member("member-dan", "Dan Diaz", team: "team-dublin", types: []),
    ]

    /// Notifier: how to reach each member and location contact.
    static let recipients: [(String, String)] = {
        let members = [("member-ann", "Ann Avery", "team-suv"), ("member-bob", "Bob Baker", "team-suv"),
                       ("member-cara", "Cara Chen", "team-sedan"), ("member-dan", "Dan Diaz", "team-dublin")]
        var result = members.map { id, name, team in
            ("/v1/recipients/\(id)", #"""
                {"kind":"member","name":"\#(name)","email":"\#(id)@example.com","channels":["email"],
                 "timeZone":"America/New_York","teamId":"\#(team)","includeCollaborators":true,"active":true}
                """#)
        }
        for (id, name, location) in [("contact-columbus", "Columbus internet sales", "loc-columbus"),
                                     ("contact-dublin", "Dublin internet sales", "loc-dublin")] {
            result.append(("/v1/recipients/\(id)", #"""
                {"kind":"location_contact","name":"\#(name)","email":"\#(id)@example.com","channels":["email"],
                 "timeZone":"America/New_York","locationId":"\#(location)","active":true}
                """#))
        }
        return result
    }()

    /// Ingest: the demo feed and a Meta source.
    static let sources = [
        #"{"id":"src-demo","name":"Demo lead feed","channel":"json","partner":"demo-network","rateLimitPerMinute":100000}"#,
        #"{"id":"src-meta","name":"Meta Lead Ads","channel":"meta","partner":"meta"}"#,
    ]

    /// Analytics: what a lead costs per source (for source ROI).
    static let sourceCosts: [(String, String)] = [
        ("/v1/analytics/source-costs/src-demo", #"{"costPerLead":"25.00","currency":"USD"}"#),
        ("/v1/analytics/source-costs/src-meta", #"{"costPerLead":"38.50","currency":"USD"}"#),
    ]

    /// One demo principal per role.
    static let demoPrincipals: [(String, Principal)] = [
        ("PLATFORM_ADMIN", Principal(id: "ops-admin", role: .platformAdmin)),
        ("MANAGER", Principal(id: "mia", role: .manager, scope: AccessScope(locationIds: ["loc-columbus"]))),
        ("SALESPERSON", Principal(id: "member-ann", role: .salesperson)),
        ("LOCATION_CONTACT", Principal(id: "contact-columbus", role: .locationContact, scope: AccessScope(locationIds: ["loc-columbus"]))),
        ("INTEGRATION_SOURCE", Principal(id: "src-demo", role: .integrationSource, scope: AccessScope(sourceIds: ["src-demo"]))),
        ("DOWNSTREAM_READER", Principal(id: "warehouse", role: .downstreamReader)),
    ]
}
