import LeadNotifier
import LeadServiceKit

/// `leadflow-notifier`: configuration comes from the environment (see the README).
@main
struct NotifierMain {
    static func main() async {
        await LeadflowRuntime.main(NotifierService.definition)
    }
}
