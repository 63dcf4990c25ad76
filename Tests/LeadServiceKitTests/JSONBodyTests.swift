import Foundation
import LeadServiceKit
import Testing

@Suite("JSON request bodies: limits and problems")
struct JSONBodyTests {
    struct Payload: Decodable {
        struct Inner: Decodable { var count: Int }
        var name: String
        var inner: Inner
        var tags: [String]?
    }

    func problem(_ text: [UInt8], limits: JSONBodyLimits = JSONBodyLimits()) -> Problem? {
        do {
            _ = try JSONBody.decode(Payload.self, from: text, limits: limits)
            return nil
        } catch let problem as Problem {
            return problem
        } catch {
            return nil
        }
    }

    @Test("a valid body decodes")
    func valid() throws {
        let payload = try JSONBody.decode(Payload.self, from: Array(#"{"name":"x","inner":{"count":2},"tags":["a"]}"#.utf8))
        #expect(payload.inner.count == 2)
    }

    @Test("each kind of bad body gets its own code, field and rule")
    func problems() {
        #expect(problem([0xC3, 0x28])?.code == "invalid_utf8")
        #expect(problem(Array("not json".utf8))?.code == "invalid_json")
        let missing = problem(Array(#"{"name":"x","inner":{}}"#.utf8))
        #expect(missing?.code == "invalid_field" && missing?.field == "/inner/count" && missing?.rule == "required")
        let wrongType = problem(Array(#"{"name":"x","inner":{"count":"two"}}"#.utf8))
        #expect(wrongType?.field == "/inner/count" && wrongType?.rule == "type" && wrongType?.statusCode == 422)
        let deep = Array((String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000)).utf8)
        #expect(problem(deep)?.code == "too_deeply_nested")
        // Brackets inside strings do not count as nesting.
        let quoted = Array(#"{"name":"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[","inner":{"count":1}}"#.utf8)
        #expect(problem(quoted, limits: JSONBodyLimits(maxDepth: 3)) == nil)
    }

    @Test("JSON pointers escape ~ and /")
    func pointers() {
        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int?
            init(stringValue: String) { self.stringValue = stringValue }
            init(intValue: Int) { self.stringValue = "\(intValue)"; self.intValue = intValue }
        }
        #expect(JSONBody.pointer([Key(stringValue: "a/b"), Key(intValue: 3), Key(stringValue: "c~d")]) == "/a~1b/3/c~0d")
    }
}
