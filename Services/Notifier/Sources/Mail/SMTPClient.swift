import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL

/// How the SMTP client connects and authenticates.
public struct SMTPConfiguration: Sendable {
    /// Transport security.
    public enum Security: String, Sendable, CaseIterable {
        /// Plain connection, upgraded with STARTTLS when the server offers it (the default).
        case startTLS = "starttls"
        /// STARTTLS is mandatory: fail when the server does not offer it.
        case startTLSRequired = "starttls_required"
        /// TLS from the first byte (port 465, "SMTPS").
        case implicitTLS = "tls"
        /// Never use TLS.
        case none
    }

    /// Server host name or address.
    public var host: String
    /// Server port.
    public var port: Int
    /// Transport security.
    public var security: Security
    /// AUTH user name (nil: no authentication).
    public var username: String?
    /// AUTH password.
    public var password: String?
    /// Whether AUTH may be sent without TLS (only for local test servers).
    public var allowPlaintextAuth: Bool
    /// The name sent with EHLO.
    public var heloName: String
    /// Longest wait for any reply.
    public var replyTimeout: Duration
    /// Longest wait for the TCP connection.
    public var connectTimeout: Duration
    /// TLS settings (trust roots, certificate verification).
    public var tls: TLSConfiguration

    /// Creates a configuration.
    public init(
        host: String, port: Int, security: Security = .startTLS, username: String? = nil, password: String? = nil,
        allowPlaintextAuth: Bool = false, heloName: String = "localhost", replyTimeout: Duration = .seconds(30),
        connectTimeout: Duration = .seconds(10), tls: TLSConfiguration = .makeClientConfiguration()
    ) {
        self.host = host
        self.port = port
        self.security = security
        self.username = username
        self.password = password
        self.allowPlaintextAuth = allowPlaintextAuth
        self.heloName = heloName
        self.replyTimeout = replyTimeout
        self.connectTimeout = connectTimeout
        self.tls = tls
    }
}

/// What the server said when it took the message.
public struct SMTPReceipt: Hashable, Sendable {
    /// The final reply to DATA.
    public let reply: SMTPReply
    /// Whether the session ran over TLS.
    public let tls: Bool
    /// The AUTH mechanism used, if any.
    public let authMechanism: String?
}

/// An SMTP client on SwiftNIO: one connection per message. EHLO (HELO as fallback), STARTTLS and
/// AUTH PLAIN/LOGIN when the server offers them, MAIL/RCPT/DATA with dot-stuffing, QUIT.
public struct SMTPClient: Sendable {
    private let configuration: SMTPConfiguration
    private let sslContext: NIOSSLContext?
    private let group: any EventLoopGroup

    /// Creates a client; fails when the TLS configuration cannot be loaded.
    public init(configuration: SMTPConfiguration, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) throws {
        self.configuration = configuration
        self.group = group
        sslContext = configuration.security == .none ? nil : try NIOSSLContext(configuration: configuration.tls)
    }

    /// Sends `message` from `sender` to `recipients` (envelope addresses).
    public func send(from sender: String, to recipients: [String], message: [UInt8]) async throws(SMTPError) -> SMTPReceipt {
        let eventLoop = group.next()
        let greeting = SMTPReplySlot(on: eventLoop)
        let channel: any Channel
        do {
            channel = try await connect(on: eventLoop, greeting: greeting)
        } catch {
            greeting.fail(SMTPError.connection("could not connect"))
            throw error as? SMTPError ?? .connection(String(describing: error))
        }
        do {
            let receipt = try await session(channel: channel, greeting: greeting, sender: sender, recipients: recipients, message: message)
            try? await channel.close()
            return receipt
        } catch {
            try? await channel.close()
            throw error as? SMTPError ?? .connection(String(describing: error))
        }
    }

    private func connect(on eventLoop: any EventLoop, greeting: SMTPReplySlot) async throws -> any Channel {
        let timeout = TimeAmount.nanoseconds(Int64(configuration.replyTimeout.components.seconds) * 1_000_000_000)
        let implicitTLS = configuration.security == .implicitTLS ? sslContext : nil
        let serverName = Self.sniName(configuration.host)
        let connectTimeout = TimeAmount.seconds(configuration.connectTimeout.components.seconds)
        return try await ClientBootstrap(group: eventLoop)
            .connectTimeout(connectTimeout)
            .channelInitializer { channel in
                do {
                    if let implicitTLS {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: implicitTLS, serverHostname: serverName))
                    }
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(SMTPReplyDecoder()))
                    try channel.pipeline.syncOperations.addHandler(SMTPClientHandler(timeout: timeout, greeting: greeting))
                    return channel.eventLoop.makeSucceededVoidFuture()
                } catch {
                    return channel.eventLoop.makeFailedFuture(error)
                }
            }
            .connect(host: configuration.host, port: configuration.port)
            .get()
    }

    private func session(
        channel: any Channel, greeting: SMTPReplySlot, sender: String, recipients: [String], message: [UInt8]
    ) async throws -> SMTPReceipt {
        let hello = try await greeting.get()
        guard hello.code == 220 else { throw SMTPError.rejected(command: "CONNECT", reply: hello) }
        var tls = configuration.security == .implicitTLS
        var extensions = try await ehlo(channel)

        if !tls, configuration.security == .startTLS || configuration.security == .startTLSRequired {
            if extensions.keys.contains("STARTTLS"), let sslContext {
                try await expect(channel, "STARTTLS", codes: [220])
                let serverName = Self.sniName(configuration.host)
                try await channel.eventLoop.submit {
                    try channel.pipeline.syncOperations.addHandler(
                        NIOSSLClientHandler(context: sslContext, serverHostname: serverName), position: .first)
                }.get()
                tls = true
                extensions = try await ehlo(channel)
            } else if configuration.security == .startTLSRequired {
                throw SMTPError.unsupported("the server does not offer STARTTLS, which the configuration requires")
            }
        }

        var mechanism: String?
        if let username = configuration.username, let password = configuration.password {
            guard tls || configuration.allowPlaintextAuth else {
                throw SMTPError.unsupported("refusing to send credentials without TLS")
            }
            let offered = Set((extensions["AUTH"] ?? "").uppercased().split(separator: " ").map(String.init))
            if offered.contains("PLAIN") {
                let token = Data(([0] + Array(username.utf8) + [0] + Array(password.utf8))).base64EncodedString()
                try await expect(channel, "AUTH PLAIN \(token)", codes: [235], redactedAs: "AUTH PLAIN")
                mechanism = "PLAIN"
            } else if offered.contains("LOGIN") {
                try await expect(channel, "AUTH LOGIN", codes: [334])
                try await expect(channel, Data(username.utf8).base64EncodedString(), codes: [334], redactedAs: "AUTH LOGIN user")
                try await expect(channel, Data(password.utf8).base64EncodedString(), codes: [235], redactedAs: "AUTH LOGIN password")
                mechanism = "LOGIN"
            } else {
                throw SMTPError.unsupported("the server offers no AUTH mechanism this client supports (PLAIN, LOGIN)")
            }
        }

        try await expect(channel, "MAIL FROM:<\(sender)>", codes: [250], redactedAs: "MAIL FROM")
        for recipient in recipients {
            try await expect(channel, "RCPT TO:<\(recipient)>", codes: [250, 251], redactedAs: "RCPT TO")
        }
        try await expect(channel, "DATA", codes: [354])
        let accepted = try await exchange(channel, bytes: ByteBuffer(bytes: MIME.dotStuffed(message)))
        guard accepted.code == 250 else { throw SMTPError.rejected(command: "DATA", reply: accepted) }
        _ = try? await exchange(channel, bytes: ByteBuffer(string: "QUIT\r\n"))
        return SMTPReceipt(reply: accepted, tls: tls, authMechanism: mechanism)
    }

    /// EHLO (HELO when the server does not know EHLO); returns the offered extensions.
    private func ehlo(_ channel: any Channel) async throws -> [String: String] {
        let reply = try await exchange(channel, bytes: ByteBuffer(string: "EHLO \(configuration.heloName)\r\n"))
        if reply.code == 250 {
            var extensions: [String: String] = [:]
            for line in reply.lines.dropFirst() {
                let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
                guard let keyword = parts.first?.uppercased() else { continue }
                extensions[keyword] = parts.count > 1 ? parts[1] : ""
            }
            return extensions
        }
        try await expect(channel, "HELO \(configuration.heloName)", codes: [250])
        return [:]
    }

    @discardableResult
    private func expect(_ channel: any Channel, _ command: String, codes: Set<Int>, redactedAs name: String? = nil) async throws -> SMTPReply {
        let reply = try await exchange(channel, bytes: ByteBuffer(string: command + "\r\n"))
        guard codes.contains(reply.code) else {
            throw SMTPError.rejected(command: name ?? command, reply: reply)
        }
        return reply
    }

    private func exchange(_ channel: any Channel, bytes: ByteBuffer) async throws -> SMTPReply {
        let slot = SMTPReplySlot(on: channel.eventLoop)
        channel.writeAndFlush(SMTPRequest(bytes: bytes, reply: slot)).whenFailure { slot.fail($0) }
        return try await slot.get()
    }

    /// The SNI name: the host, unless it is an IP address (then the certificate is checked
    /// against the peer's address instead).
    static func sniName(_ host: String) -> String? {
        var ipv4 = in_addr()
        var ipv6 = in6_addr()
        if inet_pton(AF_INET, host, &ipv4) == 1 || inet_pton(AF_INET6, host, &ipv6) == 1 { return nil }
        return host
    }
}
