import Foundation

/// An element of an XML document: lower-cased local name, lower-cased attribute names, child
/// elements, and its own text (character data and CDATA, concatenated).
public struct XMLElement: Sendable, Hashable {
    /// Local name, lower-cased (`Prospect` and `ns:prospect` both read `prospect`).
    public var name: String
    /// Attributes by lower-cased local name; values as written (entities decoded).
    public var attributes: [String: String]
    /// Child elements in document order.
    public var children: [XMLElement]
    /// The element's own text.
    public var text: String

    /// The children called `name`.
    public func all(_ name: String) -> [XMLElement] { children.filter { $0.name == name } }

    /// The first child called `name`.
    public func first(_ name: String) -> XMLElement? { children.first { $0.name == name } }

    /// The value of attribute `name` (case-insensitive), trimmed; `nil` when absent or blank.
    public func attribute(_ name: String) -> String? {
        guard let value = attributes[name]?.trimmingWhitespace, !value.isEmpty else { return nil }
        return value
    }
}

/// Why a document was refused. Codes are the problem/dead-letter codes of the API.
public struct XMLReadError: Error, Sendable, Hashable, CustomStringConvertible {
    /// `invalid_xml`, `xml_doctype_forbidden`, `xml_entity_forbidden`, `unsupported_encoding`,
    /// `invalid_encoding` or `xml_too_complex`.
    public var code: String
    /// What is wrong and where (never quoting the input at length).
    public var message: String

    public var description: String { "\(code): \(message)" }
}

/// A small, strict-where-it-matters XML 1.0 reader for ADF documents from untrusted senders.
///
/// * Never expands or loads entities: any `<!DOCTYPE`, `<!ENTITY` or other markup declaration
///   refuses the document (`xml_doctype_forbidden`), and a reference to an entity other than
///   the five predefined ones and character references refuses it too (`xml_entity_forbidden`).
///   There is no network or file access at all.
/// * Decodes the encodings senders declare: UTF-8 (default), ISO-8859-1/Latin-1, Windows-1252
///   and US-ASCII; a document declared Latin-1 whose bytes are valid multi-byte UTF-8 is read
///   as UTF-8 (a common mislabeling).
/// * Lenient as real senders need: tag and attribute names in any case, namespace prefixes
///   dropped, unquoted attribute values, and a bare `&` in text kept as a literal.
/// * Bounded: nesting depth, element count and attributes per element are capped.
public struct XMLReader: Sendable {
    /// Deepest element nesting accepted.
    public var maxDepth: Int = 64
    /// Most elements accepted in one document.
    public var maxElements: Int = 100_000

    /// Creates a reader.
    public init() {}

    /// Parses `bytes` into its root element.
    public func parse(_ bytes: [UInt8]) throws(XMLReadError) -> XMLElement {
        let text = try Self.decode(bytes)
        var parser = Parser(scalars: Array(text.unicodeScalars), maxDepth: maxDepth, maxElements: maxElements)
        return try parser.document()
    }

    // MARK: Encoding

    static func decode(_ bytes: [UInt8]) throws(XMLReadError) -> String {
        var body = bytes[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
        if body.starts(with: [0xFF, 0xFE]) || body.starts(with: [0xFE, 0xFF]) || body.starts(with: [0x00, 0x3C]) || body.starts(with: [0x3C, 0x00]) {
            throw XMLReadError(code: "unsupported_encoding", message: "UTF-16 and UTF-32 documents are not accepted; send UTF-8 or ISO-8859-1")
        }
        let declared = declaredEncoding(body)?.lowercased()
        switch declared {
        case nil, "utf-8", "utf8":
            guard let text = String(validating: body, as: UTF8.self) else {
                throw XMLReadError(code: "invalid_encoding", message: "the document is not valid UTF-8")
            }
            return text
        case "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "latin-1", "l1", "iso-ir-100", "cp819",
             "windows-1252", "cp1252", "us-ascii", "ascii":
            if body.contains(where: { $0 >= 0x80 }), let text = String(validating: body, as: UTF8.self) {
                return text
            }
            if declared == "us-ascii" || declared == "ascii", body.contains(where: { $0 >= 0x80 }) {
                throw XMLReadError(code: "invalid_encoding", message: "the document declares US-ASCII but holds other bytes")
            }
            let windows = declared == "windows-1252" || declared == "cp1252"
            var scalars = String.UnicodeScalarView()
            for byte in body {
                if windows, (0x80...0x9F).contains(byte), let mapped = windows1252[byte] {
                    scalars.append(mapped)
                } else {
                    scalars.append(Unicode.Scalar(byte))
                }
            }
            return String(scalars)
        case let other?:
            throw XMLReadError(code: "unsupported_encoding", message: "the encoding '\(other.prefix(40))' is not supported; send UTF-8 or ISO-8859-1")
        }
    }

    /// The `encoding` pseudo-attribute of an XML declaration at the start, if any.
    static func declaredEncoding(_ body: ArraySlice<UInt8>) -> String? {
        var start = body.startIndex
        while start < body.endIndex, [0x20, 0x09, 0x0A, 0x0D].contains(body[start]) { start += 1 }
        let prefix = body[start...].prefix(5).map { Character(Unicode.Scalar($0)).lowercased() }.joined()
        guard prefix == "<?xml" else { return nil }
        guard let end = body[start...].firstIndex(of: UInt8(ascii: ">")), end - start < 400 else { return nil }
        let declaration = String(decoding: body[start..<end], as: UTF8.self)
        guard let range = declaration.range(of: "encoding", options: .caseInsensitive) else { return nil }
        var rest = declaration[range.upperBound...].drop { $0 == " " || $0 == "\t" }
        guard rest.first == "=" else { return nil }
        rest = rest.dropFirst().drop { $0 == " " || $0 == "\t" }
        guard let quote = rest.first, quote == "\"" || quote == "'" else { return nil }
        let value = rest.dropFirst().prefix { $0 != quote }
        return String(value).trimmingWhitespace
    }

    static let windows1252: [UInt8: Unicode.Scalar] = [
        0x80: "\u{20AC}", 0x82: "\u{201A}", 0x83: "\u{0192}", 0x84: "\u{201E}", 0x85: "\u{2026}", 0x86: "\u{2020}",
        0x87: "\u{2021}", 0x88: "\u{02C6}", 0x89: "\u{2030}", 0x8A: "\u{0160}", 0x8B: "\u{2039}", 0x8C: "\u{0152}",
        0x8E: "\u{017D}", 0x91: "\u{2018}", 0x92: "\u{2019}", 0x93: "\u{201C}", 0x94: "\u{201D}", 0x95: "\u{2022}",
        0x96: "\u{2013}", 0x97: "\u{2014}", 0x98: "\u{02DC}", 0x99: "\u{2122}", 0x9A: "\u{0161}", 0x9B: "\u{203A}",
        0x9C: "\u{0153}", 0x9E: "\u{017E}", 0x9F: "\u{0178}",
    ]

    // MARK: Parsing

    private struct Parser {
        let scalars: [Unicode.Scalar]
        let maxDepth: Int
        let maxElements: Int
        var index = 0
        var elementCount = 0

        init(scalars: [Unicode.Scalar], maxDepth: Int, maxElements: Int) {
            self.scalars = scalars
            self.maxDepth = maxDepth
            self.maxElements = maxElements
        }

        func error(_ message: String, code: String = "invalid_xml") -> XMLReadError {
            XMLReadError(code: code, message: "\(message) (at character \(index))")
        }

        var atEnd: Bool { index >= scalars.count }

        func peek(_ offset: Int = 0) -> Unicode.Scalar? {
            index + offset < scalars.count ? scalars[index + offset] : nil
        }

        func starts(with text: String, caseInsensitive: Bool = false) -> Bool {
            var offset = 0
            for scalar in text.unicodeScalars {
                guard let current = peek(offset) else { return false }
                if caseInsensitive {
                    guard Character(current).lowercased() == Character(scalar).lowercased() else { return false }
                } else if current != scalar {
                    return false
                }
                offset += 1
            }
            return true
        }

        mutating func skipWhitespace() {
            while let scalar = peek(), scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r" { index += 1 }
        }

        /// Skips comments, processing instructions and whitespace; refuses declarations.
        mutating func skipMisc() throws(XMLReadError) {
            while true {
                skipWhitespace()
                if starts(with: "<!--") {
                    try skipComment()
                } else if starts(with: "<?") {
                    try skipProcessingInstruction()
                } else if starts(with: "<!") {
                    throw forbiddenDeclaration()
                } else {
                    return
                }
            }
        }

        func forbiddenDeclaration() -> XMLReadError {
            let entity = starts(with: "<!ENTITY", caseInsensitive: true)
            return error(
                entity
                    ? "entity declarations are not accepted: Leadflow never expands or loads entities"
                    : "document type declarations (<!DOCTYPE …>) are not accepted: Leadflow never expands or loads entities",
                code: "xml_doctype_forbidden")
        }

        mutating func skipComment() throws(XMLReadError) {
            index += 4
            while !atEnd {
                if starts(with: "-->") {
                    index += 3
                    return
                }
                index += 1
            }
            throw error("unterminated comment")
        }

        mutating func skipProcessingInstruction() throws(XMLReadError) {
            index += 2
            while !atEnd {
                if starts(with: "?>") {
                    index += 2
                    return
                }
                index += 1
            }
            throw error("unterminated processing instruction")
        }

        mutating func document() throws(XMLReadError) -> XMLElement {
            try skipMisc()
            guard peek() == "<" else { throw error("the document has no root element") }
            let root = try element(depth: 1)
            try skipMisc()
            guard atEnd else { throw error("content after the root element") }
            return root
        }

        static func isNameScalar(_ scalar: Unicode.Scalar) -> Bool {
            scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "_" || scalar == "-" || scalar == "."
                || scalar == ":" || scalar.value >= 0xB7 && scalar.properties.generalCategory != .spaceSeparator
                    && !scalar.properties.isWhitespace && scalar != "/" && scalar != ">" && scalar != "="
        }

        mutating func name() throws(XMLReadError) -> String {
            let start = index
            while let scalar = peek(), Self.isNameScalar(scalar) { index += 1 }
            guard index > start, index - start <= 200 else { throw error("invalid name") }
            var text = String(String.UnicodeScalarView(scalars[start..<index])).lowercased()
            if let colon = text.lastIndex(of: ":") { text = String(text[text.index(after: colon)...]) }
            return text
        }

        mutating func element(depth: Int) throws(XMLReadError) -> XMLElement {
            guard depth <= maxDepth else { throw error("elements nest deeper than \(maxDepth) levels", code: "xml_too_complex") }
            elementCount += 1
            guard elementCount <= maxElements else { throw error("more than \(maxElements) elements", code: "xml_too_complex") }
            index += 1  // <
            let tag = try name()
            var element = XMLElement(name: tag, attributes: [:], children: [], text: "")
            while true {
                skipWhitespace()
                guard let scalar = peek() else { throw error("unterminated start tag <\(tag.prefix(40))>") }
                if scalar == ">" {
                    index += 1
                    break
                }
                if scalar == "/" {
                    guard peek(1) == ">" else { throw error("invalid start tag <\(tag.prefix(40))>") }
                    index += 2
                    return element
                }
                let attribute = try name()
                skipWhitespace()
                var value = ""
                if peek() == "=" {
                    index += 1
                    skipWhitespace()
                    value = try attributeValue()
                }
                guard element.attributes.count < 64 else { throw error("too many attributes", code: "xml_too_complex") }
                if element.attributes[attribute] == nil { element.attributes[attribute] = value }
            }
            // Content.
            var text = String.UnicodeScalarView()
            while true {
                guard let scalar = peek() else { throw error("element <\(tag.prefix(40))> is not closed") }
                if scalar == "<" {
                    if starts(with: "</") {
                        index += 2
                        let closing = try name()
                        skipWhitespace()
                        guard peek() == ">" else { throw error("invalid end tag") }
                        index += 1
                        guard closing == tag else {
                            throw error("end tag </\(closing.prefix(40))> does not match <\(tag.prefix(40))>")
                        }
                        element.text = String(text)
                        return element
                    } else if starts(with: "<![CDATA[") {
                        index += 9
                        var closed = false
                        while !atEnd {
                            if starts(with: "]]>") {
                                index += 3
                                closed = true
                                break
                            }
                            text.append(scalars[index])
                            index += 1
                        }
                        guard closed else { throw error("unterminated CDATA section") }
                    } else if starts(with: "<!--") {
                        try skipComment()
                    } else if starts(with: "<?") {
                        try skipProcessingInstruction()
                    } else if starts(with: "<!") {
                        throw forbiddenDeclaration()
                    } else {
                        element.children.append(try self.element(depth: depth + 1))
                    }
                } else if scalar == "&" {
                    text.append(contentsOf: try reference())
                } else {
                    text.append(scalar)
                    index += 1
                }
            }
        }

        mutating func attributeValue() throws(XMLReadError) -> String {
            var value = String.UnicodeScalarView()
            if let quote = peek(), quote == "\"" || quote == "'" {
                index += 1
                while true {
                    guard let scalar = peek() else { throw error("unterminated attribute value") }
                    if scalar == quote {
                        index += 1
                        return String(value)
                    }
                    if scalar == "<" { throw error("'<' in an attribute value") }
                    if scalar == "&" {
                        value.append(contentsOf: try reference())
                    } else {
                        value.append(scalar)
                        index += 1
                    }
                }
            }
            // Unquoted, as some senders write it.
            while let scalar = peek(), scalar != " ", scalar != "\t", scalar != "\n", scalar != "\r", scalar != ">", scalar != "/" || peek(1) != ">" {
                if scalar == "<" || scalar == "\"" || scalar == "'" { throw error("invalid attribute value") }
                value.append(scalar)
                index += 1
            }
            return String(value)
        }

        /// Decodes `&…;` at the cursor; a bare `&` stays literal. Refuses other entities.
        mutating func reference() throws(XMLReadError) -> String.UnicodeScalarView {
            let start = index
            index += 1
            if peek() == "#" {
                index += 1
                var hex = false
                if peek() == "x" || peek() == "X" {
                    hex = true
                    index += 1
                }
                var digits = ""
                while let scalar = peek(), digits.count <= 8,
                      ("0"..."9").contains(scalar) || (hex && (("a"..."f").contains(scalar) || ("A"..."F").contains(scalar))) {
                    digits.unicodeScalars.append(scalar)
                    index += 1
                }
                guard peek() == ";", let value = UInt32(digits, radix: hex ? 16 : 10), let scalar = Unicode.Scalar(value),
                      value == 0x9 || value == 0xA || value == 0xD || value >= 0x20
                else { throw error("invalid character reference") }
                index += 1
                return String.UnicodeScalarView([scalar])
            }
            let nameStart = index
            while let scalar = peek(), index - nameStart <= 40, scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "_" || scalar == "-" || scalar == "." {
                index += 1
            }
            guard index > nameStart, peek() == ";" else {
                // Not a reference: a literal ampersand ("Smith & Sons").
                index = start + 1
                return String.UnicodeScalarView(["&"])
            }
            let entity = String(String.UnicodeScalarView(scalars[nameStart..<index]))
            index += 1
            switch entity {
            case "lt": return String.UnicodeScalarView(["<"])
            case "gt": return String.UnicodeScalarView([">"])
            case "amp": return String.UnicodeScalarView(["&"])
            case "quot": return String.UnicodeScalarView(["\""])
            case "apos": return String.UnicodeScalarView(["'"])
            default:
                index = start
                throw error("the entity &\(entity.prefix(40)); is not one of XML's five predefined entities; Leadflow never expands declared or external entities", code: "xml_entity_forbidden")
            }
        }
    }
}
