import Crypto
import Foundation
import LeadModel

/// The idempotency key of one notification: derived from what caused it, so processing the same
/// cause again yields the same key, and unique in the deliveries table, so it is sent at most once.
///
/// Keys hold ids only (never addresses or names): they appear in events and mail headers.
public struct NotificationKey: Hashable, Sendable, CustomStringConvertible {
    /// The key text, e.g. `evt/<eventId>/new_lead_assigned/member-7/email`.
    public let value: String

    /// The key of `kind` for `recipientId` on `channel`, caused by `cause`.
    public init(cause: NotificationCause, kind: NotificationKind, recipientId: String, channel: NotificationChannel) {
        value = "\(cause.keyPrefix)/\(kind.rawValue)/\(recipientId)/\(channel.rawValue)"
    }

    /// Wraps a stored key.
    public init(stored value: String) { self.value = value }

    public var description: String { value }

    /// The e-mail `Message-ID` for this key (without angle brackets): the same for every attempt,
    /// so a receiver can drop the duplicate the one unavoidable crash window may produce.
    public func messageID(domain: String) -> String {
        let digest = SHA256.hash(data: Data(value.utf8)).prefix(16).map { String(format: "%02x", $0) }.joined()
        return "\(digest).notification@\(domain)"
    }
}

/// What caused a notification: a consumed event or an occurrence of a scheduled job.
public enum NotificationCause: Hashable, Sendable {
    /// A consumed event (`leads.assigned` / `leads.lifecycle`).
    case event(UUID)
    /// The `occurrence`-th firing of a scheduled job.
    case job(UUID, occurrence: Int)

    var keyPrefix: String {
        switch self {
        case .event(let id): "evt/\(id.uuidString.lowercased())"
        case .job(let id, let occurrence): "job/\(id.uuidString.lowercased())/\(occurrence)"
        }
    }
}
