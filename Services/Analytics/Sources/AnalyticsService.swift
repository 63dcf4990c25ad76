import LeadServiceKit

/// The analytics service: read models, reports and dashboard; consumes every topic, publishes `analytics.metrics`.
public enum AnalyticsService {
    /// The service's name, schema and HTTP port.
    public static let name = "analytics"

    /// Everything `LeadflowRuntime` needs to run the service.
    public static let definition = ServiceDefinition(
        name: name,
        defaultHTTPPort: 8085
    )
}
