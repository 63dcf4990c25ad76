import Crypto
import Foundation

/// Signs webhook bodies: `X-Leadflow-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>` over
/// `"<t>.<body>"` with the endpoint's secret. Receivers recompute it, compare in constant time and
/// refuse old timestamps (replays).
public struct WebhookSigner: Sendable {
    /// The signature header's name.
    public static let signatureHeader = "X-Leadflow-Signature"
    /// The timestamp header's name (the same `t` as in the signature, for convenience).
    public static let timestampHeader = "X-Leadflow-Timestamp"

    /// Creates a signer.
    public init() {}

    /// The signature header value for `body` sent at `timestamp` (unix seconds).
    public func signature(body: [UInt8], secret: String, timestamp: Int) -> String {
        "t=\(timestamp),v1=\(Self.hex(mac(body: body, secret: secret, timestamp: timestamp)))"
    }

    /// Whether `header` is a valid signature of `body` no older than `tolerance` seconds at `now`.
    public func verify(header: String, body: [UInt8], secret: String, now: Int, tolerance: Int = 300) -> Bool {
        var timestamp: Int?
        var signatures: [String] = []
        for part in header.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2 else { continue }
            if pair[0] == "t" { timestamp = Int(pair[1]) } else if pair[0] == "v1" { signatures.append(pair[1]) }
        }
        guard let timestamp, abs(now - timestamp) <= tolerance else { return false }
        let expected = mac(body: body, secret: secret, timestamp: timestamp)
        return signatures.contains { candidate in
            guard let bytes = Self.bytes(hex: candidate) else { return false }
            return HMAC<SHA256>.isValidAuthenticationCode(bytes, authenticating: Self.signedBytes(body, timestamp), using: SymmetricKey(data: Data(secret.utf8)))
                && bytes.count == expected.count
        }
    }

    private func mac(body: [UInt8], secret: String, timestamp: Int) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: Self.signedBytes(body, timestamp), using: SymmetricKey(data: Data(secret.utf8))))
    }

    private static func signedBytes(_ body: [UInt8], _ timestamp: Int) -> [UInt8] {
        Array("\(timestamp).".utf8) + body
    }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

    static func bytes(hex: String) -> [UInt8]? {
        let characters = Array(hex.utf8)
        guard characters.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(characters.count / 2)
        var index = 0
        while index < characters.count {
            guard let byte = UInt8(String(decoding: characters[index..<index + 2], as: UTF8.self), radix: 16) else { return nil }
            bytes.append(byte)
            index += 2
        }
        return bytes
    }
}
