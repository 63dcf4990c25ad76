import LeadServiceKit

/// The scoring service: explainable 0–100 scores; consumes `leads.received` and `leads.lifecycle`, publishes `leads.scored`.
public enum ScoringService {
    /// The service's name, schema and HTTP port.
    public static let name = "scoring"

    /// Everything `LeadflowRuntime` needs to run the service.
    public static let definition = ServiceDefinition(
        name: name,
        defaultHTTPPort: 8082
    )
}
