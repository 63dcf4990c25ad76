import Foundation
import LeadIntegrationSupport
import LeadMessaging
import LeadModel
import LeadTestSupport
import Testing
@testable import LeadIngest

/// Every intake channel end to end: HTTP or topic in, `leads.received` out (real broker and database).
@Suite("Intake channels (real Tansu + PostgreSQL)")
struct IntakeChannelTests {
    func unique(_ name: String = "lead") -> String { "\(name)-\(UUID().uuidString.prefix(8).lowercased())@example.com" }

    @Test("generic JSON with an API key: 202 after commit, normalized lead on leads.received, exact ids, free text as data")
    func genericJSON() async throws {
        let ingest = try await SharedIngest.get()
        let (source, key) = try await ingest.createSource()
        let email = unique("Jo.Park")
        let body = """
            {"externalId": 123456789012345678901, "name": {"first": "  Jo ", "last": "Park"}, "email": "\(email.uppercased())",
             "phones": ["(614) 555-0123"], "address": {"postalCode": "2134", "country": "us"},
             "vehicles": [{"year": 2024, "make": "Honda", "model": "CR-V", "price": "$31,500.00"}],
             "attribution": {"campaignId": 120208765432100001123},
             "comments": "'; DROP TABLE ingest.leads; -- {{ 7*7 }} ${jndi:ldap://x} <img src=x onerror=alert(1)>"}
            """
        let response = try await ingest.post("/v1/leads", body, headers: ["x-api-key": key])
        #expect(response.status == 202, "\(response.text)")
        #expect(response.json["outcome"] as? String == "created")
        let leadId = try #require((response.json["leadId"] as? String).flatMap(LeadID.init))
        // 202 means committed: the lead and its event are in the database whether or not the
        // broker has it yet (the outbox relay publishes it, also after a broker outage).
        let committed = try await ingest.query { client in
            var rows = 0
            for try await count in try await client.query("""
                SELECT (SELECT count(*) FROM ingest.leads WHERE id = \(leadId.uuid))::int
                     + (SELECT count(*) FROM ingest.outbox WHERE message_key = \(leadId.description))::int
                """).decode(Int.self) { rows = count }
            return rows
        }
        #expect(committed == 2)
        let event = try #require(await ingest.receivedEvent(for: leadId))
        #expect(event.lead.fullName == PersonName(first: "Jo", last: "Park"))
        #expect(event.lead.contacts.emails.first?.address == email.lowercased())
        #expect(event.lead.contacts.phones.first?.e164 == "+16145550123")
        #expect(event.lead.contacts.address?.postalCode == "02134")
        #expect(event.lead.vehiclesOfInterest.first?.price == Money(amount: 31500, currency: "USD"))
        #expect(event.lead.source == LeadSource(id: source, name: "Test source \(source)", channel: .json, campaignId: "120208765432100001123"))
        #expect(event.intake.sourceLeadId == "123456789012345678901")
        #expect(event.actor == Actor(id: source, role: .integrationSource))
        #expect(event.lead.comments == "'; DROP TABLE ingest.leads; -- {{ 7*7 }} ${jndi:ldap://x} <img src=x onerror=alert(1)>")
        #expect(try await ingest.leadCount() > 0)
    }

    @Test("refused JSON leaves no lead behind and says why", arguments: [
        ("{\"email\": \"MARK@example.com\u{FFFF}\"", 400, "invalid_json"),
        ("[{\"email\": \"MARK@example.com\"}," + String(repeating: "[", count: 200) + String(repeating: "]", count: 200) + "]", 400, "too_deeply_nested"),
        ("{\"email\":\"MARK@example.com\",\"email\":\"b@x.com\"}", 400, "duplicate_key"),
        ("{\"email\": \"MARK\", \"phone\": \"614 555 0100\"}", 422, "invalid_field"),
        ("{\"name\": \"MARK\"}", 422, "contact_required"),
        ("{\"email\": \"MARK@example.com\", \"isAdmin\": true}", 422, "invalid_field"),
        ("{\"email\": \"MARK@example.com\", \"comments\": \"nul\\u0000byte\"}", 422, "invalid_field"),
        ("[{\"email\": \"MARK@example.com\"}]", 422, "invalid_field"),
    ])
    func refusedJSON(body: String, status: Int, code: String) async throws {
        let ingest = try await SharedIngest.get()
        let marker = "refused-\(UUID().uuidString.prefix(8).lowercased())"
        let response = try await ingest.post("/v1/leads", body.replacingOccurrences(of: "MARK", with: marker), headers: ingest.admin)
        #expect(response.status == status, "\(response.text)")
        #expect(response.headers["content-type"] == "application/problem+json")
        #expect(response.json["code"] as? String == code, "\(response.text)")
        #expect(try await ingest.leadCount(containing: marker) == 0)
    }

    @Test("invalid UTF-8, oversized bodies and wrong media types are refused before parsing")
    func hostileBodies() async throws {
        let ingest = try await SharedIngest.get()
        let invalidUTF8 = Array(#"{"email":""#.utf8) + [0xC3, 0x28, 0xFF] + Array(#"@x.com"}"#.utf8)
        let bad = try await ingest.post("/v1/leads", bytes: invalidUTF8, headers: ingest.admin, contentType: "application/json")
        #expect(bad.status == 400)
        #expect(bad.json["code"] as? String == "invalid_utf8")
        let huge = try await ingest.post("/v1/leads", bytes: Array(repeating: 0x20, count: 300_000), headers: ingest.admin, contentType: "application/json")
        #expect(huge.status == 413)
        #expect(huge.json["code"] as? String == "body_too_large")
        let xml = try await ingest.post("/v1/leads", "<adf/>", headers: ingest.admin, contentType: "application/xml")
        #expect(xml.status == 415)
        let field = try await ingest.post("/v1/leads", #"{"email":"a@example.com","comments":"\#(String(repeating: "x", count: 6000))"}"#, headers: ingest.admin)
        #expect(field.status == 422)
        #expect(field.json["field"] as? String == "/comments")
        #expect(field.json["rule"] as? String == "max_length")
    }

    @Test("manual entry: a salesperson owns what they enter, a manager's lead goes to their location")
    func manualEntry() async throws {
        let ingest = try await SharedIngest.get()
        let sales = try await IngestHarness.bearer(.salesperson, id: "member-7")
        let phone = try await ingest.post("/v1/leads", #"{"manual":{"kind":"walk_in"},"name":"Walk In","phone":"614 555 0177"}"#, headers: sales)
        #expect(phone.status == 202, "\(phone.text)")
        let leadId = try #require((phone.json["leadId"] as? String).flatMap(LeadID.init))
        let event = try #require(await ingest.receivedEvent(for: leadId))
        #expect(event.lead.ownerId == "member-7")
        #expect(event.lead.source.channel == .manual)
        #expect(event.lead.source.name == "walk_in")
        #expect(event.actor == Actor(id: "member-7", role: .salesperson))

        let manager = try await IngestHarness.bearer(.manager, id: "mgr-2", locations: ["loc-b", "loc-c"])
        let missing = try await ingest.post("/v1/leads", #"{"manual":{"kind":"referral","referredBy":"Kim"},"email":"\#(unique())"}"#, headers: manager)
        #expect(missing.status == 422)
        #expect(missing.json["code"] as? String == "location_required")
        let outside = try await ingest.post("/v1/leads", #"{"manual":{"kind":"phone"},"email":"\#(unique())","locationId":"loc-z"}"#, headers: manager)
        #expect(outside.status == 403)
        let inside = try await ingest.post("/v1/leads", #"{"manual":{"kind":"referral","referredBy":"Kim"},"email":"\#(unique())","locationId":"loc-c"}"#, headers: manager)
        #expect(inside.status == 202)
        let insideId = try #require((inside.json["leadId"] as? String).flatMap(LeadID.init))
        let insideEvent = try #require(await ingest.receivedEvent(for: insideId))
        #expect(insideEvent.lead.locationId == "loc-c")
        #expect(insideEvent.lead.source.partner == "Kim")

        let reader = try await IngestHarness.bearer(.downstreamReader, id: "bi")
        #expect(try await ingest.post("/v1/leads", #"{"email":"\#(unique())"}"#, headers: reader).status == 403)
    }

    @Test("ADF: the samples, several prospects, ISO-8859-1, all or nothing")
    func adf() async throws {
        let ingest = try await SharedIngest.get()
        let (_, key) = try await ingest.createSource()
        let full = Samples.adfFull.replacingOccurrences(of: "ECM-2025-0318-77412", with: UUID().uuidString)
            .replacingOccurrences(of: "Marcus.Okafor@Example.com", with: unique("marcus"))
            .replacingOccurrences(of: "(614) 555-0137", with: "(614) 555-\(Int.random(in: 2000...9999))")
            .replacingOccurrences(of: "(614) 555-0188", with: "(614) 555-\(Int.random(in: 2000...9999))")
        let response = try await ingest.post("/v1/leads/adf", full, headers: ["x-api-key": key], contentType: "application/xml")
        #expect(response.status == 202, "\(response.text)")
        let leadId = try #require((response.json["leadId"] as? String).flatMap(LeadID.init))
        let event = try #require(await ingest.receivedEvent(for: leadId))
        #expect(event.lead.tradeIns.first?.model == "RAV4")
        #expect(event.lead.partner == "Lakeshore Auto Group")
        #expect(event.intake.channel == .adf)
        #expect(event.intake.sourceLeadId?.hasPrefix("ExampleCars Marketplace:") == true)

        var latin1 = Array("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><adf><prospect><customer><contact><name part=\"full\">Jos".utf8)
        latin1 += [0xE9]
        latin1 += Array(" Mu\u{00F1}oz</name><email>\(unique("jose"))</email></contact></customer></prospect>".utf8)
        latin1 += Array("<prospect><customer><contact><name>Second Person</name><email>\(unique("second"))</email></contact></customer></prospect></adf>".utf8)
        let two = try await ingest.post("/v1/leads/adf", bytes: latin1, headers: ["x-api-key": key], contentType: "text/xml")
        #expect(two.status == 202, "\(two.text)")
        let leads = try #require(two.json["leads"] as? [[String: Any]])
        #expect(leads.count == 2)
        let first = try #require((leads[0]["leadId"] as? String).flatMap(LeadID.init))
        #expect(await ingest.receivedEvent(for: first)?.lead.fullName.first == "José")

        let firstOfBad = unique("all-or-nothing")
        let oneBad = "<adf><prospect><customer><contact><email>\(firstOfBad)</email></contact></customer></prospect><prospect><customer><contact><email>broken</email></contact></customer></prospect></adf>"
        let refused = try await ingest.post("/v1/leads/adf", oneBad, headers: ["x-api-key": key], contentType: "application/xml")
        #expect(refused.status == 422)
        #expect(refused.json["field"] as? String == "/adf/prospect[2]/customer/contact/email[1]")
        #expect(try await ingest.leadCount(containing: firstOfBad) == 0)
    }

    @Test("ADF: entity expansion and external entities are refused, nothing is stored", arguments: [
        """
        <?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
        <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">]>
        <adf><prospect><customer><contact><name>&lol2;</name><email>a@example.com</email></contact></customer></prospect></adf>
        """,
        """
        <?xml version="1.0" encoding="UTF-8"?><!DOCTYPE adf [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
        <adf><prospect><customer><contact><name>&xxe;</name><email>a@example.com</email></contact></customer></prospect></adf>
        """,
        """
        <?xml version="1.0"?><!DOCTYPE adf SYSTEM "http://127.0.0.1:9/evil.dtd"><adf><prospect/></adf>
        """,
        """
        <adf><prospect><customer><contact><name>&xxe;</name><email>a@example.com</email></contact></customer></prospect></adf>
        """,
    ])
    func xmlAttacks(document: String) async throws {
        let ingest = try await SharedIngest.get()
        let marker = "xml-\(UUID().uuidString.prefix(8).lowercased())"
        let response = try await ingest.post(
            "/v1/leads/adf", document.replacingOccurrences(of: "a@example.com", with: "\(marker)@example.com"), headers: ingest.admin,
            contentType: "application/xml")
        #expect(response.status == 400, "\(response.text)")
        let code = response.json["code"] as? String
        #expect(code == "xml_doctype_forbidden" || code == "xml_entity_forbidden")
        #expect(!response.text.contains("root:"))
        #expect(try await ingest.leadCount(containing: marker) == 0)
    }

    @Test("Google: the key is checked first, the answer is {}, test leads are flagged, re-deliveries change nothing")
    func google() async throws {
        let ingest = try await SharedIngest.get()
        let leadKey = "AVpf\(UUID().uuidString)"
        let body = Samples.google
            .replacingOccurrences(of: "AVpfmK3xT1f0rJmQk7Lz2w3YbN8cD5eFgH1", with: leadKey)
            .replacingOccurrences(of: "beatriz.ol@example.com", with: unique("beatriz"))
            .replacingOccurrences(of: "+16175550126", with: "+1617555\(Int.random(in: 1000...9999))")
        let wrong = try await ingest.post("/v1/webhooks/google", body, headers: [:])
        #expect(wrong.status == 401)
        #expect(wrong.json["code"] as? String == "invalid_api_key")
        let garbage = try await ingest.post("/v1/webhooks/google", "not json", headers: [:])
        #expect(garbage.status == 401)
        let signed = body.replacingOccurrences(of: #""google_key":"k""#, with: #""google_key":"\#(IngestHarness.googleKey)""#)
        let response = try await ingest.post("/v1/webhooks/google", signed, headers: [:])
        #expect(response.status == 200, "\(response.text)")
        #expect(response.text == "{}")
        let event = try #require(await ingest.received.wait { $0.contains { $0.received?.intake.sourceLeadId == leadKey } }
            .compactMap(\.received).first { $0.intake.sourceLeadId == leadKey })
        #expect(event.isTest)
        #expect(event.lead.source.channel == .google)
        #expect(event.lead.source.formId == "18811234567")
        #expect(event.lead.source.adId == "9007199254740993123")
        let again = try await ingest.post("/v1/webhooks/google", signed, headers: [:])
        #expect(again.status == 200)
        try await Task.sleep(for: .milliseconds(300))
        #expect(ingest.received.events.compactMap(\.received).filter { $0.intake.sourceLeadId == leadKey }.count == 1)
    }

    @Test("Meta: handshake, signature checked first, leads fetched from the Graph API with exact ids")
    func meta() async throws {
        let ingest = try await SharedIngest.get()
        let challenge = try await ingest.get("/v1/webhooks/meta?hub.mode=subscribe&hub.verify_token=\(IngestHarness.metaVerifyToken)&hub.challenge=1158201444")
        #expect(challenge.status == 200)
        #expect(challenge.text == "1158201444")
        let badToken = try await ingest.get("/v1/webhooks/meta?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1")
        #expect(badToken.status == 401)

        let leadgenId = "9\(Int.random(in: 100_000_000_000_000_000...999_999_999_999_999_999))"  // beyond 2^53
        let email = unique("ingrid")
        ingest.graph.register(leadgenId, .lead(Samples.metaLead
            .replacingOccurrences(of: "1187654321098765", with: leadgenId)
            .replacingOccurrences(of: "Ingrid.Solberg@example.com", with: email)
            .replacingOccurrences(of: "+16145550142", with: "+1614555\(Int.random(in: 1000...9999))")))
        let notification = #"{"object":"page","entry":[{"id":"104233876512345","time":1742389999,"changes":[{"value":{"ad_id":"120208765432100011","form_id":"987650001234567","leadgen_id":\#(leadgenId),"created_time":1742389995,"page_id":"104233876512345"},"field":"leadgen"},{"field":"feed","value":{}}]}]}"#
        let unsigned = try await ingest.post("/v1/webhooks/meta", notification, headers: [:])
        #expect(unsigned.status == 401)
        let forged = try await ingest.post("/v1/webhooks/meta", notification, headers: ["x-hub-signature-256": MetaSignature.header(body: Array(notification.utf8), secret: "wrong")])
        #expect(forged.status == 401)
        #expect(forged.json["code"] as? String == "invalid_signature")
        let signature = MetaSignature.header(body: Array(notification.utf8), secret: IngestHarness.metaSecret)
        let response = try await ingest.post("/v1/webhooks/meta", notification, headers: ["x-hub-signature-256": signature])
        #expect(response.status == 200, "\(response.text)")
        #expect(response.json["received"] as? Int == 1)
        let event = try #require(await ingest.received.wait { $0.contains { $0.received?.intake.sourceLeadId == leadgenId } }
            .compactMap(\.received).first { $0.intake.sourceLeadId == leadgenId })
        #expect(event.lead.contacts.emails.first?.address == email.lowercased())
        #expect(event.lead.source.channel == .meta)
        #expect(event.lead.source.campaignId == "120208765432100001")
        #expect(ingest.graph.authorizations.contains("Bearer \(IngestHarness.metaAccessToken)"))
        // The same notification again is acknowledged and fetches nothing new.
        let again = try await ingest.post("/v1/webhooks/meta", notification, headers: ["x-hub-signature-256": signature])
        #expect(again.json["queued"] as? Int == 0)
        #expect(ingest.graph.fetches(of: leadgenId) == 1)
    }

    @Test("Meta: a failing fetch is retried, then dead-lettered with the notice; a flaky one succeeds")
    func metaFailures() async throws {
        let ingest = try await SharedIngest.get()
        let failing = "7\(Int.random(in: 100_000_000_000...999_999_999_999))"
        let flaky = "8\(Int.random(in: 100_000_000_000...999_999_999_999))"
        ingest.graph.register(failing, .status(500))
        ingest.graph.register(flaky, .flaky(times: 2, lead: #"{"id":"\#(flaky)","field_data":[{"name":"email","values":["<test lead: dummy data for email>"]},{"name":"phone_number","values":["+1614555\#(Int.random(in: 1000...9999))"]}]}"#))
        let notification = #"{"object":"page","entry":[{"id":"1","time":1,"changes":[{"field":"leadgen","value":{"leadgen_id":"\#(failing)","page_id":"1"}},{"field":"leadgen","value":{"leadgen_id":"\#(flaky)","page_id":"1"}}]}]}"#
        let response = try await ingest.post("/v1/webhooks/meta", notification, headers: [
            "x-hub-signature-256": MetaSignature.header(body: Array(notification.utf8), secret: IngestHarness.metaSecret)])
        #expect(response.status == 200)
        let letters = await ingest.deadLetters.wait { $0.contains { $0.deadLetter?.originalKey == failing } }
        let letter = try #require(letters.compactMap(\.deadLetter).first { $0.originalKey == failing })
        #expect(letter.errorCode == "graph_fetch_failed")
        #expect(letter.attempts == 3)
        #expect(String(decoding: letter.originalValue ?? [], as: UTF8.self).contains(failing))
        #expect(ingest.graph.fetches(of: failing) == 3)
        let event = try #require(await ingest.received.wait { $0.contains { $0.received?.intake.sourceLeadId == flaky } }
            .compactMap(\.received).first { $0.intake.sourceLeadId == flaky })
        #expect(event.isTest)
    }

    @Test("leads.inbound: each format by content-type; bad messages are dead-lettered with their bytes")
    func topic() async throws {
        let ingest = try await SharedIngest.get()
        let jsonEmail = unique("topic-json")
        try await ingest.publishInbound(Array(#"{"externalId":"feed-\#(UUID())","email":"\#(jsonEmail)","name":"Topic Json"}"#.utf8),
                                        contentType: "application/json", headers: ["leadflow-source": "feed-a"])
        let bodySourceEmail = unique("topic-body-source")
        try await ingest.publishInbound(Array(#"{"sourceId":"feed-body","email":"\#(bodySourceEmail)"}"#.utf8), contentType: "application/json")
        let adfEmail = unique("topic-adf")
        try await ingest.publishInbound(Array("<adf><prospect><customer><contact><name>Topic Adf</name><email>\(adfEmail)</email></contact></customer></prospect></adf>".utf8),
                                        contentType: "application/xml")
        let googleKey = "g-\(UUID())"
        try await ingest.publishInbound(Array(#"{"lead_id":"\#(googleKey)","user_column_data":[{"column_id":"EMAIL","string_value":"\#(unique("topic-g"))"}]}"#.utf8),
                                        contentType: "application/vnd.google.lead+json")
        let metaId = "5\(Int.random(in: 100_000_000...999_999_999))"
        try await ingest.publishInbound(Array(#"{"id":"\#(metaId)","field_data":[{"name":"email","values":["\#(unique("topic-m"))"]}]}"#.utf8),
                                        contentType: "application/vnd.meta.lead+json")
        let events = await ingest.received.wait(timeout: .seconds(60)) { events in
            let received = events.compactMap(\.received)
            return received.contains { $0.lead.contacts.emails.first?.address == jsonEmail }
                && received.contains { $0.lead.contacts.emails.first?.address == adfEmail }
                && received.contains { $0.intake.sourceLeadId == googleKey }
                && received.contains { $0.intake.sourceLeadId == metaId }
                && received.contains { $0.lead.contacts.emails.first?.address == bodySourceEmail }
        }.compactMap(\.received)
        #expect(events.first { $0.lead.contacts.emails.first?.address == bodySourceEmail }?.intake.sourceId == "feed-body")
        #expect(events.first { $0.lead.contacts.emails.first?.address == adfEmail }?.intake.sourceId == "inbound")
        let json = try #require(events.first { $0.lead.contacts.emails.first?.address == jsonEmail })
        #expect(json.intake.channel == .topic)
        #expect(json.intake.sourceId == "feed-a")
        #expect(json.actor == Actor(id: "feed-a", role: .integrationSource))
        #expect(events.first { $0.lead.contacts.emails.first?.address == adfEmail }?.intake.rawContentType == "application/xml")

        let garbage: [UInt8] = [0x7B, 0xFF, 0xFE, 0x00, 0x7D]
        let marker = "bad-\(UUID())"
        try await ingest.publishInbound(garbage, contentType: "application/json", key: marker)
        try await ingest.publishInbound(Array("<!DOCTYPE x [<!ENTITY a 'b'>]><adf/>".utf8), contentType: "application/xml", key: marker + "-xml")
        try await ingest.publishInbound(Array("{}".utf8), contentType: "image/png", key: marker + "-png")
        try await ingest.publishInbound(Array(#"{"email":"nope"}"#.utf8), contentType: "application/json", key: marker + "-field")
        // A header that is there but not UTF-8 is refused, not read as absent (which would mean JSON / the default source).
        let valid = Array(#"{"email":"\#(unique("topic-bad-header"))"}"#.utf8)
        try await ingest.publishInbound(valid, contentType: nil, key: marker + "-type", rawHeaders: [KafkaHeader(key: "content-type", value: [0xFF, 0xFE])])
        try await ingest.publishInbound(valid, contentType: "application/json", key: marker + "-source",
                                        rawHeaders: [KafkaHeader(key: "leadflow-source", value: [0xC3, 0x28])])
        let letters = await ingest.deadLetters.wait(timeout: .seconds(60)) { events in
            let keys = Set(events.compactMap(\.deadLetter?.originalKey))
            return [marker, marker + "-xml", marker + "-png", marker + "-field", marker + "-type", marker + "-source"].allSatisfy(keys.contains)
        }.compactMap(\.deadLetter)
        let byKey = Dictionary(letters.map { ($0.originalKey ?? "", $0) }) { a, _ in a }
        #expect(byKey[marker]?.errorCode == "invalid_utf8")
        #expect(byKey[marker]?.originalValue == garbage)
        #expect(byKey[marker]?.stage == .ingest)
        #expect(byKey[marker + "-xml"]?.errorCode == "xml_doctype_forbidden")
        #expect(byKey[marker + "-png"]?.errorCode == "unsupported_media_type")
        #expect(byKey[marker + "-field"]?.errorCode == "invalid_field")
        #expect(byKey[marker + "-field"]?.originalHeaders["content-type"] == "application/json")
        #expect(byKey[marker + "-type"]?.errorCode == "invalid_header")
        #expect(byKey[marker + "-source"]?.errorCode == "invalid_header")
    }
}
