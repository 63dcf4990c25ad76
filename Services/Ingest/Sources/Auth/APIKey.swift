import Crypto
import Foundation

/// An intake API key: `lfk_<key id>_<secret>`. The key id finds the stored record; only a
/// SHA-256 hash of the whole key is stored, so a database leak reveals no usable key.
public struct APIKey: Sendable, Hashable {
    /// Public part, used to look the key up (12 hex characters).
    public let keyId: String
    /// The whole key as given to the source (shown once, never stored or logged).
    public let plaintext: String

    /// A new random key.
    public static func generate() -> APIKey {
        let id = randomBytes(6).map { String(format: "%02x", $0) }.joined()
        let secret = Data(randomBytes(32)).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        return APIKey(keyId: id, plaintext: "lfk_\(id)_\(secret)")
    }

    /// Reads a presented key; `nil` when it does not have the key format.
    public static func parse(_ text: String) -> APIKey? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.utf8.count <= 200 else { return nil }
        let parts = trimmed.split(separator: "_", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "lfk", parts[1].count == 12,
              parts[1].allSatisfy({ $0.isHexDigit }), parts[2].count >= 20
        else { return nil }
        return APIKey(keyId: String(parts[1]), plaintext: trimmed)
    }

    /// The stored hash.
    public var hash: [UInt8] { Self.hash(plaintext) }

    /// SHA-256 of a key's text.
    public static func hash(_ plaintext: String) -> [UInt8] {
        Array(SHA256.hash(data: Data(plaintext.utf8)))
    }

    /// Compares hashes in constant time.
    public static func matches(_ presented: [UInt8], stored: [UInt8]) -> Bool {
        guard presented.count == stored.count else { return false }
        var difference: UInt8 = 0
        for index in presented.indices { difference |= presented[index] ^ stored[index] }
        return difference == 0
    }

    private static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }
}
