import LeadScoring
import Testing

@Suite("Scoring service definition")
struct DefinitionTests {
    @Test("names the service and its schema")
    func definition() {
        #expect(ScoringService.definition.name == "scoring")
    }
}
