import LeadIngest
import LeadServiceKit

/// `leadflow-ingest`: configuration comes from the environment (see the README).
@main
struct IngestMain {
    static func main() async {
        await LeadflowRuntime.main(IngestService.definition)
    }
}
