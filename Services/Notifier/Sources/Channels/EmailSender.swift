import Foundation
import LeadModel

/// Sends e-mail deliveries over SMTP: builds the MIME message with a `Message-ID` derived from the
/// notification key, so the one unavoidable duplicate (crash after the server took the message,
/// before it was marked sent) carries the same id and receivers can drop it.
public struct EmailSender: ChannelSender {
    /// The SMTP client.
    public let client: SMTPClient
    /// The sender address (envelope and `From`).
    public let from: MailAddress
    /// The domain of generated `Message-ID`s.
    public let messageIDDomain: String
    /// The clock stamping `Date`.
    public let clock: NotifierClock

    /// Creates the sender.
    public init(client: SMTPClient, from: MailAddress, messageIDDomain: String, clock: @escaping NotifierClock) {
        self.client = client
        self.from = from
        self.messageIDDomain = messageIDDomain
        self.clock = clock
    }

    /// The message for `delivery`.
    public func message(for delivery: OutgoingDelivery) -> MailMessage {
        MailMessage(
            from: from, to: MailAddress(address: delivery.address, name: delivery.recipientName),
            subject: delivery.subject ?? delivery.kind.title, text: delivery.text, html: delivery.html,
            messageID: delivery.key.messageID(domain: messageIDDomain), date: clock(),
            extraHeaders: [
                ("X-Leadflow-Notification-Key", delivery.key.value),
                ("X-Leadflow-Lead", delivery.leadId.description),
                ("X-Leadflow-Purpose", delivery.kind.purpose.rawValue),
            ])
    }

    public func send(_ delivery: OutgoingDelivery) async throws {
        do {
            _ = try await client.send(from: from.address, to: [delivery.address], message: message(for: delivery).rendered())
        } catch {
            throw DeliveryFailure("smtp: \(error)", permanent: error.isPermanent)
        }
    }
}
