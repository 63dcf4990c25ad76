import LeadScoring
import LeadServiceKit

/// `leadflow-scoring`: configuration comes from the environment (see the README).
@main
struct ScoringMain {
    static func main() async {
        await LeadflowRuntime.main(ScoringService.definition)
    }
}
