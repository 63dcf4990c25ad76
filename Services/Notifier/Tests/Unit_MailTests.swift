import Foundation
import NIOCore
import NIOEmbedded
import Testing

@testable import LeadNotifier

/// Decodes what ``MIME`` encodes, independently, to prove the encodings round-trip.
enum MIMEDecoding {
    static func quotedPrintable(_ text: String) -> String {
        var bytes: [UInt8] = []
        let lines = text.components(separatedBy: "\r\n")
        for (index, line) in lines.enumerated() {
            var characters = Array(line.utf8)
            var soft = false
            if characters.last == UInt8(ascii: "=") {
                soft = true
                characters.removeLast()
            }
            var position = 0
            while position < characters.count {
                if characters[position] == UInt8(ascii: "="), position + 2 < characters.count + 0,
                   let byte = UInt8(String(decoding: characters[(position + 1)...(position + 2)], as: UTF8.self), radix: 16) {
                    bytes.append(byte)
                    position += 3
                } else {
                    bytes.append(characters[position])
                    position += 1
                }
            }
            if !soft && index < lines.count - 1 { bytes += [10] }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func encodedWords(_ header: String) -> String {
        let words = header.components(separatedBy: "\r\n ").map { word -> [UInt8] in
            let inner = word.dropFirst("=?utf-8?B?".count).dropLast(2)
            return Array(Data(base64Encoded: String(inner)) ?? Data())
        }
        return String(decoding: words.flatMap { $0 }, as: UTF8.self)
    }
}

@Suite("E-mail encoding: MIME, RFC 2047, quoted-printable, dot-stuffing")
struct MailEncodingTests {
    @Test("non-ASCII subjects become encoded words of at most 75 characters that decode back")
    func encodedSubject() {
        let subject = "Neuer Lead: Jürgen Groß – 2024 Škoda Octavia RS 🚗 mit sehr langem Betreff, der gefaltet werden muss"
        let header = MIME.headerText(subject)
        #expect(header.hasPrefix("=?utf-8?B?"))
        for word in header.components(separatedBy: "\r\n ") { #expect(word.count <= 75) }
        #expect(MIMEDecoding.encodedWords(header) == subject)
        #expect(MIME.headerText("Plain ASCII subject") == "Plain ASCII subject")
    }

    @Test("line breaks in header values cannot inject headers")
    func headerInjection() {
        let header = MIME.headerText("Hello\r\nBcc: victim@example.com")
        #expect(!header.contains("\r\nBcc"))
        #expect(!header.contains("\n"))
        let rendered = String(decoding: MailMessage(
            from: MailAddress(address: "from@example.com"), to: MailAddress(address: "to@example.com", name: "Eve\r\nBcc: x@y.z"),
            subject: "S", text: "t", html: nil, messageID: "id@example.com", date: Date(),
            extraHeaders: [("X-Test", "a\r\nBcc: y@z.z")]).rendered(), as: UTF8.self)
        #expect(!rendered.contains("\r\nBcc:"))
    }

    @Test("quoted-printable keeps lines within 76 characters and decodes back exactly")
    func quotedPrintable() {
        let text = "Grüße aus Köln = 100 % sicher.\nA line that is far longer than seventy-six characters, so it must be wrapped with soft breaks somewhere.\n.leading dot\ntrailing space \nünïcødé " + String(repeating: "é", count: 60)
        let encoded = MIME.quotedPrintable(text)
        for line in encoded.components(separatedBy: "\r\n") {
            #expect(line.utf8.count <= 76, "\(line)")
            #expect(line.utf8.allSatisfy { $0 < 128 })
            #expect(!line.hasSuffix(" "))
        }
        #expect(MIMEDecoding.quotedPrintable(encoded) == text)
    }

    @Test("dot-stuffing doubles leading dots, normalizes line ends and terminates the data")
    func dotStuffing() {
        let stuffed = String(decoding: MIME.dotStuffed(Array(".first\r\nmiddle\n..two\r\nend".utf8)), as: UTF8.self)
        #expect(stuffed == "..first\r\nmiddle\r\n...two\r\nend\r\n.\r\n")
        #expect(String(decoding: MIME.dotStuffed(Array("x\r\n".utf8)), as: UTF8.self) == "x\r\n.\r\n")
    }

    @Test("a message has the headers receivers rely on and a multipart body")
    func message() {
        let message = MailMessage(
            from: MailAddress(address: "notifications@leadflow.test", name: "Leadflow"),
            to: MailAddress(address: "sam@example.com", name: "Sam Seller"), subject: "Hello", text: "Text part",
            html: "<p>HTML part</p>", messageID: "abc.notification@leadflow.test", date: Date(timeIntervalSince1970: 0),
            extraHeaders: [("X-Leadflow-Notification-Key", "evt/1/new_lead_assigned/member-1/email")])
        let rendered = String(decoding: message.rendered(), as: UTF8.self)
        #expect(rendered.contains("Message-ID: <abc.notification@leadflow.test>\r\n"))
        #expect(rendered.contains("From: \"Leadflow\" <notifications@leadflow.test>\r\n"))
        #expect(rendered.contains("To: \"Sam Seller\" <sam@example.com>\r\n"))
        #expect(rendered.contains("Date: Thu, 01 Jan 1970 00:00:00 +0000\r\n"))
        #expect(rendered.contains("Content-Type: multipart/alternative; boundary="))
        #expect(rendered.contains("Content-Type: text/html; charset=utf-8"))
        #expect(!rendered.contains("\n\n"))  // every line ends in CRLF
    }

    @Test("SMTP replies are read line by line, multi-line replies joined")
    func replyDecoder() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(SMTPReplyDecoder()))
        try channel.writeInbound(ByteBuffer(string: "220 ready\r\n250-smtp.example\r\n250-STARTTLS\r\n250 AUTH PLAIN LOGIN\r\n"))
        #expect(try channel.readInbound(as: SMTPReply.self) == SMTPReply(code: 220, lines: ["ready"]))
        #expect(try channel.readInbound(as: SMTPReply.self) == SMTPReply(code: 250, lines: ["smtp.example", "STARTTLS", "AUTH PLAIN LOGIN"]))
        #expect(throws: (any Error).self) { try channel.writeInbound(ByteBuffer(string: "hello there\r\n")) }
    }

    @Test("SMTP errors: 5xx on the message is permanent, 4xx and connection trouble are not")
    func smtpErrorClasses() {
        #expect(SMTPError.rejected(command: "RCPT TO", reply: SMTPReply(code: 550, lines: [])).isPermanent)
        #expect(!SMTPError.rejected(command: "RCPT TO", reply: SMTPReply(code: 451, lines: [])).isPermanent)
        #expect(!SMTPError.rejected(command: "AUTH PLAIN", reply: SMTPReply(code: 535, lines: [])).isPermanent)
        #expect(!SMTPError.timeout.isPermanent)
        #expect(!SMTPError.connection("reset").isPermanent)
    }
}
