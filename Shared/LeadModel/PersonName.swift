/// A person's name in parts.
///
/// Sources that send one full-name field go through ``init(full:)``, which splits it losslessly:
/// ``full`` joins the parts back to the same text (with whitespace collapsed).
/// JSON carries the parts and, for readers' convenience, the derived `full`; decoding ignores it.
public struct PersonName: Hashable, Sendable, Codable {
    /// Given name.
    public var first: String?
    /// Middle name(s) or initial.
    public var middle: String?
    /// Family name.
    public var last: String?

    /// Creates a name from its parts; empty parts count as absent.
    public init(first: String? = nil, middle: String? = nil, last: String? = nil) {
        self.first = first.nonBlank
        self.middle = middle.nonBlank
        self.last = last.nonBlank
    }

    /// Splits a full name: the first word is the given name, the last word the family name,
    /// anything between is the middle name. One word becomes the given name only.
    public init(full: String) {
        let words = full.split(whereSeparator: \.isWhitespace).map(String.init)
        switch words.count {
        case 0:
            self.init()
        case 1:
            self.init(first: words[0])
        default:
            self.init(
                first: words[0],
                middle: words.count > 2 ? words[1..<(words.count - 1)].joined(separator: " ") : nil,
                last: words[words.count - 1]
            )
        }
    }

    /// The parts joined by single spaces; empty when there is no name.
    public var full: String {
        [first, middle, last].compactMap { $0 }.joined(separator: " ")
    }

    /// Whether no part is present.
    public var isEmpty: Bool {
        first == nil && middle == nil && last == nil
    }

    private enum CodingKeys: String, CodingKey {
        case first, middle, last, full
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            first: try container.decodeIfPresent(String.self, forKey: .first),
            middle: try container.decodeIfPresent(String.self, forKey: .middle),
            last: try container.decodeIfPresent(String.self, forKey: .last)
        )
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(first, forKey: .first)
        try container.encodeIfPresent(middle, forKey: .middle)
        try container.encodeIfPresent(last, forKey: .last)
        try container.encode(full, forKey: .full)
    }
}

extension Optional where Wrapped == String {
    /// `nil` for `nil`, empty or whitespace-only strings; the string otherwise.
    var nonBlank: String? {
        guard let value = self, !value.allSatisfy(\.isWhitespace) else { return nil }
        return value
    }
}
