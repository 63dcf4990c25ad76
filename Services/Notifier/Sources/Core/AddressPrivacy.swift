import Crypto
import Foundation
import LeadModel

/// Turns addresses into what may appear in events and logs: a masked form for people and a hash
/// for correlation. Raw addresses never leave the notifier's database and the wire to the server
/// that delivers them.
public enum AddressPrivacy {
    /// `j***@example.com`, `+1******0142`, `https://hooks.example.com/***`.
    public static func mask(_ address: String, channel: NotificationChannel) -> String {
        switch channel {
        case .email:
            guard let at = address.lastIndex(of: "@") else { return "***" }
            let local = address[..<at]
            let domain = address[address.index(after: at)...]
            return "\(local.first.map(String.init) ?? "")***@\(domain)"
        case .sms:
            let characters = Array(address)
            guard characters.count > 6 else { return String(repeating: "*", count: characters.count) }
            let head = String(characters.prefix(2))
            let tail = String(characters.suffix(4))
            return head + String(repeating: "*", count: characters.count - 6) + tail
        case .webhook:
            guard let url = URL(string: address), let scheme = url.scheme, let host = url.host else { return "***" }
            return "\(scheme)://\(host)/***"
        }
    }

    /// Hex SHA-256 of the normalized address (trimmed; e-mail lower-cased).
    public static func hash(_ address: String, channel: NotificationChannel) -> String {
        let trimmed = address.trimmingCharacters(in: .whitespacesAndNewlines)
        let normalized = channel == .email ? trimmed.lowercased() : trimmed
        return SHA256.hash(data: Data(normalized.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
