import Foundation
import LeadModel

/// A delivery as the dispatcher hands it to a channel: the rendered content and the address.
public struct OutgoingDelivery: Sendable {
    /// The delivery's id.
    public var id: UUID
    /// Its idempotency key (also the `Message-ID` seed and the webhook `Idempotency-Key`).
    public var key: NotificationKey
    /// The lead.
    public var leadId: LeadID
    /// What it is about.
    public var kind: NotificationKind
    /// The channel.
    public var channel: NotificationChannel
    /// The recipient's id.
    public var recipientId: String
    /// The recipient's kind.
    public var recipientKind: NotificationRecipient.Kind
    /// The recipient's display name.
    public var recipientName: String?
    /// E-mail address, phone number or webhook URL.
    public var address: String
    /// The subject (e-mail).
    public var subject: String?
    /// The text body (e-mail, SMS).
    public var text: String
    /// The HTML body (e-mail).
    public var html: String?
    /// The JSON body (webhook).
    public var payload: [UInt8]?
    /// The webhook's signing secret.
    public var webhookSecret: String?
    /// Attempts including this one.
    public var attempt: Int

    /// Creates a delivery value.
    public init(
        id: UUID, key: NotificationKey, leadId: LeadID, kind: NotificationKind, channel: NotificationChannel,
        recipientId: String, recipientKind: NotificationRecipient.Kind, recipientName: String?, address: String,
        subject: String?, text: String, html: String?, payload: [UInt8]?, webhookSecret: String?, attempt: Int
    ) {
        self.id = id
        self.key = key
        self.leadId = leadId
        self.kind = kind
        self.channel = channel
        self.recipientId = recipientId
        self.recipientKind = recipientKind
        self.recipientName = recipientName
        self.address = address
        self.subject = subject
        self.text = text
        self.html = html
        self.payload = payload
        self.webhookSecret = webhookSecret
        self.attempt = attempt
    }
}

/// Why a delivery attempt failed. The message never contains the address.
public struct DeliveryFailure: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong (addresses redacted).
    public let message: String
    /// Whether retrying cannot help.
    public let permanent: Bool

    /// Creates a failure; e-mail addresses in `message` are redacted.
    public init(_ message: String, permanent: Bool) {
        self.message = Self.redact(message)
        self.permanent = permanent
    }

    public var description: String { message }

    /// `message` with anything that looks like an e-mail address or a long digit run replaced.
    static func redact(_ message: String) -> String {
        var words: [String] = []
        for word in message.split(separator: " ", omittingEmptySubsequences: false) {
            let digits = word.filter(\.isNumber).count
            if word.contains("@") || digits >= 7 { words.append("<redacted>") } else { words.append(String(word)) }
        }
        return String(words.joined(separator: " ").prefix(500))
    }
}

/// Sends deliveries of one channel.
public protocol ChannelSender: Sendable {
    /// Hands `delivery` to the server (SMTP, SMS provider, webhook endpoint); returns only when
    /// it accepted it. Throws ``DeliveryFailure``.
    func send(_ delivery: OutgoingDelivery) async throws
}
