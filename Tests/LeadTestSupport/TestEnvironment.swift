import Foundation

/// Where the integration tests find the embedded stack that `make test` started
/// (scripts/test exports these; the defaults are DESIGN.md's embedded ports).
///
/// Integration tests never skip themselves when the stack is missing: they fail and say why.
public enum TestEnvironment {
    /// Kafka bootstrap servers of the Tansu broker.
    public static var kafkaBrokers: String { value("LEADFLOW_KAFKA_BROKERS", default: "127.0.0.1:19092") }
    /// PostgreSQL host of the private cluster.
    public static var postgresHost: String { value("LEADFLOW_PG_HOST", default: "127.0.0.1") }
    /// PostgreSQL port of the private cluster.
    public static var postgresPort: Int { Int(value("LEADFLOW_PG_PORT", default: "54329")) ?? 54329 }
    /// Database name.
    public static var postgresDatabase: String { value("LEADFLOW_PG_DATABASE", default: "leadflow") }
    /// Database user.
    public static var postgresUser: String { value("LEADFLOW_PG_USER", default: "leadflow") }
    /// Database password.
    public static var postgresPassword: String { value("LEADFLOW_PG_PASSWORD", default: "leadflow") }
    /// The run folder (`.run/` in the checkout unless overridden).
    public static var runDirectory: String {
        value("LEADFLOW_RUN_DIR", default: FileManager.default.currentDirectoryPath + "/.run")
    }
    /// Folder holding the built executables (set by scripts/test from `swift build --show-bin-path`).
    public static var binDirectory: String {
        value("LEADFLOW_BIN_DIR", default: FileManager.default.currentDirectoryPath + "/.build/debug")
    }

    /// A name no other test (or earlier run) uses: `prefix-<random>`, safe for topics, groups and schemas.
    public static func uniqueName(_ prefix: String) -> String {
        let suffix = UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(12)
        return "\(prefix)_\(suffix)"
    }

    private static func value(_ name: String, default fallback: String) -> String {
        if let v = ProcessInfo.processInfo.environment[name], !v.isEmpty { return v }
        return fallback
    }
}

/// Polls `condition` until it holds or `timeout` passes; returns whether it held.
public func eventually(
    timeout: Duration = .seconds(30),
    every interval: Duration = .milliseconds(100),
    _ condition: () async throws -> Bool
) async rethrows -> Bool {
    let deadline = ContinuousClock.now.advanced(by: timeout)
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: interval)
    }
    return try await condition()
}
