import LeadServiceKit

/// The routing service: assignment of leads to locations and salespeople; consumes `leads.scored` and `leads.lifecycle`, publishes `leads.assigned`.
public enum RoutingService {
    /// The service's name, schema and HTTP port.
    public static let name = "routing"

    /// Everything `LeadflowRuntime` needs to run the service.
    public static let definition = ServiceDefinition(
        name: name,
        defaultHTTPPort: 8083
    )
}
