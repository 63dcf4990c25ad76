import Foundation
import LeadModel
import Testing
@testable import LeadIngest

@Suite("Intake formats map to normalized leads")
struct FormatTests {
    let builder = LeadBuilder()
    let now = Date(timeIntervalSince1970: 1_742_400_000)

    func lead(_ submission: LeadSubmission, channel: IntakeChannel = .adf) throws -> Lead {
        try builder.build(submission, source: LeadSource(id: "src", channel: channel), receivedAt: now)
    }

    @Test("the minimal ADF sample")
    func adfMinimal() throws {
        let submissions = try ADFFormat.read(try XMLReader().parse(Array(Samples.adfMinimal.utf8)))
        #expect(submissions.count == 1)
        let lead = try lead(submissions[0])
        #expect(lead.fullName == PersonName(first: "Dana", last: "Whitfield"))
        #expect(lead.contacts.emails.map(\.address) == ["dana.whitfield@example.com"])
        #expect(lead.vehiclesOfInterest.first?.make == "Honda")
        #expect(lead.vehiclesOfInterest.first?.year == 2024)
        #expect(lead.partner == "Lakeshore Auto Group")
        #expect(submissions[0].submittedAt?.text == "2025-03-14T09:12:44-05:00")
    }

    @Test("the full ADF sample: vehicle, trade-in, contact, timeframe, vendor and provider")
    func adfFull() throws {
        let submission = try ADFFormat.read(try XMLReader().parse(Array(Samples.adfFull.utf8)))[0]
        #expect(submission.sourceLeadId?.text == "ExampleCars Marketplace:ECM-2025-0318-77412")
        let lead = try lead(submission)
        #expect(lead.fullName.full == "Marcus J. Okafor")
        #expect(lead.contacts.emails == [EmailAddress(address: "marcus.okafor@example.com", type: .other, preferred: true)])
        #expect(lead.contacts.phones.map(\.e164) == ["+16145550137", "+16145550188"])
        #expect(lead.contacts.phones.first?.type == .mobile)
        #expect(lead.contacts.address == Address(lines: ["2217 Sycamore Bend Dr", "Unit 4"], city: "Columbus", region: "OH", postalCode: "43215", country: "US"))
        let vehicle = try #require(lead.preferredVehicle)
        #expect(vehicle.vin == "1C4RJXF6XRC150928")
        #expect(vehicle.price == Money(amount: 51995, currency: "USD"))  // the offer, not the MSRP
        #expect(vehicle.kind == .inventory)
        #expect(vehicle.vehicleType == "suv")
        #expect(vehicle.mileage == 14)
        #expect(lead.tradeIns == [TradeIn(year: 2019, make: "Toyota", model: "RAV4", vin: "JTMW1RFV6KD013376", mileage: 68210,
                                          condition: .good, valuation: Money(amount: 17500, currency: "USD"))])
        #expect(lead.timeframe?.bucket == .withinMonth)
        #expect(lead.lifecycleStage == .quote)
        #expect(lead.source.partner == "ExampleCars Marketplace")
        #expect(lead.partner == "Lakeshore Auto Group")
        #expect(lead.customFields["adf.vendor_id"] == .string("DLR-30412"))
        #expect(lead.customFields["adf.finance_method"] == .string("finance"))
        #expect(lead.comments == "Please text before calling.")
    }

    @Test("several prospects, odd case and whitespace as seen in the wild")
    func adfWild() throws {
        let xml = """
            <?XML version="1.0" encoding="iso-8859-1"?>
            <ADF>
             <PROSPECT><CUSTOMER><CONTACT><NAME PART="full">  Ana   Lima  </NAME><EMAIL> ANA@EXAMPLE.COM </EMAIL></CONTACT></CUSTOMER></PROSPECT>
             <Prospect><Customer><Contact><Name>Bo</Name><Phone Type="Cellphone">614 555 0199</Phone></Contact></Customer></Prospect>
            </ADF>
            """
        let submissions = try ADFFormat.read(try XMLReader().parse(Array(xml.utf8)))
        let leads = try submissions.map { try lead($0) }
        #expect(leads.map(\.fullName.full) == ["Ana Lima", "Bo"])
        #expect(leads[0].fullName == PersonName(first: "Ana", last: "Lima"))
        #expect(leads[0].contacts.emails.first?.address == "ana@example.com")
        #expect(leads[1].contacts.phones.first?.e164 == "+16145550199")
    }

    @Test("ADF without prospects or with another root is refused")
    func adfRefused() throws {
        #expect { _ = try ADFFormat.read(try XMLReader().parse(Array("<adf/>".utf8))) } throws: {
            ($0 as? IntakeRejection)?.first.code == "no_prospect"
        }
        #expect { _ = try ADFFormat.read(try XMLReader().parse(Array("<lead/>".utf8))) } throws: {
            ($0 as? IntakeRejection)?.first.code == "not_adf"
        }
    }

    @Test("the Meta Graph lead: fields, attribution, consent, exact ids")
    func meta() throws {
        let submission = try MetaFormat.lead(try JSONReader().parse(Array(Samples.metaLead.utf8)))
        let lead = try lead(submission, channel: .meta)
        #expect(submission.sourceLeadId?.text == "1187654321098765")
        #expect(lead.fullName == PersonName(first: "Ingrid", last: "Solberg"))
        #expect(lead.contacts.emails.first?.address == "ingrid.solberg@example.com")
        #expect(lead.contacts.phones.first?.e164 == "+16145550142")
        #expect(lead.contacts.address?.postalCode == "43215")
        #expect(lead.source.campaignId == "120208765432100001")
        #expect(lead.source.formId == "987650001234567")
        #expect(lead.vehiclesOfInterest.first?.model == "CR-V Hybrid")
        #expect(lead.consent?.marketing == true)
        #expect(lead.customFields["meta.consent.optional_1"] == .bool(true))
        #expect(!lead.isTest)
    }

    @Test("Meta test leads are flagged; notifications yield leadgen ids only, exact")
    func metaNotices() throws {
        let test = #"{"id":"1","field_data":[{"name":"email","values":["<test lead: dummy data for email>"]}]}"#
        let testLead = try MetaFormat.lead(try JSONReader().parse(Array(test.utf8)))
        #expect(testLead.isTest)
        #expect(testLead.emails.isEmpty)
        #expect(try lead(testLead, channel: .meta).isTest)  // accepted without real contact data
        let notification = """
            {"object":"page","entry":[{"id":"104233876512345","time":1742389999,"changes":[
              {"field":"leadgen","value":{"leadgen_id":11876543210987654321,"page_id":104233876512345,"form_id":"987650001234567","created_time":1742389995}},
              {"field":"feed","value":{"item":"status"}},
              {"field":"leadgen","value":{"leadgen_id":"222","page_id":"104233876512345"}}]}]}
            """
        let notices = try MetaFormat.notices(try JSONReader().parse(Array(notification.utf8)))
        #expect(notices.map(\.leadgenId) == ["11876543210987654321", "222"])
        #expect(notices[0].pageId == "104233876512345")
        #expect(try MetaFormat.notices(try JSONReader().parse(Array(#"{"object":"instagram","entry":[]}"#.utf8))).isEmpty)
    }

    @Test("the Google delivery: columns, custom questions, test flag, exact 64-bit ids")
    func google() throws {
        let document = try GoogleFormat.read(try JSONReader().parse(Array(Samples.google.utf8)))
        #expect(document.googleKey == "k")
        let lead = try lead(document.submission, channel: .google)
        #expect(lead.fullName == PersonName(first: "Beatriz", last: "Okonkwo-Lindgren"))
        #expect(lead.contacts.address?.postalCode == "02134")
        #expect(lead.source.formId == "18811234567")
        #expect(lead.source.adId == "9007199254740993123")
        #expect(lead.isTest)
        #expect(lead.customFields["google.Preferred dealership"] == .string("Back Bay"))
        #expect(lead.vehiclesOfInterest.first?.model == "Tucson Hybrid")
        #expect(lead.timeframe?.bucket == .withinMonth)
    }

    @Test("generic JSON: every field, and refusals that name the field and rule")
    func genericJSON() throws {
        let json = """
            {"externalId": 9007199254740993, "name": {"first": " Jo ", "last": "Park"}, "email": "JO@EXAMPLE.COM",
             "phones": [{"number": "614-555-0100", "type": "mobile", "preferred": true}, "614.555.0100"],
             "vehicles": [{"year": "2023", "make": "Ford", "model": "F-150", "bodyStyle": "Pickup", "price": {"amount": 45000.50, "currency": "usd"}}],
             "budget": {"max": "$50,000"}, "lifecycleStage": "quote", "customFields": {"big": 123456789012345678901, "n": 1.5, "tags": ["a", true]},
             "attribution": {"campaignId": 21987654321}, "comments": "Robert'); DROP TABLE leads;-- {{7*7}} <script>x</script>"}
            """
        let document = try GenericLeadDocument.read(try JSONReader().parse(Array(json.utf8)))
        #expect(document.submission.sourceLeadId?.text == "9007199254740993")
        let lead = try lead(document.submission, channel: .json)
        #expect(lead.fullName == PersonName(first: "Jo", last: "Park"))
        #expect(lead.contacts.phones.count == 1)  // the same number twice is kept once
        #expect(lead.vehiclesOfInterest.first?.vehicleType == "truck")
        #expect(lead.vehiclesOfInterest.first?.price == Money(amount: Decimal(string: "45000.50")!, currency: "USD"))
        #expect(lead.budget?.max == Money(amount: 50000, currency: "USD"))
        #expect(lead.customFields["big"] == .string("123456789012345678901"))
        #expect(lead.customFields["tags"] == .list([.string("a"), .bool(true)]))
        #expect(lead.source.campaignId == "21987654321")
        #expect(lead.comments == "Robert'); DROP TABLE leads;-- {{7*7}} <script>x</script>")

        let bad = #"{"emails": ["nope"], "phones": [{"number": "x"}], "name": 5, "unknown": 1, "vehicles": [{"vin": "short"}]}"#
        let rejection = #expect(throws: IntakeRejection.self) {
            let document = try GenericLeadDocument.read(try JSONReader().parse(Array(bad.utf8)))
            _ = try self.lead(document.submission)
        }
        let fields = Set((rejection?.violations ?? []).map { "\($0.field ?? "") \($0.rule ?? "")" })
        #expect(fields.contains("/unknown unknown_field"))
        #expect(fields.contains("/name type"))
    }

    @Test("builder violations: contact required, control characters, length caps, bad values")
    func builderViolations() throws {
        var s = LeadSubmission()
        s.fullName = FieldText("No Contact", at: "/name")
        #expect { try lead(s) } throws: { ($0 as? IntakeRejection)?.first.code == "contact_required" }

        s.emails = [.init(address: FieldText("a@example.com", at: "/email"))]
        s.comments = FieldText("nul\u{0}byte", at: "/comments")
        #expect { try lead(s) } throws: { ($0 as? IntakeRejection)?.first.rule == "control_characters" }

        s.comments = FieldText(String(repeating: "x", count: 5001), at: "/comments")
        #expect { try lead(s) } throws: { ($0 as? IntakeRejection)?.first.rule == "max_length" }

        s.comments = FieldText("line one\nline two", at: "/comments")
        s.submittedAt = FieldText("not a date", at: "/submittedAt")
        #expect { try lead(s) } throws: { ($0 as? IntakeRejection)?.first.field == "/submittedAt" }

        s.submittedAt = nil
        s.address = AddressDraft()
        s.address?.postalCode = FieldText("ABCDE", at: "/address/postalCode")
        #expect { try lead(s) } throws: { ($0 as? IntakeRejection)?.first.rule == "postal_code" }

        s.address?.postalCode = FieldText("43215", at: "/address/postalCode")
        s.address?.country = FieldText("Narnia", at: "/address/country")
        #expect { try lead(s) } throws: { ($0 as? IntakeRejection)?.first.rule == "country" }

        s.address = nil
        let accepted = try lead(s)
        #expect(accepted.comments == "line one\nline two")
    }

    @Test("CSV rows map through loose header names; unknown columns become custom fields")
    func csvRows() throws {
        let format = try CSVLeadFormat(header: ["Lead ID", "First Name", "LAST_NAME", "E-mail", "Cell Phone", "Zip", "Favourite colour"])
        let submission = format.submission(["L-1", "Ana", "Lima", "Ana@X.com", "6145550100", "2134", "teal"], row: 1)
        let lead = try lead(submission, channel: .csv)
        #expect(submission.sourceLeadId?.text == "L-1")
        #expect(lead.contacts.emails.first?.address == "ana@x.com")
        #expect(lead.contacts.phones.first?.type == .mobile)
        #expect(lead.contacts.address?.postalCode == "02134")
        #expect(lead.customFields["Favourite colour"] == .string("teal"))
        #expect(throws: IntakeRejection.self) { _ = try CSVLeadFormat(header: ["name", "city"]) }
        #expect(throws: IntakeRejection.self) { _ = try CSVLeadFormat(header: ["email", "Email"]) }
    }
}
