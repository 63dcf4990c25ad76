import Crypto
import Foundation
import LeadModel

/// Signs small JSON payloads into opaque, tamper-evident strings (`<payload>.<signature>`,
/// both base64url) with HMAC-SHA256: pagination cursors and dashboard sessions.
///
/// Each use derives its own key from the secret, so a cursor can never pass as a session.
public struct Signer: Sendable {
    private let key: SymmetricKey

    /// A signer for `purpose` (`cursor`, `session`…) keyed by `secret`.
    public init(secret: String, purpose: String) {
        let derived = HMAC<SHA256>.authenticationCode(for: Data(purpose.utf8), using: SymmetricKey(data: Data(secret.utf8)))
        key = SymmetricKey(data: Data(derived))
    }

    /// The signed form of `payload`.
    public func sign<Payload: Encodable>(_ payload: Payload) throws -> String {
        let body = Data(try LeadflowJSON.encode(payload))
        let signature = Data(HMAC<SHA256>.authenticationCode(for: body, using: key))
        return Self.base64URL(body) + "." + Self.base64URL(signature)
    }

    /// The payload of `token`, or `nil` when it is malformed or its signature does not match.
    public func verify<Payload: Decodable>(_ token: String, as type: Payload.Type) -> Payload? {
        guard token.utf8.count <= 4096 else { return nil }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let body = Self.data(base64URL: String(parts[0])),
              let signature = Self.data(base64URL: String(parts[1])),
              HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: body, using: key)
        else { return nil }
        return try? LeadflowJSON.decode(Payload.self, from: body)
    }

    /// Hex SHA-256 of `text`.
    public static func sha256Hex(_ text: String) -> String {
        SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func data(base64URL text: String) -> Data? {
        guard text.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else { return nil }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64.append("=") }
        return Data(base64Encoded: base64)
    }
}
