import Hummingbird
import Metrics
import Prometheus

/// The process-wide Prometheus registry behind swift-metrics, served on `/metrics`.
public enum LeadflowMetrics {
    /// The registry every metric of this process lands in.
    public static let registry = PrometheusCollectorRegistry()

    /// Routes swift-metrics to the Prometheus registry. Call once, at process start.
    public static func bootstrap() {
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
    }

    /// Adds `GET /metrics` in the Prometheus text format.
    public static func addRoute<Context: RequestContext>(to router: Router<Context>) {
        router.get("metrics") { _, _ -> Response in
            Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer()))
            )
        }
    }
}
