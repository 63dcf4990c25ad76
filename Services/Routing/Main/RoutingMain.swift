import LeadRouting
import LeadServiceKit

/// `leadflow-routing`: configuration comes from the environment (see the README).
@main
struct RoutingMain {
    static func main() async {
        await LeadflowRuntime.main(RoutingService.definition)
    }
}
