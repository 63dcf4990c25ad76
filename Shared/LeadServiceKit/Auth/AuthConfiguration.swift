import Foundation

/// How every service authenticates callers; read from `LEADFLOW_JWT_*`, `LEADFLOW_AUTH_*` and
/// `LEADFLOW_ACTION_LINK_SECRET`.
///
/// | variable | default | meaning |
/// |---|---|---|
/// | `LEADFLOW_JWT_HS256_KEYS` | `dev:<built-in dev secret>` | HS256 secrets as `kid:secret,kid:secret` (two during a rotation) |
/// | `LEADFLOW_JWT_SIGNING_KID` | the first HS256 kid | key `leadctl token issue` signs with |
/// | `LEADFLOW_JWKS_FILE` | unset | JWKS with ES256/RS256 public keys; re-read when it changes |
/// | `LEADFLOW_JWT_ISSUER` | `leadflow` | required `iss` |
/// | `LEADFLOW_JWT_AUDIENCE` | `leadflow` | required `aud` |
/// | `LEADFLOW_AUTH_FAILURE_LIMIT` | `20` | failed authentications per client and window before 429 |
/// | `LEADFLOW_AUTH_FAILURE_WINDOW_SECONDS` | `60` | that window |
/// | `LEADFLOW_ACTION_LINK_SECRET` | built-in dev secret | HMAC key of one-click action links (ingest and notifier) |
public struct AuthConfiguration: Sendable {
    /// The HS256 secret of the embedded default. Anyone can read it here: production sets its own.
    public static let developmentSecret = "leadflow-dev-signing-key-do-not-use-in-production"

    /// HS256 secrets by key id, in configuration order.
    public var hmacSecrets: [(kid: String, secret: String)]
    /// The key id tokens are signed with.
    public var signingKeyID: String
    /// A JWKS file of public keys (ES256/RS256), if any.
    public var jwksFile: String?
    /// How often, at most, the JWKS file is checked for changes (seconds).
    public var jwksRecheckInterval: TimeInterval
    /// The required issuer.
    public var issuer: String
    /// The required audience.
    public var audience: String
    /// Failed authentications per client within ``failureWindow`` before requests are refused.
    public var failureLimit: Int
    /// The window of ``failureLimit``.
    public var failureWindow: Duration
    /// The HMAC key of signed action links.
    public var actionLinkSecret: String

    /// Whether the built-in development secret is in use (logged as a warning at start).
    public var usesDevelopmentSecret: Bool {
        hmacSecrets.contains { $0.secret == Self.developmentSecret } || actionLinkSecret == Self.developmentSecret
    }

    /// Creates a configuration; the defaults are the embedded stack's.
    public init(
        hmacSecrets: [(kid: String, secret: String)] = [(kid: "dev", secret: AuthConfiguration.developmentSecret)],
        signingKeyID: String? = nil,
        jwksFile: String? = nil,
        jwksRecheckInterval: TimeInterval = 1,
        issuer: String = "leadflow",
        audience: String = "leadflow",
        failureLimit: Int = 20,
        failureWindow: Duration = .seconds(60),
        actionLinkSecret: String = AuthConfiguration.developmentSecret
    ) {
        self.hmacSecrets = hmacSecrets
        self.signingKeyID = signingKeyID ?? hmacSecrets.first?.kid ?? "dev"
        self.jwksFile = jwksFile
        self.jwksRecheckInterval = jwksRecheckInterval
        self.issuer = issuer
        self.audience = audience
        self.failureLimit = failureLimit
        self.failureWindow = failureWindow
        self.actionLinkSecret = actionLinkSecret
    }

    /// Reads the configuration from the environment.
    public init(environment: EnvironmentReader) throws {
        var secrets: [(kid: String, secret: String)] = []
        let raw = environment.string("LEADFLOW_JWT_HS256_KEYS", default: "dev:\(Self.developmentSecret)")
        for entry in raw.split(separator: ",") where !entry.isEmpty {
            let parts = entry.split(separator: ":", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, parts[1].utf8.count >= 32 else {
                throw ConfigurationError(
                    variable: "LEADFLOW_JWT_HS256_KEYS", value: "(hidden)",
                    expected: "kid:secret pairs separated by commas, each secret at least 32 bytes (HS256 needs a key as long as its hash)")
            }
            secrets.append((parts[0], parts[1]))
        }
        let jwks = environment.string("LEADFLOW_JWKS_FILE", default: "")
        let signing = environment.string("LEADFLOW_JWT_SIGNING_KID", default: secrets.first?.kid ?? "dev")
        let actionSecret = environment.string("LEADFLOW_ACTION_LINK_SECRET", default: Self.developmentSecret)
        guard actionSecret.utf8.count >= 32 else {
            throw ConfigurationError(variable: "LEADFLOW_ACTION_LINK_SECRET", value: "(hidden)", expected: "at least 32 bytes")
        }
        self.init(
            hmacSecrets: secrets,
            signingKeyID: signing,
            jwksFile: jwks.isEmpty ? nil : jwks,
            issuer: environment.string("LEADFLOW_JWT_ISSUER", default: "leadflow"),
            audience: environment.string("LEADFLOW_JWT_AUDIENCE", default: "leadflow"),
            failureLimit: try environment.int("LEADFLOW_AUTH_FAILURE_LIMIT", default: 20, in: 1...1_000_000),
            failureWindow: .seconds(try environment.int("LEADFLOW_AUTH_FAILURE_WINDOW_SECONDS", default: 60, in: 1...86_400)),
            actionLinkSecret: actionSecret
        )
    }
}
