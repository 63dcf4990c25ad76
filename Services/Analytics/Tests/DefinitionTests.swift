import LeadAnalytics
import LeadModel
import Testing

@Suite("Analytics service definition")
struct DefinitionTests {
    @Test("names the service and its schema, consumes every lead topic and dead letters")
    func definition() {
        let definition = AnalyticsService.definition
        #expect(definition.name == "analytics")
        #expect(definition.defaultHTTPPort == 8085)
        #expect(Set(definition.consumedTopics) == ["leads.received", "leads.lifecycle", "leads.scored", "leads.assigned",
                                                    "notifications.outcomes", "leads.deadletter"])
        #expect(!definition.consumedTopics.contains("analytics.metrics"), "its own output is not an input")
    }

    @Test("the projection's tables are created the same way for the live schema and a rebuild")
    func projectionSchema() throws {
        let live = ProjectionSchema.createStatements(schema: ProjectionSchema.live).joined()
        let next = ProjectionSchema.createStatements(schema: try .init("analytics_projection_next_1")).joined()
        #expect(live.replacingOccurrences(of: "analytics_projection", with: "X")
            == next.replacingOccurrences(of: "analytics_projection_next_1", with: "X"))
        for table in ProjectionSchema.tables {
            #expect(live.contains("analytics_projection.\(table)"), "\(table)")
        }
    }
}
