import Foundation
import LeadMessaging
import LeadModel
import Testing
@testable import LeadIngest

@Suite("Ingest service definition")
struct DefinitionTests {
    @Test("names the service and its schema, consumes leads.inbound and leads.assigned")
    func definition() {
        #expect(IngestService.definition.name == "ingest")
        #expect(IngestService.definition.consumedTopics == ["leads.inbound", "leads.assigned"])
        #expect(IngestService.definition.defaultHTTPPort == 8081)
        #expect(!IngestService.definition.migrations.isEmpty)
    }

    @Test("configuration: defaults, overrides and refusals")
    func configuration() throws {
        let defaults = try IngestConfiguration(environment: [:])
        #expect(defaults.maxBodyBytes == 1 << 20)
        #expect(defaults.dedupWindow == 30 * 86_400)
        #expect(defaults.meta.appSecret == nil)
        let custom = try IngestConfiguration(environment: [
            "LEADFLOW_INGEST_DEFAULT_REGION": "gb", "LEADFLOW_INGEST_MAX_FIELD_LENGTH": "100",
            "LEADFLOW_INGEST_META_APP_SECRET": "s", "LEADFLOW_INGEST_GOOGLE_KEY": "k",
        ])
        #expect(custom.defaultRegion == "GB")
        #expect(custom.limits.maxFieldLength == 100)
        #expect(custom.meta.appSecret == "s")
        #expect(throws: (any Error).self) { try IngestConfiguration(environment: ["LEADFLOW_INGEST_DEFAULT_REGION": "XX"]) }
        #expect(throws: (any Error).self) { try IngestConfiguration(environment: ["LEADFLOW_INGEST_DEFAULT_CURRENCY": "dollars"]) }
        #expect(throws: (any Error).self) { try IngestConfiguration(environment: ["LEADFLOW_INGEST_MAX_BODY_BYTES": "lots"]) }
    }

    @Test("a topic message without a UUID ce_id gets a stable id from its position")
    func messageIds() {
        let message = ConsumedMessage(topic: "p.leads.inbound", partition: 2, offset: 41, key: nil, value: [])
        #expect(IngestEventHandler.eventId(of: message) == IngestEventHandler.eventId(of: message))
        var next = message
        next.offset = 42
        #expect(IngestEventHandler.eventId(of: next) != IngestEventHandler.eventId(of: message))
        let id = UUID()
        let withHeader = ConsumedMessage(topic: "t", partition: 0, offset: 0, key: nil, value: [],
                                         headers: [KafkaHeader(key: "ce_id", string: id.uuidString.lowercased())])
        #expect(IngestEventHandler.eventId(of: withHeader) == id)
    }

    @Test("an assignment to a new location restarts its response; the owner follows")
    func assignment() {
        var lead = Lead(source: LeadSource(id: "s", channel: .json), createdAt: Date())
        let first = LeadAssigned(leadId: lead.id, occurredAt: Date(), locationId: "loc-1", ownerId: "m-1",
                                 strategy: .roundRobin, reason: "r", causationEventId: UUID())
        lead.apply(assignment: first)
        #expect(lead.locationId == "loc-1" && lead.ownerId == "m-1" && lead.locationResponse == .unacknowledged)
        lead.locationResponse = .rejected
        lead.apply(assignment: LeadAssigned(leadId: lead.id, occurredAt: Date(), locationId: "loc-2", strategy: .fallback,
                                            reason: "re-routed", causationEventId: UUID()))
        #expect(lead.locationId == "loc-2" && lead.ownerId == "m-1" && lead.locationResponse == .unacknowledged)
        lead.locationResponse = .accepted
        lead.apply(assignment: LeadAssigned(leadId: lead.id, occurredAt: Date(), locationId: "loc-2", ownerId: "m-2",
                                            strategy: .manual, reason: "manual", causationEventId: UUID()))
        #expect(lead.locationResponse == .accepted && lead.ownerId == "m-2")
    }
}
