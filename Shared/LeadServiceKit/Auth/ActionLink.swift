import Crypto
import Foundation
import LeadModel

/// What a one-click action link does when followed (`GET /v1/actions/{token}` on ingest).
public enum ActionLinkAction: String, Sendable, Hashable, Codable, CaseIterable {
    /// The location has seen the lead.
    case acknowledge
    /// The location takes the lead.
    case accept
    /// The location declines the lead (routing re-routes it).
    case reject
    /// The location sold to the lead.
    case won
    /// The location lost the lead.
    case lost
    /// The location finished with the lead.
    case complete
    /// The location reports revenue attributable to the lead (the survey; amount in the query).
    case reportRevenue = "report_revenue"
    /// The customer reviews the location (rating 1–5 in the query).
    case reviewLocation = "review_location"
}

/// The signed content of an action link: which lead, who acts, what, until when, and a nonce
/// that makes the link single-use (ingest records used nonces).
public struct ActionLinkClaims: Sendable, Hashable, Codable {
    /// The lead acted on.
    public var leadId: LeadID
    /// The location the lead was sent to.
    public var locationId: String?
    /// Who follows the link (a location contact id, or the customer).
    public var actor: Actor
    /// What following it does.
    public var action: ActionLinkAction
    /// Until when the link works.
    public var expiresAt: Date
    /// Unique per link; a used nonce is refused.
    public var nonce: String

    /// Creates claims.
    public init(
        leadId: LeadID, locationId: String?, actor: Actor, action: ActionLinkAction, expiresAt: Date,
        nonce: String = UUID().uuidString.lowercased()
    ) {
        self.leadId = leadId
        self.locationId = locationId
        self.actor = actor
        self.action = action
        self.expiresAt = expiresAt
        self.nonce = nonce
    }
}

/// Signs and verifies one-click action links with HMAC-SHA256. The notifier signs the links it
/// mails; ingest verifies them. Tokens are URL-safe: `v1.<claims>.<signature>` in base64url.
public struct ActionLinkSigner: Sendable {
    private let key: SymmetricKey

    /// Creates a signer with the shared secret (`LEADFLOW_ACTION_LINK_SECRET`).
    public init(secret: String) {
        key = SymmetricKey(data: Data(secret.utf8))
    }

    /// The token for `claims`.
    public func token(for claims: ActionLinkClaims) throws -> String {
        let payload = Data(try LeadflowJSON.encode(claims)).base64URLEncoded
        let signed = "v1.\(payload)"
        let mac = HMAC<SHA256>.authenticationCode(for: Data(signed.utf8), using: key)
        return "\(signed).\(Data(mac).base64URLEncoded)"
    }

    /// The claims of a genuine, unexpired token.
    /// - Throws: ``AuthenticationFailure`` (`invalid_signature` for a forged or damaged link,
    ///   `token_expired` for an old one). Whether the nonce was used is the caller's to check.
    public func verify(_ token: String, now: Date = Date()) throws(AuthenticationFailure) -> ActionLinkClaims {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard token.utf8.count <= 4096, parts.count == 3, parts[0] == "v1",
              let mac = Data(base64URL: String(parts[2])),
              HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: Data("v1.\(parts[1])".utf8), using: key),
              let payload = Data(base64URL: String(parts[1])),
              let claims = try? LeadflowJSON.decode(ActionLinkClaims.self, from: payload)
        else {
            throw AuthenticationFailure(.invalidSignature, "the action link is not valid")
        }
        guard claims.expiresAt > now else {
            throw AuthenticationFailure(.tokenExpired, "the action link has expired")
        }
        return claims
    }
}
