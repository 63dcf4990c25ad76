import LeadRouting
import Testing

@Suite("Routing service definition")
struct DefinitionTests {
    @Test("names the service and its schema")
    func definition() {
        #expect(RoutingService.definition.name == "routing")
    }
}
