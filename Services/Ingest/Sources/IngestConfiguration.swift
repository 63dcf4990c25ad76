import Foundation
import LeadServiceKit

/// Ingest's own settings, read from `LEADFLOW_INGEST_*` (documented in docs/ingest.md).
public struct IngestConfiguration: Sendable {
    /// Largest request body of the single-document endpoints (JSON, ADF, webhooks), bytes.
    public var maxBodyBytes: Int
    /// Largest CSV upload, bytes (counted while streaming).
    public var maxImportBytes: Int
    /// Deepest JSON nesting accepted.
    public var maxJSONDepth: Int
    /// Field, list and batch caps.
    public var limits: IntakeLimits
    /// Intake requests a source may make per minute (token bucket), unless the source says otherwise.
    public var rateLimitPerMinute: Int
    /// Burst size of that bucket.
    public var rateLimitBurst: Int
    /// Region of phone numbers written without a country code.
    public var defaultRegion: String
    /// Currency of amounts that name none.
    public var defaultCurrency: String
    /// How long an e-mail or phone keeps matching a lead after it was last seen.
    public var dedupWindow: TimeInterval
    /// Source of `leads.inbound` messages that name none (`leadflow-source` header).
    public var topicDefaultSourceId: String
    /// Seconds API key lookups are cached per instance.
    public var apiKeyCacheSeconds: TimeInterval
    /// How long the old keys keep working after a rotation, by default.
    public var rotationGraceSeconds: TimeInterval
    /// Most per-row errors kept for one import.
    public var importMaxErrors: Int
    /// Meta Lead Ads.
    public var meta: MetaConfiguration
    /// Google Ads lead forms.
    public var google: GoogleConfiguration

    /// Meta webhook and Graph API settings.
    public struct MetaConfiguration: Sendable {
        /// App secret: the HMAC key of `X-Hub-Signature-256`.
        public var appSecret: String?
        /// The verify token of the subscription handshake.
        public var verifyToken: String?
        /// Page access token for the Graph API.
        public var accessToken: String?
        /// Graph API base URL.
        public var graphURL: String
        /// Graph API version.
        public var graphVersion: String
        /// The source Meta leads are recorded under.
        public var sourceId: String
        /// Fetch attempts before a leadgen id is dead-lettered.
        public var maxAttempts: Int
        /// First retry delay; doubles per attempt up to `retryMax`.
        public var retryBase: TimeInterval
        public var retryMax: TimeInterval
        /// Timeout of one Graph request.
        public var fetchTimeout: TimeInterval
        /// How often the fetch queue is polled when idle.
        public var pollInterval: TimeInterval
    }

    /// Google Ads lead-form webhook settings.
    public struct GoogleConfiguration: Sendable {
        /// The `google_key` deliveries must carry.
        public var key: String?
        /// The source Google leads are recorded under.
        public var sourceId: String
    }

    /// Reads the settings from `environment`.
    public init(environment: [String: String]) throws {
        let env = EnvironmentReader(environment)
        func optional(_ name: String) -> String? {
            let value = env.string(name, default: "")
            return value.isEmpty ? nil : value
        }
        maxBodyBytes = try env.int("LEADFLOW_INGEST_MAX_BODY_BYTES", default: 1 << 20, in: 1024...(64 << 20))
        maxImportBytes = try env.int("LEADFLOW_INGEST_MAX_IMPORT_BYTES", default: 100 << 20, in: 1024...(1 << 40))
        maxJSONDepth = try env.int("LEADFLOW_INGEST_MAX_JSON_DEPTH", default: 32, in: 2...512)
        limits = IntakeLimits(
            maxFieldLength: try env.int("LEADFLOW_INGEST_MAX_FIELD_LENGTH", default: 256, in: 16...100_000),
            maxTextLength: try env.int("LEADFLOW_INGEST_MAX_TEXT_LENGTH", default: 5000, in: 64...1_000_000),
            maxItems: try env.int("LEADFLOW_INGEST_MAX_ITEMS", default: 20, in: 1...10_000),
            maxCustomFields: try env.int("LEADFLOW_INGEST_MAX_CUSTOM_FIELDS", default: 50, in: 0...10_000),
            maxBatch: try env.int("LEADFLOW_INGEST_MAX_BATCH", default: 100, in: 1...100_000))
        rateLimitPerMinute = try env.int("LEADFLOW_INGEST_RATE_LIMIT_PER_MINUTE", default: 6000, in: 1...100_000_000)
        rateLimitBurst = try env.int("LEADFLOW_INGEST_RATE_LIMIT_BURST", default: 200, in: 1...100_000_000)
        defaultRegion = env.string("LEADFLOW_INGEST_DEFAULT_REGION", default: "US").uppercased()
        guard PhoneNormalizer.countries[defaultRegion] != nil else {
            throw IngestConfigurationError(variable: "LEADFLOW_INGEST_DEFAULT_REGION", value: defaultRegion, expected: "an ISO 3166 region the phone normalizer knows")
        }
        defaultCurrency = env.string("LEADFLOW_INGEST_DEFAULT_CURRENCY", default: "USD").uppercased()
        guard AmountParser.isCurrencyCode(defaultCurrency) else {
            throw IngestConfigurationError(variable: "LEADFLOW_INGEST_DEFAULT_CURRENCY", value: defaultCurrency, expected: "an ISO 4217 code")
        }
        dedupWindow = TimeInterval(try env.int("LEADFLOW_INGEST_DEDUP_WINDOW_SECONDS", default: 30 * 86_400, in: 0...(10 * 365 * 86_400)))
        topicDefaultSourceId = env.string("LEADFLOW_INGEST_TOPIC_SOURCE_ID", default: "inbound")
        apiKeyCacheSeconds = TimeInterval(try env.int("LEADFLOW_INGEST_API_KEY_CACHE_SECONDS", default: 5, in: 0...3600))
        rotationGraceSeconds = TimeInterval(try env.int("LEADFLOW_INGEST_KEY_ROTATION_GRACE_SECONDS", default: 86_400, in: 0...(90 * 86_400)))
        importMaxErrors = try env.int("LEADFLOW_INGEST_IMPORT_MAX_ERRORS", default: 1000, in: 0...1_000_000)
        meta = MetaConfiguration(
            appSecret: optional("LEADFLOW_INGEST_META_APP_SECRET"),
            verifyToken: optional("LEADFLOW_INGEST_META_VERIFY_TOKEN"),
            accessToken: optional("LEADFLOW_INGEST_META_ACCESS_TOKEN"),
            graphURL: env.string("LEADFLOW_INGEST_META_GRAPH_URL", default: "https://graph.facebook.com"),
            graphVersion: env.string("LEADFLOW_INGEST_META_GRAPH_VERSION", default: "v21.0"),
            sourceId: env.string("LEADFLOW_INGEST_META_SOURCE_ID", default: "meta"),
            maxAttempts: try env.int("LEADFLOW_INGEST_META_MAX_ATTEMPTS", default: 8, in: 1...100),
            retryBase: Double(try env.int("LEADFLOW_INGEST_META_RETRY_BASE_MS", default: 2000, in: 1...3_600_000)) / 1000,
            retryMax: Double(try env.int("LEADFLOW_INGEST_META_RETRY_MAX_MS", default: 600_000, in: 1...86_400_000)) / 1000,
            fetchTimeout: Double(try env.int("LEADFLOW_INGEST_META_FETCH_TIMEOUT_MS", default: 10_000, in: 100...600_000)) / 1000,
            pollInterval: Double(try env.int("LEADFLOW_INGEST_META_POLL_MS", default: 1000, in: 10...600_000)) / 1000)
        google = GoogleConfiguration(
            key: optional("LEADFLOW_INGEST_GOOGLE_KEY"),
            sourceId: env.string("LEADFLOW_INGEST_GOOGLE_SOURCE_ID", default: "google"))
    }
}

/// A malformed `LEADFLOW_INGEST_*` variable.
public struct IngestConfigurationError: Error, CustomStringConvertible, Sendable {
    public let variable: String
    public let value: String
    public let expected: String

    public var description: String { "\(variable)=\(value) is invalid: expected \(expected)" }
}
