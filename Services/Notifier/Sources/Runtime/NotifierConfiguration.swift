import Foundation
import LeadModel
import LeadServiceKit
import NIOSSL

/// The notifier's own settings, read from `LEADFLOW_NOTIFIER_*` (and `LEADFLOW_PUBLIC_INGEST_URL`).
/// docs/notifier.md lists every variable with its default.
public struct NotifierConfiguration: Sendable {
    /// Ingest's public base URL for one-click links.
    public var publicIngestURL: String
    /// How long action links stay valid.
    public var actionLinkLifetime: TimeInterval
    /// SMTP connection.
    public var smtp: SMTPConfiguration
    /// The `From` of every e-mail.
    public var mailFrom: MailAddress
    /// The domain of `Message-ID`s.
    public var messageIDDomain: String
    /// The SMS provider, when configured (SMS deliveries are suppressed otherwise).
    public var sms: SMSSender.Configuration?
    /// Webhook request timeout.
    public var webhookTimeout: Duration
    /// Retry policy of failed deliveries.
    public var retry: RetryPolicy
    /// How long a claimed delivery stays leased to its dispatcher.
    public var lease: Duration
    /// Idle wait of the dispatcher and the scheduler between looks at the tables.
    public var pollInterval: Duration
    /// Deliveries claimed (and sent concurrently) per round.
    public var batchSize: Int
    /// Planning options.
    public var planner: PlannerOptions
    /// How long templates and default tasks are cached (changes through another instance show
    /// after at most this long).
    public var cacheTimeToLive: Duration

    /// Reads the configuration.
    public init(environment: [String: String]) throws {
        let env = EnvironmentReader(environment)
        publicIngestURL = env.string("LEADFLOW_PUBLIC_INGEST_URL", default: "http://127.0.0.1:8081")
        guard let url = URL(string: publicIngestURL), url.scheme == "http" || url.scheme == "https", url.host != nil else {
            throw NotifierConfigurationError(variable: "LEADFLOW_PUBLIC_INGEST_URL", value: publicIngestURL, expected: "an http(s) URL")
        }
        actionLinkLifetime = TimeInterval(try env.int("LEADFLOW_NOTIFIER_LINK_TTL_DAYS", default: 14, in: 1...365) * 86_400)

        let security = env.string("LEADFLOW_NOTIFIER_SMTP_SECURITY", default: "starttls")
        guard let securityMode = SMTPConfiguration.Security(rawValue: security) else {
            throw NotifierConfigurationError(variable: "LEADFLOW_NOTIFIER_SMTP_SECURITY", value: security,
                                     expected: SMTPConfiguration.Security.allCases.map(\.rawValue).joined(separator: ", "))
        }
        var tls = TLSConfiguration.makeClientConfiguration()
        if !(try env.bool("LEADFLOW_NOTIFIER_SMTP_TLS_VERIFY", default: true)) { tls.certificateVerification = .none }
        let caFile = env.string("LEADFLOW_NOTIFIER_SMTP_CA_FILE", default: "")
        if !caFile.isEmpty { tls.trustRoots = .file(caFile) }
        let username = env.string("LEADFLOW_NOTIFIER_SMTP_USERNAME", default: "")
        smtp = SMTPConfiguration(
            host: env.string("LEADFLOW_NOTIFIER_SMTP_HOST", default: "127.0.0.1"),
            port: try env.int("LEADFLOW_NOTIFIER_SMTP_PORT", default: 2525, in: 1...65535),
            security: securityMode,
            username: username.isEmpty ? nil : username,
            password: username.isEmpty ? nil : env.string("LEADFLOW_NOTIFIER_SMTP_PASSWORD", default: ""),
            allowPlaintextAuth: try env.bool("LEADFLOW_NOTIFIER_SMTP_ALLOW_PLAINTEXT_AUTH", default: false),
            heloName: env.string("LEADFLOW_NOTIFIER_SMTP_HELO", default: "leadflow-notifier.localhost"),
            replyTimeout: .seconds(try env.int("LEADFLOW_NOTIFIER_SMTP_TIMEOUT_SECONDS", default: 30, in: 1...600)),
            connectTimeout: .seconds(try env.int("LEADFLOW_NOTIFIER_SMTP_CONNECT_TIMEOUT_SECONDS", default: 10, in: 1...600)),
            tls: tls)
        let from = env.string("LEADFLOW_NOTIFIER_MAIL_FROM", default: "Leadflow <notifications@leadflow.localhost>")
        guard let fromAddress = MailAddress(parsing: from), RecipientValidation.isValidEmail(fromAddress.address) else {
            throw NotifierConfigurationError(variable: "LEADFLOW_NOTIFIER_MAIL_FROM", value: from, expected: "Name <local@domain>")
        }
        mailFrom = fromAddress
        messageIDDomain = env.string(
            "LEADFLOW_NOTIFIER_MESSAGE_ID_DOMAIN", default: String(fromAddress.address.split(separator: "@").last ?? "leadflow.localhost"))

        let smsURL = env.string("LEADFLOW_NOTIFIER_SMS_URL", default: "")
        if smsURL.isEmpty {
            sms = nil
        } else {
            guard RecipientValidation.isValidWebhookURL(smsURL) else {
                throw NotifierConfigurationError(variable: "LEADFLOW_NOTIFIER_SMS_URL", value: smsURL, expected: "an http(s) URL")
            }
            func optional(_ name: String) -> String? {
                let value = env.string(name, default: "")
                return value.isEmpty ? nil : value
            }
            sms = SMSSender.Configuration(
                url: smsURL, token: optional("LEADFLOW_NOTIFIER_SMS_TOKEN"), username: optional("LEADFLOW_NOTIFIER_SMS_USERNAME"),
                password: optional("LEADFLOW_NOTIFIER_SMS_PASSWORD"), from: optional("LEADFLOW_NOTIFIER_SMS_FROM"),
                timeout: .seconds(try env.int("LEADFLOW_NOTIFIER_SMS_TIMEOUT_SECONDS", default: 10, in: 1...120)))
        }
        webhookTimeout = .seconds(try env.int("LEADFLOW_NOTIFIER_WEBHOOK_TIMEOUT_SECONDS", default: 10, in: 1...120))
        retry = RetryPolicy(
            maxAttempts: try env.int("LEADFLOW_NOTIFIER_MAX_ATTEMPTS", default: 8, in: 1...100),
            baseDelay: Double(try env.int("LEADFLOW_NOTIFIER_RETRY_BASE_MS", default: 5000, in: 1...3_600_000)) / 1000,
            maxDelay: Double(try env.int("LEADFLOW_NOTIFIER_RETRY_MAX_SECONDS", default: 3600, in: 1...86_400)),
            jitter: 0.2)
        lease = .seconds(try env.int("LEADFLOW_NOTIFIER_LEASE_SECONDS", default: 300, in: 5...86_400))
        pollInterval = .milliseconds(try env.int("LEADFLOW_NOTIFIER_POLL_MS", default: 500, in: 10...60_000))
        batchSize = try env.int("LEADFLOW_NOTIFIER_BATCH_SIZE", default: 32, in: 1...1000)
        cacheTimeToLive = .milliseconds(try env.int("LEADFLOW_NOTIFIER_CACHE_MS", default: 2000, in: 0...600_000))

        let delayText = env.string("LEADFLOW_NOTIFIER_DEFAULT_FOLLOW_UP", default: "tomorrow")
        let delay: FollowUpDelay
        switch delayText {
        case "one_hour": delay = .oneHour
        case "tomorrow": delay = .tomorrow
        case "three_days": delay = .threeDays
        case "one_week": delay = .oneWeek
        default:
            guard let seconds = Int(delayText), seconds > 0 else {
                throw NotifierConfigurationError(variable: "LEADFLOW_NOTIFIER_DEFAULT_FOLLOW_UP", value: delayText,
                                         expected: "one_hour, tomorrow, three_days, one_week or a number of seconds")
            }
            delay = .custom(seconds: seconds)
        }
        planner = PlannerOptions(
            customerAcknowledgement: try env.bool("LEADFLOW_NOTIFIER_CUSTOMER_ACK", default: false),
            defaultFollowUpDelay: delay,
            morningHour: try env.int("LEADFLOW_NOTIFIER_MORNING_HOUR", default: 9, in: 0...23),
            maxStatusRequests: try env.int("LEADFLOW_NOTIFIER_MAX_STATUS_REQUESTS", default: 3, in: 1...100),
            taskOverdueAfter: TimeInterval(try env.int("LEADFLOW_NOTIFIER_TASK_OVERDUE_HOURS", default: 24, in: 1...8760) * 3600))
    }
}

/// A malformed `LEADFLOW_NOTIFIER_*` variable.
public struct NotifierConfigurationError: Error, CustomStringConvertible, Sendable {
    /// The variable's name.
    public let variable: String
    /// What it held (never a secret: secrets are not validated here).
    public let value: String
    /// What it should hold.
    public let expected: String

    public var description: String { "\(variable)=\(value) is invalid: expected \(expected)" }
}
