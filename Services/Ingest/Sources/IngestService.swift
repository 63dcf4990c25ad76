import LeadServiceKit

/// The ingest service: the write gateway: intake channels, normalization, de-duplication and lifecycle commands; publishes `leads.received` and `leads.lifecycle`.
public enum IngestService {
    /// The service's name, schema and HTTP port.
    public static let name = "ingest"

    /// Everything `LeadflowRuntime` needs to run the service.
    public static let definition = ServiceDefinition(
        name: name,
        defaultHTTPPort: 8081
    )
}
