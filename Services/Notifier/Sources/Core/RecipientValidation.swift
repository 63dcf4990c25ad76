import Foundation
import LeadModel

/// A rule a recipient profile (or another admin input) broke: becomes a 422 problem naming the field.
public struct ValidationFailure: Error, Hashable, Sendable, CustomStringConvertible {
    /// The offending field (JSON pointer).
    public let field: String
    /// The rule it broke (`format`, `required`, `length`…).
    public let rule: String
    /// A human-readable explanation.
    public let message: String

    /// Creates a failure.
    public init(field: String, rule: String, message: String) {
        self.field = field
        self.rule = rule
        self.message = message
    }

    public var description: String { "\(field): \(message)" }
}

/// Checks recipient profiles before they are stored: addresses must be safe to put on the wire
/// (no CR/LF header or SMTP command injection), channels must have addresses, ids must be plain.
public enum RecipientValidation {
    /// Ids: letters, digits and `.`, `_`, `:`, `-`, 1–100 characters, starting with a letter or digit.
    public static func isValidId(_ id: String) -> Bool {
        guard (1...100).contains(id.utf8.count), let first = id.unicodeScalars.first,
              CharacterSet.alphanumerics.contains(first), first.isASCII else { return false }
        return id.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "._:-".unicodeScalars.contains($0)) }
    }

    /// A plain `local@domain` address: ASCII, no spaces, quotes, angle brackets or control characters.
    public static func isValidEmail(_ address: String) -> Bool {
        guard (3...254).contains(address.utf8.count) else { return false }
        let forbidden = CharacterSet(charactersIn: " \"<>()[]\\,;").union(.controlCharacters)
        guard address.unicodeScalars.allSatisfy({ $0.isASCII && !forbidden.contains($0) }) else { return false }
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[0].count <= 64, parts[1].contains("."),
              !parts[1].hasPrefix("."), !parts[1].hasSuffix(".") else { return false }
        return true
    }

    /// E.164: `+` and 7–15 digits, not starting with 0.
    public static func isValidPhone(_ phone: String) -> Bool {
        let digits = phone.dropFirst()
        return phone.first == "+" && (7...15).contains(digits.count) && digits.first != "0"
            && digits.allSatisfy { $0.isASCII && $0.isNumber }
    }

    /// An absolute http(s) URL with a host, at most 2,000 characters.
    public static func isValidWebhookURL(_ text: String) -> Bool {
        guard text.utf8.count <= 2000, let url = URL(string: text), let scheme = url.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = url.host, !host.isEmpty,
              !text.unicodeScalars.contains(where: { CharacterSet.controlCharacters.contains($0) || $0 == " " })
        else { return false }
        return true
    }

    /// All problems of `profile`, first one first (empty when valid).
    public static func problems(of profile: RecipientProfile) -> [ValidationFailure] {
        var failures: [ValidationFailure] = []
        func fail(_ field: String, _ rule: String, _ message: String) {
            failures.append(ValidationFailure(field: field, rule: rule, message: message))
        }
        if !isValidId(profile.id) { fail("/id", "format", "ids are 1–100 letters, digits, '.', '_', ':' or '-'") }
        if let name = profile.name {
            if name.count > 200 { fail("/name", "length", "at most 200 characters") }
            if name.unicodeScalars.contains(where: { CharacterSet.controlCharacters.contains($0) }) {
                fail("/name", "format", "control characters are not allowed")
            }
        }
        if let email = profile.email, !isValidEmail(email) { fail("/email", "format", "not a plain e-mail address") }
        if let phone = profile.phone, !isValidPhone(phone) { fail("/phone", "format", "not an E.164 number (+15555550142)") }
        if let url = profile.webhookUrl, !isValidWebhookURL(url) { fail("/webhookUrl", "format", "not an http(s) URL") }
        if TimeZone(identifier: profile.timeZone) == nil { fail("/timeZone", "format", "not an IANA time zone") }
        if Set(profile.channels).count != profile.channels.count { fail("/channels", "unique", "a channel is listed twice") }
        for (index, channel) in profile.channels.enumerated() where profile.address(for: channel) == nil {
            fail("/channels/\(index)", "address_required", "the \(channel.rawValue) channel needs an address")
        }
        switch profile.kind {
        case .locationContact:
            if profile.locationId == nil { fail("/locationId", "required", "location contacts belong to a location") }
        case .webhook:
            if profile.channels != [.webhook] { fail("/channels", "format", "webhook subscribers use the webhook channel only") }
        case .member:
            if !profile.purposes.isEmpty { fail("/purposes", "format", "only webhook subscribers choose purposes") }
        }
        for (field, value) in [("/locationId", profile.locationId), ("/teamId", profile.teamId)] {
            if let value, !isValidId(value) { fail(field, "format", "ids are 1–100 letters, digits, '.', '_', ':' or '-'") }
        }
        return failures
    }
}
