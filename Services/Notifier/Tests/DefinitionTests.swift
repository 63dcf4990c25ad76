import LeadNotifier
import Testing

@Suite("Notifier service definition")
struct DefinitionTests {
    @Test("names the service and its schema")
    func definition() {
        #expect(NotifierService.definition.name == "notifier")
    }
}
