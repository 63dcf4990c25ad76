import LeadAnalytics
import LeadServiceKit

/// `leadflow-analytics`: configuration comes from the environment (see the README).
@main
struct AnalyticsMain {
    static func main() async {
        await LeadflowRuntime.main(AnalyticsService.definition)
    }
}
