import Foundation
import LeadModel
import Testing
@testable import LeadScoring

@Suite("Rules documents: defaults, partial documents, validation")
struct RulesValidatorTests {
    func decode(_ json: String) throws -> ScoringRules {
        try LeadflowJSON.decode(ScoringRules.self, from: Array(json.utf8))
    }

    @Test("the defaults are valid and survive a JSON round trip")
    func defaults() throws {
        #expect(RulesValidator.violations(of: .defaults).isEmpty)
        let json = try LeadflowJSON.encode(ScoringRules.defaults)
        #expect(try LeadflowJSON.decode(ScoringRules.self, from: json) == .defaults)
    }

    @Test("a partial document keeps the defaults for what it leaves out")
    func partial() throws {
        let rules = try decode(#"{"thresholds": {"hot": 70}, "negative": {"invalidPhone": -20}}"#)
        #expect(rules.thresholds.hot == 70 && rules.thresholds.medium == 30)
        #expect(rules.negative.invalidPhone == -20 && rules.negative.testLead == -100)
        #expect(rules.contact == ContactRules())
        #expect(try decode("{}") == .defaults)
    }

    @Test("each broken rule names its field and rule", arguments: [
        (#"{"thresholds": {"hot": 30, "medium": 30}}"#, "/thresholds/medium", "order"),
        (#"{"thresholds": {"hot": 101}}"#, "/thresholds/hot", "range"),
        (#"{"contact": {"email": -1}}"#, "/contact/email", "sign"),
        (#"{"contact": {"phone": 1000}}"#, "/contact/phone", "range"),
        (#"{"negative": {"testLead": 5}}"#, "/negative/testLead", "sign"),
        (#"{"intent": {"interest": {"teleport": 5}}}"#, "/intent/interest/teleport", "known_key"),
        (#"{"timeline": {"points": {"someday": 5}}}"#, "/timeline/points/someday", "known_key"),
        (#"{"source": {"byChannel": {"fax": 5}}}"#, "/source/byChannel/fax", "known_key"),
        (#"{"source": {"bySource": {"  ": 5}}}"#, "/source/bySource/  ", "not_empty"),
        (#"{"engagement": {"maxReplies": -1}}"#, "/engagement/maxReplies", "range"),
        (#"{"recency": {"graceDays": -2}}"#, "/recency/graceDays", "range"),
        (#"{"intent": {"pricingKeywords": ["price", " "]}}"#, "/intent/pricingKeywords/1", "not_empty"),
        (#"{"budget": {"minimumAmount": -5}}"#, "/budget/minimumAmount", "range"),
    ])
    func violations(json: String, field: String, rule: String) throws {
        let found = RulesValidator.violations(of: try decode(json))
        #expect(found.first?.field == field, "\(found)")
        #expect(found.first?.rule == rule, "\(found)")
    }

    @Test("unknown fields are refused, data keys of open tables are not")
    func unknownFields() throws {
        let document = try JSONSerialization.jsonObject(with: Data(#"""
            {"thresholds": {"hott": 70}, "source": {"bySource": {"src-any": 3}}, "colour": "red"}
            """#.utf8))
        let found = RulesValidator.unknownFields(in: document)
        #expect(found.map(\.field) == ["/colour", "/thresholds/hott"])
        #expect(found.allSatisfy { $0.rule == "unknown_field" })
    }

    @Test("too many keywords and overlong ones are refused")
    func keywordLimits() {
        var rules = ScoringRules.defaults
        rules.negative.duplicateKeywords = Array(repeating: "dup", count: 101)
        #expect(RulesValidator.violations(of: rules).first?.rule == "too_many")
        rules.negative.duplicateKeywords = [String(repeating: "a", count: 65)]
        #expect(RulesValidator.violations(of: rules).first?.field == "/negative/duplicateKeywords/0")
    }
}
