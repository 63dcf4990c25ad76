import Foundation
import Testing
@testable import LeadModel

@Suite("JSON round trips")
struct RoundTripTests {
    func roundTrip<Value: Codable & Equatable>(_ value: Value) throws {
        let bytes = try LeadflowJSON.encode(value)
        let decoded = try LeadflowJSON.decode(Value.self, from: bytes)
        #expect(decoded == value, "\(String(decoding: bytes, as: UTF8.self))")
        #expect(try LeadflowJSON.encode(decoded) == bytes, "encoding is stable")
    }

    @Test func events() throws {
        try roundTrip(Fixtures.leadReceived)
        try roundTrip(Fixtures.minimalLeadReceived)
        try roundTrip(Fixtures.leadScored)
        try roundTrip(Fixtures.leadAssigned)
        try roundTrip(Fixtures.notificationOutcome)
        try roundTrip(Fixtures.metricsSnapshot)
        try roundTrip(Fixtures.deadLetter)
    }

    @Test("every lifecycle change", arguments: LifecycleChange.Kind.allCases)
    func lifecycle(kind: LifecycleChange.Kind) throws {
        let event = Fixtures.lifecycleEvent(kind)
        #expect(event.change.kind == kind)
        try roundTrip(event)
        let object = try JSONSerialization.jsonObject(with: Data(LeadflowJSON.encode(event))) as? [String: Any]
        let change = object?["change"] as? [String: Any]
        #expect(change?["kind"] as? String == kind.rawValue)
    }

    @Test func changeWireForm() throws {
        let text = String(decoding: try LeadflowJSON.encode(LifecycleChange.stageChanged(from: .lead, to: .quote)), as: UTF8.self)
        #expect(text == #"{"from":"lead","kind":"stage_changed","to":"quote"}"#)
        #expect(String(decoding: try LeadflowJSON.encode(LifecycleChange.erased), as: UTF8.self) == #"{"kind":"erased"}"#)
        #expect(throws: DecodingError.self) {
            try LeadflowJSON.decode(LifecycleChange.self, from: Array(#"{"kind":"teleported"}"#.utf8))
        }
    }

    @Test func eventBodyShape() throws {
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(LeadflowJSON.encode(Fixtures.leadReceived))) as? [String: Any])
        #expect(object["leadId"] as? String == "6f1c2a9e-3b7d-4e21-9a55-0c8d4e7f1a23")
        #expect(object["occurredAt"] as? String == "2025-03-19T13:13:16.250Z")
        #expect(Set(object.keys) == ["eventId", "leadId", "occurredAt", "lead", "intake", "actor", "isTest"])
        let lead = try #require(object["lead"] as? [String: Any])
        #expect((lead["fullName"] as? [String: Any])?["full"] as? String == "Ingrid Marie Solberg")
    }

    @Test func keysAreSorted() throws {
        let text = String(decoding: try LeadflowJSON.encode(Fixtures.leadScored), as: UTF8.self)
        let causation = try #require(text.range(of: "\"causationEventId\""))
        let score = try #require(text.range(of: "\"score\""))
        #expect(causation.lowerBound < score.lowerBound)
    }
}

@Suite("Exact values")
struct ExactValueTests {
    @Test("external ids above 2^53 stay exact strings")
    func externalIds() throws {
        let id = "9007199254740993123"  // > 2^53; a Double would round it
        #expect(Double(id).map { String(format: "%.0f", $0) } != id)
        let intake = Intake(channel: .meta, sourceId: "src", sourceLeadId: id, receivedAt: Fixtures.received)
        let text = String(decoding: try LeadflowJSON.encode(intake), as: UTF8.self)
        #expect(text.contains(#""sourceLeadId":"9007199254740993123""#))
        #expect(try LeadflowJSON.decode(Intake.self, from: Array(text.utf8)).sourceLeadId == id)

        let received = String(decoding: try LeadflowJSON.encode(Fixtures.leadReceived), as: UTF8.self)
        #expect(received.contains(#""sourceLeadId":"\#(Fixtures.metaLeadgenId)""#))
        #expect(received.contains(#""adId":"\#(Fixtures.metaAdId)""#))
        #expect(received.contains(#""meta_ad_id":"\#(Fixtures.metaAdId)""#))
    }

    @Test("an external id sent as a JSON number is refused, not rounded")
    func numericExternalIdRejected() {
        let text = #"{"channel":"meta","sourceId":"src","sourceLeadId":120208765432100011,"receivedAt":"2025-03-19T13:13:16Z"}"#
        #expect(throws: DecodingError.self) { try LeadflowJSON.decode(Intake.self, from: Array(text.utf8)) }
    }

    @Test("money keeps every digit", arguments: ["0.1", "19999.99", "12345678901234567890.123456789", "-42.005", "7"])
    func money(amount: String) throws {
        let money = try #require(Money(amount, currency: "EUR"))
        let text = String(decoding: try LeadflowJSON.encode(money), as: UTF8.self)
        #expect(text == #"{"amount":"\#(amount)","currency":"EUR"}"#)
        #expect(try LeadflowJSON.decode(Money.self, from: Array(text.utf8)) == money)
        // A JSON number is read from its digits, not through Double.
        let numeric = #"{"amount":\#(amount),"currency":"EUR"}"#
        #expect(try LeadflowJSON.decode(Money.self, from: Array(numeric.utf8)).amount.description == amount)
    }

    @Test func moneyArithmeticIsExact() throws {
        let sum = try #require(Money("0.1")).amount + (try #require(Money("0.2"))).amount
        #expect(sum == Decimal(string: "0.3"))
    }

    @Test("malformed amounts are rejected", arguments: ["1e3", "1,000.00", "", "12.", ".5", "abc"])
    func badMoney(amount: String) {
        #expect(Money(amount) == nil)
        #expect(throws: DecodingError.self) {
            try LeadflowJSON.decode(Money.self, from: Array(#"{"amount":"\#(amount)","currency":"USD"}"#.utf8))
        }
    }

    @Test func customFieldsArePlainJSON() throws {
        let text = #"{"big":12345678901234567890.5,"flag":false,"list":["a",1,true],"name":"x","zip":"02134"}"#
        let fields = try LeadflowJSON.decode([String: CustomFieldValue].self, from: Array(text.utf8))
        #expect(fields["big"] == .number(Decimal(string: "12345678901234567890.5")!))
        #expect(fields["flag"] == .bool(false))
        #expect(fields["list"] == .list([.string("a"), .number(1), .bool(true)]))
        #expect(fields["zip"] == .string("02134"))
        #expect(String(decoding: try LeadflowJSON.encode(fields), as: UTF8.self) == text)
    }

    @Test func dates() throws {
        let date = Fixtures.date("2025-03-19T13:13:16.250Z")
        #expect(LeadflowJSON.formatDate(date) == "2025-03-19T13:13:16.250Z")
        #expect(LeadflowJSON.parseDate("2025-03-19T15:13:16.250+02:00") == date)
        #expect(LeadflowJSON.parseDate("2025-03-19T13:13:16Z") == date.addingTimeInterval(-0.25))
        #expect(LeadflowJSON.parseDate("19/03/2025") == nil)
        #expect(throws: DecodingError.self) {
            try LeadflowJSON.decode(Intake.self, from: Array(#"{"channel":"csv","sourceId":"s","receivedAt":"yesterday"}"#.utf8))
        }
    }
}

@Suite("Model basics")
struct ModelBasicsTests {
    @Test func leadIdIsLowercaseAndCaseInsensitive() throws {
        let id = try #require(LeadID("6F1C2A9E-3B7D-4E21-9A55-0C8D4E7F1A23"))
        #expect(id.description == "6f1c2a9e-3b7d-4e21-9a55-0c8d4e7f1a23")
        #expect(id == Fixtures.leadId)
        #expect(String(decoding: try LeadflowJSON.encode([id]), as: UTF8.self) == #"["6f1c2a9e-3b7d-4e21-9a55-0c8d4e7f1a23"]"#)
        #expect(LeadID("not-a-uuid") == nil)
        #expect(throws: DecodingError.self) { try LeadflowJSON.decode(LeadID.self, from: Array(#""nope""#.utf8)) }
    }

    @Test("name splitting", arguments: [
        ("Ingrid Solberg", "Ingrid", nil, "Solberg"),
        ("  Marcus   J.  Okafor ", "Marcus", "J.", "Okafor"),
        ("Beatriz Okonkwo-Lindgren", "Beatriz", nil, "Okonkwo-Lindgren"),
        ("Cher", "Cher", nil, nil),
        ("Anna Maria de la Cruz", "Anna", "Maria de la", "Cruz"),
    ] as [(String, String?, String?, String?)])
    func names(full: String, first: String?, middle: String?, last: String?) {
        let name = PersonName(full: full)
        #expect(name.first == first)
        #expect(name.middle == middle)
        #expect(name.last == last)
        #expect(name.full == full.split(separator: " ").joined(separator: " "))
    }

    @Test func emptyName() throws {
        #expect(PersonName(full: "   ").isEmpty)
        #expect(PersonName(first: " ", last: "").isEmpty)
        #expect(String(decoding: try LeadflowJSON.encode(PersonName()), as: UTF8.self) == #"{"full":""}"#)
    }

    @Test("priority bands", arguments: [(0, Priority.cold), (29, .cold), (30, .medium), (59, .medium), (60, .hot), (100, .hot)])
    func priority(score: Int, expected: Priority) {
        #expect(Priority(score: score) == expected)
    }

    @Test func scoredClampsAndDerivesPriority() {
        let high = LeadScored(leadId: Fixtures.leadId, occurredAt: Fixtures.later, score: 140, rulesVersion: 1, factors: [], causationEventId: Fixtures.eventId)
        #expect(high.score == 100 && high.priority == .hot)
        let low = LeadScored(leadId: Fixtures.leadId, occurredAt: Fixtures.later, score: -3, rulesVersion: 1, factors: [], causationEventId: Fixtures.eventId)
        #expect(low.score == 0 && low.priority == .cold)
    }

    @Test func preferredContacts() {
        #expect(Fixtures.lead.contacts.primaryPhone?.e164 == "+16145550142")
        #expect(Fixtures.lead.preferredVehicle?.stock == "H25-0412")
        #expect(Fixtures.minimalLead.preferredVehicle == nil)
        #expect(Fixtures.minimalLead.lastActivityAt == Fixtures.minimalLead.createdAt)
    }

    @Test("ADF interest values", arguments: [("trade-in", VehicleInterest.tradeIn), ("Test-Drive", .testDrive), ("BUY", .buy), ("rent", .other)])
    func adfInterest(value: String, expected: VehicleInterest) {
        #expect(VehicleInterest(adf: value) == expected)
    }

    @Test func topics() {
        #expect(Topic.allLeadflowTopics.map(\.rawValue) == [
            "leads.inbound", "leads.received", "leads.lifecycle", "leads.scored", "leads.assigned",
            "notifications.outcomes", "analytics.metrics", "leads.deadletter",
        ])
        let published = LeadflowEvents.allTypes.map { $0.topic }
        #expect(Set(published) == Set(Topic.allCases).subtracting([.inbound]))
        #expect(Set(LeadflowEvents.allTypes.map { $0.eventType }).count == LeadflowEvents.allTypes.count)
        #expect(LeadflowEvents.type(forEventType: "io.leadflow.lead.scored.v1") == LeadScored.self)
    }

    @Test func partitionKeys() {
        #expect(Fixtures.leadReceived.partitionKey == Fixtures.leadId.description)
        #expect(Fixtures.leadScored.subject == Fixtures.leadId.description)
        #expect(Fixtures.metricsSnapshot.partitionKey == "metrics")
        #expect(Fixtures.metricsSnapshot.subject == nil)
        #expect(Fixtures.deadLetter.partitionKey == Fixtures.leadId.description)
        #expect(Fixtures.deadLetter.leadId == Fixtures.leadId, "lead id recovered from the original key")
        #expect(Fixtures.deadLetter.occurredAt == Fixtures.deadLetter.failedAt)
        #expect(Fixtures.deadLetter.originalValue.map { String(decoding: $0, as: UTF8.self) }?.hasPrefix(#"{"lead_id": 1202"#) == true)
    }
}

@Suite("Wire dates")
struct WireDateTests {
    @Test("formatting rounds to the millisecond and re-parses to the same text", arguments: [
        "2025-03-19T14:02:41.007Z", "2025-03-19T14:02:41.999Z", "2025-03-19T14:02:41.000Z",
        "1969-12-31T23:59:59.500Z", "2100-02-28T23:59:59.001Z",
    ])
    func stable(text: String) throws {
        let date = try #require(LeadflowJSON.parseDate(text))
        #expect(LeadflowJSON.formatDate(date) == text)
        #expect(LeadflowJSON.parseDate(LeadflowJSON.formatDate(date)) == date)
    }

    @Test func subMillisecondDatesRound() {
        let date = Date(timeIntervalSince1970: 1_742_389_995.123_6)
        #expect(LeadflowJSON.formatDate(date) == "2025-03-19T13:13:15.124Z")
        let wire = LeadflowJSON.wirePrecision(date)
        #expect(LeadflowJSON.formatDate(wire) == "2025-03-19T13:13:15.124Z")
        #expect(abs(wire.timeIntervalSince(date)) < 0.001)
    }

    @Test func freshEventsRoundTripAtWirePrecision() throws {
        let event = LeadLifecycleEvent(
            leadId: LeadID(), occurredAt: LeadflowJSON.wirePrecision(Date()), actor: .system("test"), change: .erased)
        #expect(try LeadflowJSON.decode(LeadLifecycleEvent.self, from: LeadflowJSON.encode(event)) == event)
    }
}
