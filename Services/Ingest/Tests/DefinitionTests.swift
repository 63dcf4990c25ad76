import LeadIngest
import Testing

@Suite("Ingest service definition")
struct DefinitionTests {
    @Test("names the service and its schema")
    func definition() {
        #expect(IngestService.definition.name == "ingest")
    }
}
