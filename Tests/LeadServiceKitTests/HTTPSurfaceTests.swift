import Foundation
import Hummingbird
import HummingbirdTesting
import LeadServiceKit
import LeadStorage
import Prometheus
import Testing

@Suite("Problem responses, health and metrics routes")
struct HTTPSurfaceTests {
    struct Failure: Error {}

    func makeRouter(databaseUp: Bool) -> Router<LeadflowRequestContext> {
        let router = Router(context: LeadflowRequestContext.self)
        router.middlewares.add(ProblemMiddleware())
        HealthEndpoints(checks: [
            ReadinessCheck(name: "database") { if !databaseUp { throw Failure() } },
            ReadinessCheck(name: "broker") {},
        ], timeout: .milliseconds(500)).addRoutes(to: router)
        LeadflowMetrics.addRoute(to: router)
        router.get("problem") { _, _ -> String in
            throw Problem(status: .unprocessableContent, code: "invalid_email", detail: "not an address", field: "/email", rule: "format")
        }
        router.get("crash") { _, _ -> String in throw Failure() }
        router.get("database-away") { _, _ -> String in throw TimeoutError() }
        return router
    }

    func json(_ buffer: ByteBuffer) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(buffer.readableBytesView)) as? [String: Any])
    }

    @Test("a thrown Problem becomes an RFC 9457 body with its code, field and rule")
    func problemBody() async throws {
        let app = Application(router: makeRouter(databaseUp: true))
        try await app.test(.router) { client in
            try await client.execute(uri: "/problem", method: .get) { response in
                #expect(response.status == .unprocessableContent)
                #expect(response.headers[.contentType] == "application/problem+json")
                let body = try json(response.body)
                #expect(body["code"] as? String == "invalid_email")
                #expect(body["status"] as? Int == 422)
                #expect(body["field"] as? String == "/email")
                #expect(body["rule"] as? String == "format")
                #expect(body["type"] as? String == "https://leadflow.dev/problems/invalid_email")
            }
        }
    }

    @Test("unknown routes and unexpected errors still answer with problem JSON")
    func fallbackProblems() async throws {
        let app = Application(router: makeRouter(databaseUp: true))
        try await app.test(.router) { client in
            try await client.execute(uri: "/no/such/route", method: .get) { response in
                #expect(response.status == .notFound)
                let code = try json(response.body)["code"] as? String
                #expect(code == "not_found")
            }
            try await client.execute(uri: "/crash", method: .get) { response in
                #expect(response.status == .internalServerError)
                let body = try json(response.body)
                #expect(body["code"] as? String == "internal_error")
                #expect(!(body["detail"] as? String ?? "").contains("Failure"))
            }
        }
    }

    @Test("a database outage answers 503 with Retry-After, so clients send again")
    func databaseOutage() async throws {
        let app = Application(router: makeRouter(databaseUp: true))
        try await app.test(.router) { client in
            try await client.execute(uri: "/database-away", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.retryAfter] == "1")
                let body = try json(response.body)
                #expect(body["code"] as? String == "database_unavailable")
            }
        }
    }

    @Test("readiness is up only when every dependency answers")
    func readiness() async throws {
        try await Application(router: makeRouter(databaseUp: true)).test(.router) { client in
            try await client.execute(uri: "/health/ready", method: .get) { response in
                #expect(response.status == .ok)
                let status = try json(response.body)["status"] as? String
                #expect(status == "up")
            }
        }
        try await Application(router: makeRouter(databaseUp: false)).test(.router) { client in
            try await client.execute(uri: "/health/live", method: .get) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/health/ready", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                let body = try json(response.body)
                #expect(body["status"] as? String == "down")
                let checks = try #require(body["checks"] as? [String: String])
                #expect(checks["broker"] == "up")
                #expect(checks["database"]?.hasPrefix("down") == true)
            }
        }
    }

    @Test("/metrics serves the Prometheus text format")
    func metrics() async throws {
        LeadflowMetrics.registry.makeCounter(descriptor: MetricNameDescriptor(namespace: "leadflow", metricName: "test_marker", unitName: "total", helpText: "test")).increment(by: Int64(3))
        try await Application(router: makeRouter(databaseUp: true)).test(.router) { client in
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
                let text = String(buffer: response.body)
                #expect(text.contains("leadflow_test_marker_total 3"))
            }
        }
    }
}
