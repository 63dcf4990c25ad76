import Foundation
import Testing

/// The Kubernetes manifests render with kustomize, and what they render is what deploy/README promises.
@Suite("Deployment manifests")
struct DeploymentManifestTests {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func kustomize(_ overlay: String) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["kubectl", "kustomize", Self.root.appendingPathComponent("deploy/k8s/overlays/\(overlay)").path]
        let pipe = Pipe()
        let errors = Pipe()
        process.standardOutput = pipe
        process.standardError = errors
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        let errorOutput = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output + errorOutput, as: UTF8.self))
    }

    /// The rendered documents, split at `---`.
    func documents(_ text: String) -> [String] {
        text.components(separatedBy: "\n---\n")
    }

    @Test("the prod and dev overlays render cleanly", arguments: ["prod", "dev"])
    func renders(overlay: String) throws {
        let (status, output) = try kustomize(overlay)
        #expect(status == 0, "\(output)")
        #expect(!output.lowercased().contains("error"), "\(output.prefix(2000))")
        let docs = documents(output)
        for service in ["ingest", "scoring", "routing", "notifier", "analytics"] {
            let name = "name: leadflow-\(service)"
            for kind in ["Deployment", "Service", "PodDisruptionBudget", "ScaledObject"] {
                #expect(docs.contains { $0.contains("kind: \(kind)\n") && $0.contains(name) }, "\(overlay): \(kind) of \(service)")
            }
            let deployment = try #require(docs.first { $0.contains("kind: Deployment\n") && $0.contains(name) })
            #expect(deployment.contains("/app/leadflow-\(service)"))
            #expect(deployment.contains("path: /health/ready") && deployment.contains("path: /health/live"))
            #expect(deployment.contains("app.kubernetes.io/component: \(service)"))
            let scaled = try #require(docs.first { $0.contains("kind: ScaledObject\n") && $0.contains(name) })
            #expect(scaled.contains("type: kafka") && scaled.contains("consumerGroup: leadflow-\(service)"))
            #expect(scaled.contains("maxReplicaCount: \(overlay == "prod" ? 12 : 3)"))
        }
        #expect(output.contains("namespace: \(overlay == "prod" ? "leadflow" : "leadflow-dev")"))
    }

    @Test("observability files exist and name metrics the services serve")
    func observability() throws {
        let rules = try String(contentsOf: Self.root.appendingPathComponent("deploy/observability/prometheus-rules.yaml"), encoding: .utf8)
        for metric in ["leadflow_consumer_lag", "leadflow_events_failed_total", "leadflow_outbox_backlog", "leadflow_auth_failures_total"] {
            #expect(rules.contains(metric))
        }
        let dashboardText = try String(
            contentsOf: Self.root.appendingPathComponent("deploy/observability/grafana-dashboard.json"), encoding: .utf8)
        let dashboard = try JSONSerialization.jsonObject(with: Data(dashboardText.utf8)) as? [String: Any]
        #expect((dashboard?["panels"] as? [Any])?.count ?? 0 >= 8)

        // Every metric an alert or a panel queries is one a service really serves: Leadflow's own, or
        // the HTTP metrics of Hummingbird's MetricsMiddleware (labels `hb.requests`, `hb.request.errors`,
        // `http.server.request.duration`, exported with dots as underscores).
        let served = try Self.metricLabelsInSources()
            .union(["hb_requests", "hb_request_errors", "http_server_request_duration", "http_server_active_requests"])
        for metric in Self.metricNames(in: rules + dashboardText) {
            #expect(served.contains(metric), "\(metric) is queried but no service defines it")
        }
    }

    /// Metric names (`leadflow_…`, `hb_…`, `http_server_…`) in PromQL text, without the histogram
    /// series suffixes.
    private static func metricNames(in text: String) -> Set<String> {
        let regex = /\b(?:leadflow|hb|http_server)_[a-z_]+/
        return Set(text.matches(of: regex).map { match in
            var name = String(match.output)
            for suffix in ["_bucket", "_count", "_sum"] where name.hasSuffix(suffix) {
                name.removeLast(suffix.count)
            }
            return name
        })
    }

    /// Metric labels the Swift sources define (`label: "leadflow_…"`).
    private static func metricLabelsInSources() throws -> Set<String> {
        var labels = Set<String>()
        for folder in ["Services", "Shared"] {
            let enumerator = FileManager.default.enumerator(at: root.appendingPathComponent(folder), includingPropertiesForKeys: nil)
            while let url = enumerator?.nextObject() as? URL {
                guard url.pathExtension == "swift" else { continue }
                let source = try String(contentsOf: url, encoding: .utf8)
                labels.formUnion(source.matches(of: /"(leadflow_[a-z_]+)"/).map { String($0.output.1) })
            }
        }
        return labels
    }
}
