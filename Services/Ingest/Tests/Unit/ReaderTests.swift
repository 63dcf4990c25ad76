import Foundation
import Testing
@testable import LeadIngest

@Suite("Exact JSON and safe XML readers")
struct ReaderTests {
    @Test("numbers keep their digits: ids beyond 2^53 are exact")
    func exactNumbers() throws {
        let value = try JSONReader().parse(Array(#"{"leadgen_id": 1187654321098765432, "x": -1.50e3}"#.utf8))
        #expect(value.object?["leadgen_id"]?.idText == "1187654321098765432")
        #expect(value.object?["x"] == .number("-1.50e3"))
    }

    @Test("strings decode escapes and surrogate pairs; keys keep order")
    func strings() throws {
        let value = try JSONReader().parse(Array(#"{"b":"a\"b\\c\u00e9\ud83d\ude97\n","a":1}"#.utf8))
        #expect(value.object?["b"]?.string == "a\"b\\cé🚗\n")
        #expect(value.object?.keys == ["b", "a"])
    }

    @Test("hostile JSON is refused with a stable code", arguments: [
        (#"{"a":1,"a":2}"#, "duplicate_key"),
        (String(repeating: "[", count: 100) + String(repeating: "]", count: 100), "too_deeply_nested"),
        (#"{"a":"\ud800"}"#, "invalid_json"),
        (#"{"a":01}"#, "invalid_json"),
        (#"{"a":1,}"#, "invalid_json"),
        ("{\"a\":\"x\u{01}\"}", "invalid_json"),
        (#"{"a":1} trailing"#, "invalid_json"),
        ("", "invalid_json"),
        ("NaN", "invalid_json"),
    ])
    func hostileJSON(input: String, code: String) {
        #expect {
            _ = try JSONReader(maxDepth: 32).parse(Array(input.utf8))
        } throws: { ($0 as? JSONParseError)?.code == code }
    }

    @Test("invalid UTF-8 is refused")
    func invalidUTF8() {
        #expect { _ = try JSONReader().parse([0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0xC3, 0x28, 0x22, 0x7D]) } throws: {
            ($0 as? JSONParseError)?.code == "invalid_utf8"
        }
    }

    @Test("XML: names lower-cased, prefixes dropped, CDATA kept verbatim, predefined entities decoded")
    func xmlBasics() throws {
        let xml = """
            <?xml version="1.0"?>
            <!-- a comment -->
            <ADF xmlns:x="urn:x"><Prospect STATUS = 'new'><x:Customer><Comments><![CDATA[<b>5 < 6 & "quotes"</b>]]></Comments>
            <name part=first>Tom &amp; Jerry &#233;&#x263A; R&D</name></x:Customer></Prospect></ADF>
            """
        let root = try XMLReader().parse(Array(xml.utf8))
        #expect(root.name == "adf")
        let prospect = try #require(root.first("prospect"))
        #expect(prospect.attribute("status") == "new")
        let customer = try #require(prospect.first("customer"))
        #expect(customer.first("comments")?.text == #"<b>5 < 6 & "quotes"</b>"#)
        #expect(customer.first("name")?.text == "Tom & Jerry é☺ R&D")
        #expect(customer.first("name")?.attribute("part") == "first")
    }

    @Test("XML: DOCTYPE, entity declarations and undeclared entities are refused, never expanded", arguments: [
        ("<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;\">]><adf>&lol2;</adf>", "xml_doctype_forbidden"),
        ("<?xml version=\"1.0\"?><!DOCTYPE adf SYSTEM \"file:///etc/passwd\"><adf/>", "xml_doctype_forbidden"),
        ("<adf><!ENTITY xxe SYSTEM \"http://evil/\"></adf>", "xml_doctype_forbidden"),
        ("<adf><prospect>&xxe;</prospect></adf>", "xml_entity_forbidden"),
        ("<adf a=\"&ext;\"/>", "xml_entity_forbidden"),
        ("<adf><prospect></adf>", "invalid_xml"),
        ("<adf>", "invalid_xml"),
        ("<?xml version=\"1.0\" encoding=\"EBCDIC\"?><adf/>", "unsupported_encoding"),
        ("<adf>&#0;</adf>", "invalid_xml"),
        (String(repeating: "<a>", count: 100) + String(repeating: "</a>", count: 100), "xml_too_complex"),
    ])
    func hostileXML(input: String, code: String) {
        #expect { _ = try XMLReader().parse(Array(input.utf8)) } throws: { ($0 as? XMLReadError)?.code == code }
    }

    @Test("XML: ISO-8859-1 is decoded as declared; UTF-8 bytes mislabeled as Latin-1 are read as UTF-8")
    func encodings() throws {
        var latin1 = Array("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><adf><n>Jos".utf8)
        latin1 += [0xE9]  // é in Latin-1
        latin1 += Array("</n></adf>".utf8)
        #expect(try XMLReader().parse(latin1).first("n")?.text == "José")
        let mislabeled = Array("<?xml version='1.0' encoding='iso-8859-1'?><adf><n>Müller</n></adf>".utf8)
        #expect(try XMLReader().parse(mislabeled).first("n")?.text == "Müller")
        var badUTF8 = Array("<adf><n>".utf8)
        badUTF8 += [0xFF, 0xFE, 0x41]
        badUTF8 += Array("</n></adf>".utf8)
        #expect { _ = try XMLReader().parse(badUTF8) } throws: { ($0 as? XMLReadError)?.code == "invalid_encoding" }
        let bom = [0xEF, 0xBB, 0xBF] + Array("<adf><n>x</n></adf>".utf8)
        #expect(try XMLReader().parse(bom).first("n")?.text == "x")
    }

    @Test("CSV: quotes, embedded line breaks, CRLF, BOM, in any chunking")
    func csv() throws {
        let text = "\u{FEFF}email,name,comments\r\n\"a@x.com\",\"Smith, Jo\",\"line1\nline2 \"\"quoted\"\"\"\r\nb@x.com,Bo,\n\nc@x.com,,last"
        let bytes = Array(text.utf8)
        for chunk in [1, 2, 7, 1000] {
            var parser = CSVParser()
            var rows: [CSVParser.Row] = []
            var index = 0
            while index < bytes.count {
                rows += try parser.feed(bytes[index..<min(index + chunk, bytes.count)])
                index += chunk
            }
            rows += try parser.finish()
            let decoded = rows.map { $0.fields.map { String(decoding: $0, as: UTF8.self) } }
            #expect(decoded == [
                ["email", "name", "comments"],
                ["a@x.com", "Smith, Jo", "line1\nline2 \"quoted\""],
                ["b@x.com", "Bo", ""],
                ["c@x.com", "", "last"],
            ], "chunk \(chunk)")
            #expect(rows.map(\.line) == [1, 2, 4, 6], "chunk \(chunk)")
        }
    }

    @Test("CSV: rows are capped and unterminated quotes are reported")
    func csvLimits() throws {
        var parser = CSVParser(maxRowBytes: 100)
        #expect(throws: CSVParser.Failure.self) { _ = try parser.feed(Array(String(repeating: "x", count: 200).utf8)) }
        var quoted = CSVParser()
        _ = try quoted.feed(Array("a,\"open".utf8))
        #expect { _ = try quoted.finish() } throws: { ($0 as? CSVParser.Failure)?.code == "csv_unterminated_quote" }
    }
}
