import Foundation
import LeadModel
import LeadServiceKit
import Testing

@Suite("Signed one-click action links")
struct ActionLinkTests {
    let signer = ActionLinkSigner(secret: "action-link-secret-for-tests")
    let claims = ActionLinkClaims(
        leadId: LeadID(), locationId: "loc-1", actor: Actor(id: "contact-7", role: .locationContact),
        action: .accept, expiresAt: LeadflowJSON.wirePrecision(Date().addingTimeInterval(3600)))

    @Test("a link verifies to its claims and is URL-safe")
    func roundTrip() throws {
        let token = try signer.token(for: claims)
        #expect(try signer.verify(token) == claims)
        #expect(token.allSatisfy { $0.isLetter || $0.isNumber || "-_.".contains($0) })
    }

    @Test("tampered, foreign, expired and malformed links are refused")
    func refusals() throws {
        let token = try signer.token(for: claims)
        var other = claims
        other.action = .won
        let forgedPayload = try ActionLinkSigner(secret: "some-other-secret-value").token(for: other)
        let spliced = token.split(separator: ".")[0] + "." + forgedPayload.split(separator: ".")[1] + "." + token.split(separator: ".")[2]
        for bad in [forgedPayload, String(spliced), token + "x", "v2" + token.dropFirst(2), "", "...", String(repeating: "a", count: 5000)] {
            #expect(throws: AuthenticationFailure.self) { try signer.verify(bad) }
        }
        var old = claims
        old.expiresAt = Date().addingTimeInterval(-1)
        do {
            _ = try signer.verify(try signer.token(for: old))
            Issue.record("an expired link verified")
        } catch let failure as AuthenticationFailure {
            #expect(failure.reason == .tokenExpired)
        }
    }
}
