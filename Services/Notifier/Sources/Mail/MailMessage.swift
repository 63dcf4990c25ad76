import Foundation

/// An e-mail address with an optional display name.
public struct MailAddress: Hashable, Sendable {
    /// `local@domain` (validated: ASCII, no spaces or control characters).
    public var address: String
    /// The display name, any Unicode.
    public var name: String?

    /// Creates an address.
    public init(address: String, name: String? = nil) {
        self.address = address
        self.name = name
    }

    /// Parses `Name <local@domain>` or a bare `local@domain`.
    public init?(parsing text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let open = trimmed.lastIndex(of: "<"), trimmed.hasSuffix(">") {
            let address = String(trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)])
            let name = trimmed[..<open].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            self.init(address: address, name: name.isEmpty ? nil : name)
        } else {
            self.init(address: trimmed)
        }
        guard !address.isEmpty, address.contains("@"),
              !address.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" || $0 == " " || $0 == "<" || $0 == ">" })
        else { return nil }
    }

    /// The header form: `"Name" <addr>` (RFC 2047-encoded when the name is not ASCII).
    var headerValue: String {
        guard let name = name.map(MIME.singleLine), !name.isEmpty else { return "<\(address)>" }
        if name.unicodeScalars.allSatisfy({ $0.isASCII && $0.value >= 0x20 }) {
            let quoted = name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            return "\"\(quoted)\" <\(address)>"
        }
        return "\(MIME.encodedWords(name).joined(separator: "\r\n ")) <\(address)>"
    }
}

/// A notification e-mail, rendered as RFC 5322 / MIME: multipart/alternative (plain text and
/// HTML) in quoted-printable UTF-8, the subject RFC 2047-encoded when it is not ASCII, and a
/// `Message-ID` derived from the notification key.
public struct MailMessage: Sendable {
    /// The sender.
    public var from: MailAddress
    /// The recipient.
    public var to: MailAddress
    /// The subject (any Unicode; line breaks become spaces).
    public var subject: String
    /// The plain-text body.
    public var text: String
    /// The HTML body, if any.
    public var html: String?
    /// The `Message-ID`, without angle brackets.
    public var messageID: String
    /// The `Date`.
    public var date: Date
    /// Extra headers (ASCII names and values; line breaks are removed).
    public var extraHeaders: [(name: String, value: String)]

    /// Creates a message.
    public init(
        from: MailAddress, to: MailAddress, subject: String, text: String, html: String?, messageID: String, date: Date,
        extraHeaders: [(name: String, value: String)] = []
    ) {
        self.from = from
        self.to = to
        self.subject = subject
        self.text = text
        self.html = html
        self.messageID = messageID
        self.date = date
        self.extraHeaders = extraHeaders
    }

    /// The message bytes with CRLF line endings (not yet dot-stuffed: that is SMTP's job).
    public func rendered() -> [UInt8] {
        var lines: [String] = [
            "Date: \(MIME.rfc5322Date(date))",
            "From: \(from.headerValue)",
            "To: \(to.headerValue)",
            "Subject: \(MIME.headerText(subject))",
            "Message-ID: <\(MIME.singleLine(messageID))>",
            "MIME-Version: 1.0",
            "Auto-Submitted: auto-generated",
        ]
        for header in extraHeaders {
            lines.append("\(MIME.singleLine(header.name)): \(MIME.singleLine(header.value))")
        }
        var body: [String]
        if let html {
            let boundary = "=_leadflow_" + String(messageID.unicodeScalars.filter { $0.properties.isAlphabetic || ("0"..."9").contains($0) }.prefix(32).map(Character.init))
            lines.append("Content-Type: multipart/alternative; boundary=\"\(boundary)\"")
            body = [
                "",
                "This is a MIME message.",
                "--\(boundary)",
                "Content-Type: text/plain; charset=utf-8",
                "Content-Transfer-Encoding: quoted-printable",
                "",
                MIME.quotedPrintable(text),
                "--\(boundary)",
                "Content-Type: text/html; charset=utf-8",
                "Content-Transfer-Encoding: quoted-printable",
                "",
                MIME.quotedPrintable(html),
                "--\(boundary)--",
            ]
        } else {
            lines.append("Content-Type: text/plain; charset=utf-8")
            lines.append("Content-Transfer-Encoding: quoted-printable")
            body = ["", MIME.quotedPrintable(text)]
        }
        return Array((lines + body).joined(separator: "\r\n").utf8) + [13, 10]
    }
}

/// The encodings e-mail needs.
public enum MIME {
    /// Line breaks and other control characters replaced by spaces (header injection guard).
    public static func singleLine(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { $0.properties.generalCategory == .control ? " " : $0 }))
    }

    /// A header value: as-is when printable ASCII, else RFC 2047 encoded-words folded onto
    /// continuation lines.
    public static func headerText(_ text: String) -> String {
        let line = singleLine(text)
        if line.unicodeScalars.allSatisfy({ $0.isASCII }) && line.utf8.count <= 900 { return line }
        return encodedWords(line).joined(separator: "\r\n ")
    }

    /// `=?utf-8?B?…?=` words of at most 75 characters, split between Unicode scalars.
    public static func encodedWords(_ text: String) -> [String] {
        var words: [String] = []
        var chunk: [UInt8] = []
        for scalar in text.unicodeScalars {
            let bytes = Array(String(scalar).utf8)
            if chunk.count + bytes.count > 45 {
                words.append(word(chunk))
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty || words.isEmpty { words.append(word(chunk)) }
        return words
    }

    private static func word(_ bytes: [UInt8]) -> String {
        "=?utf-8?B?\(Data(bytes).base64EncodedString())?="
    }

    /// Quoted-printable (RFC 2045) of UTF-8 text: lines end in CRLF, no line exceeds 76
    /// characters, `=` and non-ASCII bytes are escaped, trailing whitespace is protected.
    public static func quotedPrintable(_ text: String) -> String {
        let normalized = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        let hex = Array("0123456789ABCDEF".utf8)
        var output: [String] = []
        for line in normalized.split(separator: "\n", omittingEmptySubsequences: false) {
            let bytes = Array(line.utf8)
            var encoded: [UInt8] = []
            var current: [UInt8] = []
            for (index, byte) in bytes.enumerated() {
                let isLast = index == bytes.count - 1
                var piece: [UInt8]
                let printable = (byte >= 33 && byte <= 126 && byte != UInt8(ascii: "="))
                    || ((byte == 32 || byte == 9) && !isLast)
                if printable {
                    piece = [byte]
                } else {
                    piece = [UInt8(ascii: "="), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
                }
                if current.count + piece.count > 75 {
                    encoded += current + Array("=\r\n".utf8)
                    current = []
                }
                current += piece
            }
            encoded += current
            output.append(String(decoding: encoded, as: UTF8.self))
        }
        return output.joined(separator: "\r\n")
    }

    /// RFC 5322 date, e.g. `Tue, 03 Jun 2025 14:30:00 +0000`.
    public static func rfc5322Date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: date)
    }

    /// SMTP transparency (RFC 5321 §4.5.2): CRLF line endings, a dot doubled at the start of
    /// every line, and the terminating `CRLF.CRLF`.
    public static func dotStuffed(_ message: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(message.count + 64)
        var atLineStart = true
        var previous: UInt8 = 0
        for byte in message {
            if byte == 10 && previous != 13 { output.append(13) }  // bare LF → CRLF
            if atLineStart && byte == UInt8(ascii: ".") { output.append(UInt8(ascii: ".")) }
            output.append(byte)
            atLineStart = byte == 10
            previous = byte
        }
        if !(output.count >= 2 && output[output.count - 2] == 13 && output[output.count - 1] == 10) {
            output += [13, 10]
        }
        output += Array(".\r\n".utf8)
        return output
    }
}
