import NIOCore
import Synchronization

/// One SMTP reply: a three-digit code and its text lines (multi-line replies joined).
public struct SMTPReply: Hashable, Sendable, CustomStringConvertible {
    /// The reply code, e.g. 250.
    public let code: Int
    /// The text of each line, without the code.
    public let lines: [String]

    /// Creates a reply.
    public init(code: Int, lines: [String]) {
        self.code = code
        self.lines = lines
    }

    /// 2xx.
    public var isPositive: Bool { (200..<300).contains(code) }
    /// 3xx (e.g. 354 after DATA, 334 during AUTH).
    public var isIntermediate: Bool { (300..<400).contains(code) }
    /// 4xx: try again later.
    public var isTransientFailure: Bool { (400..<500).contains(code) }

    public var description: String { "\(code) \(lines.joined(separator: " / "))" }
}

/// Reads SMTP replies (RFC 5321 §4.2) from the byte stream: `250-…` lines continue, `250 …` ends.
final class SMTPReplyDecoder: ByteToMessageDecoder {
    typealias InboundOut = SMTPReply
    private static let maxLine = 4096
    private var pendingLines: [String] = []
    private var pendingCode: Int?

    func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let newline = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else {
            if buffer.readableBytes > Self.maxLine { throw SMTPError.protocolViolation("reply line too long") }
            return .needMoreData
        }
        let length = newline - buffer.readerIndex + 1
        guard let raw = buffer.readString(length: length) else { return .needMoreData }
        let line = raw.trimmingCharacters(in: .newlines)
        let characters = Array(line.utf8)
        guard characters.count >= 3, let code = Int(String(decoding: characters[0..<3], as: UTF8.self)), (200...599).contains(code) else {
            throw SMTPError.protocolViolation("malformed reply line")
        }
        if let pendingCode, pendingCode != code { throw SMTPError.protocolViolation("reply codes differ within one reply") }
        let separator = characters.count > 3 ? characters[3] : UInt8(ascii: " ")
        let text = characters.count > 4 ? String(decoding: characters[4...], as: UTF8.self) : ""
        pendingLines.append(text)
        if separator == UInt8(ascii: "-") {
            pendingCode = code
            return .continue
        }
        let reply = SMTPReply(code: code, lines: pendingLines)
        pendingLines = []
        pendingCode = nil
        context.fireChannelRead(wrapInboundOut(reply))
        return .continue
    }

    func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }
}

/// Where one reply goes: a promise that may be completed from several places (the reply, the
/// timeout, a failed connection, a failed write) of which only the first counts.
final class SMTPReplySlot: Sendable {
    private let promise: EventLoopPromise<SMTPReply>
    private let completed = Atomic<Bool>(false)

    init(on eventLoop: any EventLoop) {
        promise = eventLoop.makePromise(of: SMTPReply.self)
    }

    /// The reply, or the error that ended the wait.
    func get() async throws -> SMTPReply { try await promise.futureResult.get() }

    func succeed(_ reply: SMTPReply) {
        if completed.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged {
            promise.succeed(reply)
        }
    }

    func fail(_ error: any Error) {
        if completed.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged {
            promise.fail(error)
        }
    }
}

/// What the client writes: bytes to send (nil: only wait, e.g. for the greeting) and the slot
/// the next reply completes.
struct SMTPRequest: Sendable {
    let bytes: ByteBuffer?
    let reply: SMTPReplySlot
}

/// Pairs replies with requests in order and enforces a per-reply timeout. Every promise is
/// completed exactly once: by its reply, by the timeout, or when the connection fails or closes.
final class SMTPClientHandler: ChannelDuplexHandler {
    typealias InboundIn = SMTPReply
    typealias OutboundIn = SMTPRequest
    typealias OutboundOut = ByteBuffer

    private var waiting = CircularBuffer<SMTPReplySlot>()
    private var timer: Scheduled<Void>?
    private let timeout: TimeAmount
    private var failure: SMTPError?

    init(timeout: TimeAmount, greeting: SMTPReplySlot) {
        self.timeout = timeout
        waiting.append(greeting)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        armTimer(context: context)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        failAll(.connection("the connection closed"), context: context, close: false)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = unwrapOutboundIn(data)
        if let failure {
            request.reply.fail(failure)
            promise?.fail(failure)
            return
        }
        waiting.append(request.reply)
        if timer == nil { armTimer(context: context) }
        if let bytes = request.bytes {
            context.write(wrapOutboundOut(bytes), promise: nil)
        }
        promise?.succeed(())
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let reply = unwrapInboundIn(data)
        timer?.cancel()
        timer = nil
        guard let promise = waiting.popFirst() else {
            failAll(SMTPError.protocolViolation("unexpected reply \(reply.code)"), context: context)
            return
        }
        promise.succeed(reply)
        if !waiting.isEmpty { armTimer(context: context) }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        failAll(error as? SMTPError ?? .connection(String(describing: error)), context: context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        failAll(.connection("the server closed the connection"), context: context, close: false)
        context.fireChannelInactive()
    }

    private func armTimer(context: ChannelHandlerContext) {
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(in: timeout) {
            let (handler, context) = loopBound.value
            handler.timer = nil
            handler.failAll(.timeout, context: context)
        }
    }

    private func failAll(_ error: SMTPError, context: ChannelHandlerContext, close: Bool = true) {
        if failure == nil { failure = error }
        timer?.cancel()
        timer = nil
        while let promise = waiting.popFirst() { promise.fail(error) }
        if close { context.close(promise: nil) }
    }
}

/// Why talking to the SMTP server failed.
public enum SMTPError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The server answered `reply` to `command` (4xx: transient, 5xx: permanent).
    case rejected(command: String, reply: SMTPReply)
    /// The connection failed or closed.
    case connection(String)
    /// No reply in time.
    case timeout
    /// The server broke the protocol.
    case protocolViolation(String)
    /// The configuration cannot work with this server (TLS required but not offered, AUTH needed…).
    case unsupported(String)

    /// Whether retrying cannot help (the server refused this message or recipient for good).
    public var isPermanent: Bool {
        if case .rejected(let command, let reply) = self {
            return reply.code >= 500 && !command.hasPrefix("AUTH") && !command.hasPrefix("EHLO")
                && !command.hasPrefix("STARTTLS")
        }
        return false
    }

    public var description: String {
        switch self {
        case .rejected(let command, let reply): "\(command) rejected: \(reply.code) \(reply.lines.joined(separator: " "))"
        case .connection(let reason): "connection failed: \(reason)"
        case .timeout: "the server did not answer in time"
        case .protocolViolation(let reason): "protocol violation: \(reason)"
        case .unsupported(let reason): reason
        }
    }
}
