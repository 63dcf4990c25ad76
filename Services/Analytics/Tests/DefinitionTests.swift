import LeadMessaging
import LeadModel
import Testing
@testable import LeadAnalytics

@Suite("Analytics service definition")
struct DefinitionTests {
    @Test("names the service and its schema, consumes every lead topic and dead letters")
    func definition() {
        let definition = AnalyticsService.definition
        #expect(definition.name == "analytics")
        #expect(definition.defaultHTTPPort == 8085)
        let topics = Set(AnalyticsService.consumedTopics.map(\.name))
        #expect(topics == ["leads.received", "leads.lifecycle", "leads.scored", "leads.assigned", "notifications.outcomes", "leads.deadletter"])
        #expect(!topics.contains("analytics.metrics"), "its own output is not an input")
        #expect(definition.consumedTopics.isEmpty, "consumed by its own batching consumer, not the runtime's")
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

@Suite("Batch queue")
struct BatchQueueTests {
    static func message(_ offset: Int64) -> ConsumedMessage {
        ConsumedMessage(topic: "t", partition: 0, offset: offset, key: nil, value: [], headers: [], timestamp: nil)
    }

    @Test("hands over everything in order, in batches, holding at most its capacity")
    func batches() async {
        let queue = BatchQueue(capacity: 5)
        let producer = Task {
            for offset in 0..<100 { await queue.push(Self.message(Int64(offset))) }
            queue.finish()
        }
        var seen: [Int64] = []
        while let batch = await queue.take(limit: 7) {
            #expect(batch.count <= 5)
            seen += batch.map(\.offset)
        }
        await producer.value
        #expect(seen == Array(0..<100))
    }
}
