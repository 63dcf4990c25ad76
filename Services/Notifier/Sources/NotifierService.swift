import LeadServiceKit

/// The notifier service: speed-to-lead alerts and follow-up automation; consumes `leads.assigned` and `leads.lifecycle`, publishes `notifications.outcomes`.
public enum NotifierService {
    /// The service's name, schema and HTTP port.
    public static let name = "notifier"

    /// Everything `LeadflowRuntime` needs to run the service.
    public static let definition = ServiceDefinition(
        name: name,
        defaultHTTPPort: 8084
    )
}
