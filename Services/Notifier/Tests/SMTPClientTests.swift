import Foundation
import LeadIntegrationSupport
import LeadTestSupport
import NIOSSL
import Testing

@testable import LeadNotifier

/// The SMTP client against a real SMTP server (Python's aiosmtpd), with and without TLS and AUTH.
@Suite("SMTP client against aiosmtpd")
struct SMTPClientTests {
    /// A self-signed certificate for 127.0.0.1, made with openssl for this run.
    static func certificate() throws -> (cert: String, key: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("smtp-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let cert = directory.appendingPathComponent("cert.pem").path
        let key = directory.appendingPathComponent("key.pem").path
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        openssl.arguments = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1",
                             "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"]
        openssl.standardOutput = FileHandle.nullDevice
        openssl.standardError = FileHandle.nullDevice
        try openssl.run()
        openssl.waitUntilExit()
        guard openssl.terminationStatus == 0 else { throw CertificateFailure() }
        return (cert, key)
    }

    struct CertificateFailure: Error {}

    func client(port: Int, security: SMTPConfiguration.Security = .startTLS, user: String? = nil, password: String? = nil,
                caFile: String? = nil, allowPlaintextAuth: Bool = false) throws -> SMTPClient {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let caFile { tls.trustRoots = .file(caFile) }
        return try SMTPClient(configuration: SMTPConfiguration(
            host: "127.0.0.1", port: port, security: security, username: user, password: password,
            allowPlaintextAuth: allowPlaintextAuth, replyTimeout: .seconds(10), tls: tls))
    }

    func message(subject: String = "Grüße – ein Test", text: String) -> [UInt8] {
        MailMessage(
            from: MailAddress(address: "notifications@leadflow.test", name: "Leadflow"),
            to: MailAddress(address: "sam@example.com", name: "Sam Seller"), subject: subject, text: text,
            html: "<p>\(text)</p>", messageID: "test-\(UUID().uuidString)@leadflow.test", date: Date()).rendered()
    }

    @Test("plain SMTP: the message arrives intact, dot-stuffed lines and UTF-8 subject included")
    func plain() async throws {
        let sink = try await SMTPSink.start()
        defer { sink.stop() }
        let text = "Line one\n.A line starting with a dot\n..two dots\n.\nLast line: Jürgen"
        let receipt = try await client(port: sink.port).send(
            from: "notifications@leadflow.test", to: ["sam@example.com"], message: message(text: text))
        #expect(receipt.reply.code == 250)
        #expect(!receipt.tls && receipt.authMechanism == nil)
        let mails = await sink.wait { $0.count == 1 }
        let mail = try #require(mails.first)
        #expect(mail.subject == "Grüße – ein Test")
        #expect(mail.plain.trimmingCharacters(in: .newlines) == text)
        #expect(mail.html?.contains("Last line: Jürgen") == true)
        #expect(mail.rcptTos == ["sam@example.com"] && mail.mailFrom == "notifications@leadflow.test")
        #expect(mail.messageId.hasPrefix("<test-"))
        #expect(mail.defects.isEmpty)
    }

    @Test("STARTTLS then AUTH PLAIN, with the self-signed certificate verified against the server's IP")
    func startTLSAndAuth() async throws {
        let certificate = try Self.certificate()
        defer { try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: certificate.cert).deletingLastPathComponent().path) }
        let sink = try await SMTPSink.start(tlsCertificate: certificate, requireTLS: true, auth: "mailer:s3cret-pass")
        defer { sink.stop() }
        let receipt = try await client(port: sink.port, security: .startTLSRequired, user: "mailer", password: "s3cret-pass",
                                       caFile: certificate.cert).send(from: "n@leadflow.test", to: ["a@example.com"], message: message(text: "secure"))
        #expect(receipt.tls && receipt.authMechanism == "PLAIN")
        let mail = try #require(await sink.wait { $0.count == 1 }.first)
        #expect(mail.tls)
        #expect(mail.authenticatedAs == "PLAIN:mailer")

        // A certificate the client does not trust fails the handshake instead of sending.
        await #expect(throws: SMTPError.self) {
            _ = try await client(port: sink.port, security: .startTLSRequired, user: "mailer", password: "s3cret-pass")
                .send(from: "n@leadflow.test", to: ["a@example.com"], message: message(text: "untrusted"))
        }
        // A wrong password is refused by the server (and is not a permanent failure of the message).
        do {
            _ = try await client(port: sink.port, security: .startTLSRequired, user: "mailer", password: "wrong", caFile: certificate.cert)
                .send(from: "n@leadflow.test", to: ["a@example.com"], message: message(text: "nope"))
            Issue.record("a wrong password was accepted")
        } catch let error as SMTPError {
            guard case .rejected(let command, let reply) = error else { Issue.record("unexpected \(error)"); return }
            #expect(command == "AUTH PLAIN" && reply.code == 535 && !error.isPermanent)
        }
        #expect(sink.messages.count == 1)
    }

    @Test("AUTH LOGIN when the server offers only LOGIN")
    func authLogin() async throws {
        let certificate = try Self.certificate()
        defer { try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: certificate.cert).deletingLastPathComponent().path) }
        let sink = try await SMTPSink.start(tlsCertificate: certificate, auth: "mailer:pw-login-123", excludeAuth: ["PLAIN"])
        defer { sink.stop() }
        let receipt = try await client(port: sink.port, user: "mailer", password: "pw-login-123", caFile: certificate.cert)
            .send(from: "n@leadflow.test", to: ["a@example.com"], message: message(text: "login"))
        #expect(receipt.tls && receipt.authMechanism == "LOGIN")
        #expect(try #require(await sink.wait { $0.count == 1 }.first).authenticatedAs == "LOGIN:mailer")
    }

    @Test("credentials are never sent in the clear, and a required STARTTLS that is not offered fails")
    func refusesInsecure() async throws {
        let sink = try await SMTPSink.start(auth: "mailer:pw-plain-123")
        defer { sink.stop() }
        do {
            _ = try await client(port: sink.port, user: "mailer", password: "pw-plain-123")
                .send(from: "n@leadflow.test", to: ["a@example.com"], message: message(text: "x"))
            Issue.record("credentials went out without TLS")
        } catch let error as SMTPError {
            guard case .unsupported = error else { Issue.record("unexpected \(error)"); return }
        }
        await #expect(throws: SMTPError.self) {
            _ = try await client(port: sink.port, security: .startTLSRequired)
                .send(from: "n@leadflow.test", to: ["a@example.com"], message: message(text: "x"))
        }
        // Explicitly allowed (local test servers only): AUTH over plain TCP works.
        let receipt = try await client(port: sink.port, user: "mailer", password: "pw-plain-123", allowPlaintextAuth: true)
            .send(from: "n@leadflow.test", to: ["a@example.com"], message: message(text: "allowed"))
        #expect(receipt.authMechanism == "PLAIN" && !receipt.tls)
        #expect(sink.messages.count == 1)
    }

    @Test("a refused recipient is a permanent failure; a temporary refusal is not; a dead server is a connection error")
    func failures() async throws {
        let sink = try await SMTPSink.start()
        let port = sink.port
        do {
            _ = try await client(port: port).send(from: "n@leadflow.test", to: ["reject-me@example.com"], message: message(text: "x"))
            Issue.record("expected a refusal")
        } catch let error as SMTPError {
            #expect(error.isPermanent)
            #expect(!"\(error)".isEmpty)
        }
        do {
            _ = try await client(port: port).send(from: "n@leadflow.test", to: ["tempfail@example.com"], message: message(text: "x"))
            Issue.record("expected a refusal")
        } catch let error as SMTPError {
            #expect(!error.isPermanent)
        }
        await sink.stopAndWait()
        do {
            _ = try await client(port: port).send(from: "n@leadflow.test", to: ["a@example.com"], message: message(text: "x"))
            Issue.record("expected a connection error")
        } catch let error as SMTPError {
            guard case .connection = error else { Issue.record("unexpected \(error)"); return }
        }
    }
}
