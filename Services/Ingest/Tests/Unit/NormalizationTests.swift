import Foundation
import LeadModel
import Testing
@testable import LeadIngest

@Suite("Normalization: phones, e-mails, postal codes, amounts, dates")
struct NormalizationTests {
    let us = PhoneNormalizer(defaultRegion: "US")

    @Test("NANP numbers in every common notation become the same E.164", arguments: [
        "(614) 555-0137", "614-555-0137", "614.555.0137", "6145550137", "+1 614 555 0137", "1-614-555-0137",
        "+16145550137", "001 614 555 0137", "tel:+1-614-555-0137", "614 555 0137 ext. 12", "(614) 555-0137 x99",
    ])
    func nanp(raw: String) throws {
        #expect(try us.e164(raw) == "+16145550137")
    }

    @Test("international numbers keep their country; the trunk zero goes")
    func international() throws {
        #expect(try us.e164("+44 (0)20 7946 0958") == "+442079460958")
        #expect(try us.e164("+44 20 7946 0958") == "+442079460958")
        #expect(try us.e164("0049 30 901820") == "+4930901820")
        #expect(try PhoneNormalizer(defaultRegion: "GB").e164("020 7946 0958") == "+442079460958")
        #expect(try PhoneNormalizer(defaultRegion: "DE").e164("030 901820") == "+4930901820")
        #expect(try PhoneNormalizer(defaultRegion: "FR").e164("01 23 45 67 89") == "+33123456789")
        #expect(try us.e164("+33 1 23 45 67 89") == "+33123456789")
    }

    @Test("numbers that cannot be placed keep only their raw text; non-numbers are refused")
    func unplaceable() throws {
        #expect(try us.e164("555-0137") == nil)  // no area code
        #expect(try us.e164("(114) 555-0137") == nil)  // area codes never start with 1
        #expect(throws: PhoneNormalizer.Failure.self) { try us.e164("call me maybe") }
        #expect(throws: PhoneNormalizer.Failure.self) { try us.e164("12") }
        #expect(throws: PhoneNormalizer.Failure.self) { try us.e164("1234567890123456789") }
        #expect(throws: PhoneNormalizer.Failure.self) { try us.e164("'; DROP TABLE leads;--") }
    }

    @Test("e-mails are trimmed and lower-cased; malformed ones are refused")
    func emails() {
        #expect(EmailNormalizer.normalize("  Dana.Whitfield@Example.COM ") == "dana.whitfield@example.com")
        #expect(EmailNormalizer.normalize("mailto:a+tag@example.co.uk") == "a+tag@example.co.uk")
        #expect(EmailNormalizer.normalize("<bob@example.org>") == "bob@example.org")
        for bad in ["", "plain", "a@b", "a@@b.com", "a@b..com", ".a@b.com", "a.@b.com", "a b@c.com", "a@-b.com",
                    "a@b.c", "<script>@x.com", "x@" + String(repeating: "a", count: 300) + ".com"] {
            #expect(EmailNormalizer.normalize(bad) == nil, "\(bad)")
        }
    }

    @Test("postal codes in their country's form")
    func postalCodes() {
        #expect(PostalCodeNormalizer.normalize(" 43215 ", country: "US") == "43215")
        #expect(PostalCodeNormalizer.normalize("432151234", country: "US") == "43215-1234")
        #expect(PostalCodeNormalizer.normalize("2134", country: "US") == "02134")
        #expect(PostalCodeNormalizer.normalize("k1a0b1", country: "CA") == "K1A 0B1")
        #expect(PostalCodeNormalizer.normalize("sw1a1aa", country: "GB") == "SW1A 1AA")
        #expect(PostalCodeNormalizer.normalize("10115", country: "DE") == "10115")
        #expect(PostalCodeNormalizer.normalize("ABCDE", country: "US") == nil)
        #expect(PostalCodeNormalizer.normalize("1A1 A1A", country: "CA") == nil)
        #expect(PostalCodeNormalizer.normalize("<b>", country: "FR") == nil)
    }

    @Test("amounts are exact with an ISO currency")
    func amounts() throws {
        let parser = AmountParser(defaultCurrency: "USD")
        #expect(try parser.parse("$51,995.00") == Money(amount: Decimal(string: "51995.00")!, currency: "USD"))
        #expect(try parser.parse("51995") == Money(amount: 51995, currency: "USD"))
        #expect(try parser.parse("EUR 1.234,50") == Money(amount: Decimal(string: "1234.50")!, currency: "EUR"))
        #expect(try parser.parse("17 500 €") == Money(amount: 17500, currency: "EUR"))
        #expect(try parser.parse("£ 12,50") == Money(amount: Decimal(string: "12.50")!, currency: "GBP"))
        #expect(try parser.parse("2495", currency: "cad") == Money(amount: 2495, currency: "CAD"))
        #expect(try parser.parse("1.234.567") == Money(amount: 1_234_567, currency: "USD"))
        #expect(throws: AmountParser.Failure.self) { try parser.parse("-5") }
        #expect(throws: AmountParser.Failure.self) { try parser.parse("lots") }
        #expect(throws: AmountParser.Failure.self) { try parser.parse("1e9") }
        #expect(throws: AmountParser.Failure.self) { try parser.parse("12", currency: "dollars") }
    }

    @Test("timestamps in the senders' notations become UTC instants")
    func dates() {
        let expected = LeadflowJSON.parseDate("2025-03-14T14:12:44Z")!
        #expect(DateParser.parse("2025-03-14T09:12:44-05:00") == expected)
        #expect(DateParser.parse("2025-03-14T14:12:44Z") == expected)
        #expect(DateParser.parse("2025-03-14T16:12:44+0200") == expected)
        #expect(DateParser.parse("2025-03-14 14:12:44") == expected)
        #expect(DateParser.parse("1741961564") == expected)
        #expect(DateParser.parse("1741961564000") == expected)
        #expect(DateParser.parse("2025-03-14T14:12:44.250Z") == expected.addingTimeInterval(0.25))
        #expect(DateParser.parse("03/14/2025") == LeadflowJSON.parseDate("2025-03-14T00:00:00Z"))
        #expect(DateParser.parse("2025-02-30") == nil)
        #expect(DateParser.parse("yesterday") == nil)
        #expect(DateParser.parse("2025-03-14T25:00:00Z") == nil)
    }

    @Test("timeframes fall into buckets from words or dates")
    func timeframes() {
        let now = Date()
        #expect(TimeframeClassifier.bucket(description: "Within 1 month", earliest: nil, latest: nil, reference: now) == .withinMonth)
        #expect(TimeframeClassifier.bucket(description: "Within 2 weeks", earliest: nil, latest: nil, reference: now) == .withinMonth)
        #expect(TimeframeClassifier.bucket(description: "ASAP", earliest: nil, latest: nil, reference: now) == .immediate)
        #expect(TimeframeClassifier.bucket(description: "3-6 months", earliest: nil, latest: nil, reference: now) == .later)
        #expect(TimeframeClassifier.bucket(description: "I don't know", earliest: nil, latest: nil, reference: now) == .unknown)
        #expect(TimeframeClassifier.bucket(description: nil, earliest: nil, latest: now.addingTimeInterval(5 * 86_400), reference: now) == .withinWeek)
    }
}
