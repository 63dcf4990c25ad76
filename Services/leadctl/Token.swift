import ArgumentParser
import Foundation
import JWTKit
import LeadModel
import LeadServiceKit
import Logging

/// `leadctl token issue`: mints bearer tokens for operators, tests and the demo stack.
struct Token: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Mint bearer tokens (JWT) for Leadflow's HTTP APIs.",
        subcommands: [Issue.self]
    )

    struct Issue: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a signed token for a principal.",
            discussion: """
            By default the token is signed with the HS256 key named by LEADFLOW_JWT_SIGNING_KID from \
            LEADFLOW_JWT_HS256_KEYS (the embedded default's development key when unset), with \
            LEADFLOW_JWT_ISSUER and LEADFLOW_JWT_AUDIENCE. With --private-jwk the token is signed with \
            that ES256/RS256 private key instead (its public half belongs in the services' JWKS file).

            Examples:
              leadctl token issue --role platform_admin --id ops-alice
              leadctl token issue --role manager --id mia --scope location:loc-columbus,team:team-suv
              leadctl token issue --role integration_source --id feed-1 --scope source:src-meta --ttl 86400
            """
        )

        @Option(help: "Role: platform_admin, manager, salesperson, location_contact, integration_source or downstream_reader.")
        var role: String

        @Option(help: "The principal's id (member id, source id, service account).")
        var id: String

        @Option(help: "What the principal is limited to: location:ID,team:ID,source:ID (comma-separated).")
        var scope: String = ""

        @Option(help: "Lifetime in seconds.")
        var ttl: Int = 3600

        @Option(help: "A private JWK file (ES256 or RS256, with its kid) to sign with instead of the HS256 key.")
        var privateJwk: String?

        func validate() throws {
            guard let role = Actor.Role(rawValue: role), role != .system, role != .customer else {
                throw ValidationError("unknown role '\(role)'")
            }
            guard ttl > 0, ttl <= 366 * 86_400 else { throw ValidationError("--ttl must be between 1 second and a year") }
        }

        func run() async throws {
            let principal = Principal(id: id, role: Actor.Role(rawValue: role)!, scope: try AccessScope(parsing: scope))
            let environment = try ServiceConfiguration(serviceName: "leadctl", defaultHTTPPort: 0)
            let auth = environment.auth
            let token: String
            if let privateJwk {
                let jwk = try JWK(json: String(contentsOfFile: privateJwk, encoding: .utf8))
                guard let kid = jwk.keyIdentifier else { throw ValidationError("the JWK in \(privateJwk) has no kid") }
                let keys = JWTKeyCollection()
                try await keys.add(jwk: jwk)
                let claims = LeadflowClaims(principal: principal, issuer: auth.issuer, audience: auth.audience,
                                            lifetime: .seconds(ttl))
                token = try await keys.sign(claims, kid: kid)
            } else {
                token = try await TokenAuthority(configuration: auth, logger: Logger(label: "leadctl"))
                    .issue(for: principal, lifetime: .seconds(ttl))
            }
            print(token)
        }
    }
}
