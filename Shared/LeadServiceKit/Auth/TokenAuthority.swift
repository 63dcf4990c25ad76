import Foundation
import JWTKit
import LeadModel
import Logging
import Synchronization

/// The claims of a Leadflow bearer token.
public struct LeadflowClaims: JWTPayload, Equatable {
    /// The principal's id.
    public var sub: SubjectClaim
    /// The principal's role (an ``Actor/Role`` raw value).
    public var role: String
    /// Locations a manager oversees.
    public var locations: [String]?
    /// Teams a manager oversees.
    public var teams: [String]?
    /// Sources an integration may submit for.
    public var sources: [String]?
    /// Who issued the token.
    public var iss: IssuerClaim
    /// Who the token is for.
    public var aud: AudienceClaim
    /// When it expires.
    public var exp: ExpirationClaim
    /// When it was issued.
    public var iat: IssuedAtClaim

    /// Signature checks happen in ``TokenAuthority``, which also tells the reasons apart.
    public func verify(using algorithm: some JWTAlgorithm) async throws {}

    /// Creates claims for `principal`, valid for `lifetime` from `now`.
    public init(principal: Principal, issuer: String, audience: String, lifetime: Duration, now: Date = Date()) {
        let now = Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down))  // NumericDate: whole seconds
        sub = SubjectClaim(value: principal.id)
        role = principal.role.rawValue
        locations = principal.scope.locationIds.isEmpty ? nil : principal.scope.locationIds.sorted()
        teams = principal.scope.teamIds.isEmpty ? nil : principal.scope.teamIds.sorted()
        sources = principal.scope.sourceIds.isEmpty ? nil : principal.scope.sourceIds.sorted()
        iss = IssuerClaim(value: issuer)
        aud = AudienceClaim(value: [audience])
        exp = ExpirationClaim(value: now.addingTimeInterval(Double(lifetime.components.seconds)))
        iat = IssuedAtClaim(value: now)
    }
}

/// Verifies (and, where it holds private keys, mints) Leadflow's JWT bearer tokens.
///
/// Keys: HS256 shared secrets by `kid` (the embedded default), and ES256/RS256 public keys from a
/// JWKS file for production. The JWKS file is re-read when it changes, so keys rotate without a
/// restart: publish the new key next to the old one, start signing with it, drop the old one once
/// its tokens have expired. Every token must name its key (`kid`) and carry the configured issuer
/// and audience and an expiry in the future.
public final class TokenAuthority: Sendable {
    private let configuration: AuthConfiguration
    private let keys: Mutex<LoadedKeys>
    private let lastJWKSCheck = Mutex(Date.distantPast)
    private let logger: Logger

    /// Creates the authority with the configured keys.
    /// - Throws: ``ConfigurationError`` when the JWKS file cannot be read or parsed.
    public init(configuration: AuthConfiguration, logger: Logger) async throws {
        self.configuration = configuration
        self.logger = logger
        keys = Mutex(try await Self.loadKeys(configuration))
    }

    /// The configuration it runs with.
    public var issuer: String { configuration.issuer }

    /// Verifies `token` and returns its principal.
    /// - Throws: ``AuthenticationFailure`` saying why the token is refused (never echoing it).
    public func verify(_ token: String) async throws(AuthenticationFailure) -> Principal {
        guard let kid = Self.keyID(of: token) else {
            throw AuthenticationFailure(.invalidToken, "the token is malformed or names no key (kid)")
        }
        await reloadJWKSIfChanged()
        let (collection, known) = keys.withLock { ($0.collection, $0.keyIDs.contains(kid)) }
        // jwt-kit falls back to a default key for an unknown kid; Leadflow insists on a known one.
        guard known else {
            throw AuthenticationFailure(.unknownKey, "the token is signed with an unknown key '\(kid.prefix(64))'")
        }
        let claims: LeadflowClaims
        do {
            claims = try await collection.verify(token, as: LeadflowClaims.self)
        } catch {
            throw AuthenticationFailure(.invalidToken, "the token's signature or format is invalid")
        }
        guard claims.exp.value > Date() else {
            throw AuthenticationFailure(.tokenExpired, "the token expired at \(LeadflowJSON.formatDate(claims.exp.value))")
        }
        guard claims.iss.value == configuration.issuer else {
            throw AuthenticationFailure(.wrongIssuer, "the token was not issued by \(configuration.issuer)")
        }
        guard claims.aud.value.contains(configuration.audience) else {
            throw AuthenticationFailure(.wrongAudience, "the token is not meant for \(configuration.audience)")
        }
        guard let role = Actor.Role(rawValue: claims.role), role != .system, role != .customer else {
            throw AuthenticationFailure(.invalidToken, "the token names an unknown role")
        }
        return Principal(id: claims.sub.value, role: role, scope: AccessScope(
            locationIds: Set(claims.locations ?? []), teamIds: Set(claims.teams ?? []), sourceIds: Set(claims.sources ?? [])))
    }

    /// Mints a token for `principal` with the signing key (`kid`) of the configuration.
    public func issue(for principal: Principal, lifetime: Duration = .seconds(3600), now: Date = Date()) async throws -> String {
        let claims = LeadflowClaims(
            principal: principal, issuer: configuration.issuer, audience: configuration.audience,
            lifetime: lifetime, now: now)
        let collection = keys.withLock { $0.collection }
        return try await collection.sign(claims, kid: JWKIdentifier(string: configuration.signingKeyID))
    }

    // MARK: Keys

    /// The verification keys in force and the ids they answer to.
    private struct LoadedKeys {
        var collection: JWTKeyCollection
        var keyIDs: Set<String>
        var jwksModified: Date?
    }

    private static func loadKeys(_ configuration: AuthConfiguration) async throws -> LoadedKeys {
        let collection = JWTKeyCollection()
        var keyIDs: Set<String> = []
        for (kid, secret) in configuration.hmacSecrets {
            guard secret.utf8.count >= 32 else {
                throw ConfigurationError(variable: "LEADFLOW_JWT_HS256_KEYS", value: kid, expected: "a secret of at least 32 bytes")
            }
            await collection.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256, kid: JWKIdentifier(string: kid))
            keyIDs.insert(kid)
        }
        var modified: Date?
        if let file = configuration.jwksFile {
            modified = modificationDate(file)
            let json: String
            do {
                json = try String(contentsOfFile: file, encoding: .utf8)
            } catch {
                throw ConfigurationError(variable: "LEADFLOW_JWKS_FILE", value: file, expected: "a readable JWKS file")
            }
            do {
                let jwks = try JSONDecoder().decode(JWKS.self, from: Data(json.utf8))
                try await collection.add(jwks: jwks)
                keyIDs.formUnion(jwks.keys.compactMap { $0.keyIdentifier?.string })
            } catch {
                throw ConfigurationError(variable: "LEADFLOW_JWKS_FILE", value: file, expected: "a valid JWKS document (\(error))")
            }
        }
        return LoadedKeys(collection: collection, keyIDs: keyIDs, jwksModified: modified)
    }

    /// Re-reads the JWKS file when its modification time changed (checked at most once a second).
    private func reloadJWKSIfChanged() async {
        guard let file = configuration.jwksFile else { return }
        let now = Date()
        let due = lastJWKSCheck.withLock { last -> Bool in
            guard now.timeIntervalSince(last) >= configuration.jwksRecheckInterval else { return false }
            last = now
            return true
        }
        guard due, let modified = Self.modificationDate(file),
              modified != keys.withLock({ $0.jwksModified }) else { return }
        do {
            let loaded = try await Self.loadKeys(configuration)
            keys.withLock { $0 = loaded }
            logger.notice("signing keys reloaded", metadata: ["jwks": "\(file)"])
        } catch {
            logger.error("could not reload the JWKS file; keeping the previous keys", metadata: ["error": "\(error)"])
        }
    }

    private static func modificationDate(_ path: String) -> Date? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
    }

    /// The `kid` of a compact JWS, read from its header without trusting anything else.
    static func keyID(of token: String) -> String? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let header = Data(base64URL: String(parts[0])),
              let object = try? JSONSerialization.jsonObject(with: header) as? [String: Any],
              let kid = object["kid"] as? String, !kid.isEmpty
        else { return nil }
        return kid
    }
}

/// Why a request's credentials were refused; answered with 401 and this code.
public struct AuthenticationFailure: Error, Sendable, CustomStringConvertible {
    /// Stable reason codes (the problem `code`).
    public enum Reason: String, Sendable, CaseIterable {
        case missingCredentials = "missing_credentials"
        case invalidToken = "invalid_token"
        case tokenExpired = "token_expired"
        case wrongIssuer = "wrong_issuer"
        case wrongAudience = "wrong_audience"
        case unknownKey = "unknown_key"
        case invalidAPIKey = "invalid_api_key"
        case invalidSignature = "invalid_signature"
    }

    /// The reason.
    public let reason: Reason
    /// An explanation for the caller; never contains the credential.
    public let detail: String

    /// Creates a failure.
    public init(_ reason: Reason, _ detail: String) {
        self.reason = reason
        self.detail = detail
    }

    public var description: String { "\(reason.rawValue): \(detail)" }

    /// The 401 problem answering it.
    public var problem: Problem { Problem(status: .unauthorized, code: reason.rawValue, detail: detail) }
}

extension Data {
    /// Decodes base64url without padding (RFC 7515).
    init?(base64URL text: String) {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64.append("=") }
        self.init(base64Encoded: base64)
    }

    /// Encodes as base64url without padding (RFC 7515).
    var base64URLEncoded: String {
        base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
