import Foundation
import Hummingbird
import LeadStorage

/// One readiness check: a name and a probe that throws when the dependency is unusable.
public struct ReadinessCheck: Sendable {
    /// Shown in the readiness report (`database`, `broker`, …).
    public let name: String
    /// Throws when not ready.
    public let probe: @Sendable () async throws -> Void

    /// Creates a check.
    public init(name: String, probe: @escaping @Sendable () async throws -> Void) {
        self.name = name
        self.probe = probe
    }
}

/// `/health/live` (the process answers) and `/health/ready` (every dependency answers in time).
public struct HealthEndpoints: Sendable {
    private let checks: [ReadinessCheck]
    private let timeout: Duration

    /// Creates the endpoints over `checks`, each bounded by `timeout`.
    public init(checks: [ReadinessCheck], timeout: Duration = .seconds(3)) {
        self.checks = checks
        self.timeout = timeout
    }

    struct Report: Codable, Sendable {
        var status: String
        var checks: [String: String]
    }

    /// Runs every check concurrently; a check that throws or times out makes the report `down`.
    func report() async -> Report {
        let timeout = self.timeout
        let results = await withTaskGroup(of: (String, String).self) { group in
            for check in checks {
                group.addTask {
                    do {
                        try await withTimeout(timeout) { try await check.probe() }
                        return (check.name, "up")
                    } catch {
                        return (check.name, "down: \(error)")
                    }
                }
            }
            var all: [String: String] = [:]
            for await (name, state) in group { all[name] = state }
            return all
        }
        return Report(status: results.values.allSatisfy { $0 == "up" } ? "up" : "down", checks: results)
    }

    /// Adds the two routes to `router`.
    public func addRoutes<Context: RequestContext>(to router: Router<Context>) {
        router.get("health/live") { _, _ -> Response in
            Self.json(.ok, ["status": "up"])
        }
        router.get("health/ready") { _, _ -> Response in
            let report = await self.report()
            return Self.json(report.status == "up" ? .ok : .serviceUnavailable, report)
        }
    }

    private static func json(_ status: HTTPResponse.Status, _ value: some Encodable) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let body = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
