import LeadModel

/// What one Leadflow service is, from the outside: its name (also its schema and default consumer
/// group suffix), default HTTP port, and the topics it consumes and produces. Operators' tools
/// (lag, replay) and the service definitions share this one table.
public struct ServiceDescriptor: Sendable, Hashable {
    /// `ingest`, `scoring`, `routing`, `notifier` or `analytics`.
    public let name: String
    /// HTTP port of the embedded default.
    public let defaultHTTPPort: Int
    /// Topics its consumer group reads.
    public let consumes: [Topic]
    /// Topics it writes (dead letters aside, which every service may write).
    public let produces: [Topic]

    /// The consumer group of the embedded default (`leadflow-<name>`).
    public var defaultConsumerGroup: String { "leadflow-\(name)" }
}

/// The five services.
public enum ServiceCatalog {
    /// The write gateway: intake channels and lifecycle commands.
    public static let ingest = ServiceDescriptor(
        name: "ingest", defaultHTTPPort: 8081, consumes: [.inbound, .assigned], produces: [.received, .lifecycle])
    /// Explainable scores.
    public static let scoring = ServiceDescriptor(
        name: "scoring", defaultHTTPPort: 8082, consumes: [.received, .lifecycle, .assigned], produces: [.scored])
    /// Assignment to locations and salespeople.
    public static let routing = ServiceDescriptor(
        name: "routing", defaultHTTPPort: 8083, consumes: [.scored, .lifecycle], produces: [.assigned])
    /// Alerts and follow-up automation.
    public static let notifier = ServiceDescriptor(
        name: "notifier", defaultHTTPPort: 8084, consumes: [.assigned, .lifecycle], produces: [.notificationOutcomes])
    /// Read models, reports and the dashboard.
    public static let analytics = ServiceDescriptor(
        name: "analytics", defaultHTTPPort: 8085,
        consumes: [.received, .lifecycle, .scored, .assigned, .notificationOutcomes], produces: [.analyticsMetrics])

    /// All five, in pipeline order.
    public static let all: [ServiceDescriptor] = [ingest, scoring, routing, notifier, analytics]

    /// The service called `name`.
    public static func named(_ name: String) -> ServiceDescriptor? { all.first { $0.name == name } }
}
