import Foundation
import LeadModel
import LeadServiceKit

/// The analytics service's own settings, read from `LEADFLOW_ANALYTICS_*`.
///
/// | variable | default | meaning |
/// |---|---|---|
/// | `LEADFLOW_ANALYTICS_SESSION_SECRET` | built-in dev secret | HMAC key (≥ 32 bytes) of dashboard session cookies and list cursors; the same on every instance |
/// | `LEADFLOW_ANALYTICS_SESSION_MINUTES` | `15` | dashboard session lifetime (never beyond the token's expiry) |
/// | `LEADFLOW_ANALYTICS_SECURE_COOKIES` | `false` | mark the session cookie `Secure` (set `true` behind TLS) |
/// | `LEADFLOW_ANALYTICS_CURRENCY` | `USD` | the currency money reports sum |
/// | `LEADFLOW_ANALYTICS_SOURCE_COSTS` | empty | default cost per lead, `source:amount,source:amount` (the admin API overrides) |
/// | `LEADFLOW_ANALYTICS_TIMEZONE` | `UTC` | the day boundary of "appointment today" and the hot sheet, unless `tz` is given |
/// | `LEADFLOW_ANALYTICS_METRICS_INTERVAL_SECONDS` | `15` | how often the metrics publisher looks for finished minutes |
/// | `LEADFLOW_ANALYTICS_METRICS_GRACE_SECONDS` | `60` | how long after a minute ends its first snapshot waits for late events |
/// | `LEADFLOW_ANALYTICS_METRICS_HORIZON_MINUTES` | `60` | how far back the first run starts, and how long published minutes are re-checked and corrected for late events |
public struct AnalyticsConfiguration: Sendable {
    /// The built-in development secret; production sets its own.
    public static let developmentSessionSecret = "leadflow-analytics-dev-session-secret-change-me"

    public var sessionSecret: String
    public var sessionLifetime: Duration
    public var secureCookies: Bool
    public var currency: String
    public var sourceCosts: [String: Money]
    public var timeZone: TimeZone
    public var metricsInterval: Duration
    public var metricsGrace: TimeInterval
    public var metricsHorizon: TimeInterval

    /// The defaults.
    public init() {
        sessionSecret = Self.developmentSessionSecret
        sessionLifetime = .seconds(15 * 60)
        secureCookies = false
        currency = "USD"
        sourceCosts = [:]
        timeZone = TimeZone(identifier: "UTC")!
        metricsInterval = .seconds(15)
        metricsGrace = 60
        metricsHorizon = 3600
    }

    /// Reads the settings from a service's environment.
    public init(environment: [String: String]) throws {
        self.init()
        let env = EnvironmentReader(environment)
        sessionSecret = env.string("LEADFLOW_ANALYTICS_SESSION_SECRET", default: Self.developmentSessionSecret)
        guard sessionSecret.utf8.count >= 32 else {
            throw AnalyticsSettingError(variable: "LEADFLOW_ANALYTICS_SESSION_SECRET", value: "(hidden)", expected: "at least 32 bytes")
        }
        sessionLifetime = .seconds(try env.int("LEADFLOW_ANALYTICS_SESSION_MINUTES", default: 15, in: 1...1440) * 60)
        secureCookies = try env.bool("LEADFLOW_ANALYTICS_SECURE_COOKIES", default: false)
        currency = env.string("LEADFLOW_ANALYTICS_CURRENCY", default: "USD").uppercased()
        guard currency.count == 3, currency.allSatisfy({ $0.isASCII && $0.isLetter }) else {
            throw AnalyticsSettingError(variable: "LEADFLOW_ANALYTICS_CURRENCY", value: currency, expected: "an ISO 4217 code")
        }
        let costs = env.string("LEADFLOW_ANALYTICS_SOURCE_COSTS", default: "")
        for entry in costs.split(separator: ",") {
            let parts = entry.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty, let money = Money(parts[1], currency: currency), money.amount >= 0 else {
                throw AnalyticsSettingError(variable: "LEADFLOW_ANALYTICS_SOURCE_COSTS", value: String(entry),
                                         expected: "source:amount pairs separated by commas")
            }
            sourceCosts[parts[0]] = money
        }
        let zone = env.string("LEADFLOW_ANALYTICS_TIMEZONE", default: "UTC")
        guard let timeZone = TimeZone(identifier: zone) else {
            throw AnalyticsSettingError(variable: "LEADFLOW_ANALYTICS_TIMEZONE", value: zone, expected: "an IANA time zone")
        }
        self.timeZone = timeZone
        metricsInterval = .seconds(try env.int("LEADFLOW_ANALYTICS_METRICS_INTERVAL_SECONDS", default: 15, in: 1...3600))
        metricsGrace = TimeInterval(try env.int("LEADFLOW_ANALYTICS_METRICS_GRACE_SECONDS", default: 60, in: 0...86_400))
        metricsHorizon = TimeInterval(try env.int("LEADFLOW_ANALYTICS_METRICS_HORIZON_MINUTES", default: 60, in: 1...10_080) * 60)
    }
}

/// A malformed `LEADFLOW_ANALYTICS_*` variable.
public struct AnalyticsSettingError: Error, CustomStringConvertible, Sendable {
    /// The variable's name.
    public let variable: String
    /// What it held (hidden for secrets).
    public let value: String
    /// What it should hold.
    public let expected: String

    public var description: String { "\(variable)=\(value) is invalid: expected \(expected)" }
}
