import LeadAnalytics
import Testing

@Suite("Analytics service definition")
struct DefinitionTests {
    @Test("names the service and its schema")
    func definition() {
        #expect(AnalyticsService.definition.name == "analytics")
    }
}
