import Foundation
import LeadIntegrationSupport
import LeadModel
import LeadServiceKit
import LeadTestSupport
import Testing
@testable import LeadIngest

/// One-click links: signed, expiring, single-use, acting as the link's actor.
@Suite("Action links (real Tansu + PostgreSQL)")
struct ActionLinkTests {
    let signer = ActionLinkSigner(secret: AuthConfiguration.developmentSecret)
    static let location = "loc-links"
    let contact = Actor(id: "contact-1", role: .locationContact)

    func link(_ leadId: LeadID, _ action: ActionLinkAction, location: String? = ActionLinkTests.location, actor: Actor? = nil,
              expiresAt: Date = Date().addingTimeInterval(3600)) throws -> String {
        "/v1/actions/" + (try signer.token(for: ActionLinkClaims(leadId: leadId, locationId: location, actor: actor ?? contact, action: action, expiresAt: expiresAt)))
    }

    @Test("a location contact acknowledges, accepts, wins and completes; surveys arrive the same way; each link works once")
    func flow() async throws {
        let ingest = try await SharedIngest.get()
        let leadId = try await ingest.manualLead(location: Self.location)
        for action in [ActionLinkAction.acknowledge, .accept, .won, .complete] {
            let response = try await ingest.get(try link(leadId, action))
            #expect(response.status == 202, "\(action): \(response.text)")
        }
        let revenue = try link(leadId, .reportRevenue)
        #expect(try await ingest.get(revenue).status == 422)  // no amount: refused, link not used up
        #expect(try await ingest.get(revenue + "?amount=12,500.00&currency=usd&comment=Great%20lead").status == 202)
        #expect(try await ingest.get(revenue + "?amount=1").json["code"] as? String == "link_already_used")
        let customer = Actor(id: "customer-\(leadId)", role: .customer)
        let review = try link(leadId, .reviewLocation, actor: customer)
        #expect(try await ingest.get(review + "?rating=9").status == 422)
        #expect(try await ingest.get(review + "?rating=5").status == 202)

        let events = await ingest.lifecycleEvents(for: leadId, atLeast: 6)
        #expect(events.map(\.change).prefix(4) == [
            .locationResponseChanged(locationId: Self.location, from: .unacknowledged, to: .acknowledged, note: nil, followUpDelay: nil),
            .locationResponseChanged(locationId: Self.location, from: .acknowledged, to: .accepted, note: nil, followUpDelay: nil),
            .locationResponseChanged(locationId: Self.location, from: .accepted, to: .won, note: nil, followUpDelay: nil),
            .locationResponseChanged(locationId: Self.location, from: .won, to: .complete, note: nil, followUpDelay: nil),
        ])
        #expect(events.prefix(5).allSatisfy { $0.actor == contact })
        #expect(events[4].change == .surveyAnswered(SurveyAnswer(kind: .locationRevenue, revenue: Money(amount: 12500, currency: "USD"), comment: "Great lead")))
        #expect(events[5].change == .surveyAnswered(SurveyAnswer(kind: .customerReview, rating: 5)))
        #expect(events[5].actor == customer)
    }

    @Test("forged, damaged and expired links are refused with 401; reused ones with 409; a lost link needs a reason")
    func refusals() async throws {
        let ingest = try await SharedIngest.get()
        let leadId = try await ingest.manualLead(location: Self.location)
        let forged = "/v1/actions/" + (try ActionLinkSigner(secret: "another-secret-that-is-long-enough-000").token(
            for: ActionLinkClaims(leadId: leadId, locationId: Self.location, actor: contact, action: .accept, expiresAt: Date().addingTimeInterval(3600))))
        let forgedResponse = try await ingest.get(forged)
        #expect(forgedResponse.status == 401)
        #expect(forgedResponse.json["code"] as? String == "invalid_signature")
        let valid = try link(leadId, .accept)
        #expect(try await ingest.get(String(valid.dropLast(3)) + "AAA").status == 401)
        #expect(try await ingest.get("/v1/actions/garbage").status == 401)
        let expired = try await ingest.get(try link(leadId, .accept, expiresAt: Date().addingTimeInterval(-1)))
        #expect(expired.status == 401)
        #expect(expired.json["code"] as? String == "token_expired")
        #expect(try await ingest.get(valid).status == 202)
        let reused = try await ingest.get(valid)
        #expect(reused.status == 409)
        #expect(reused.json["code"] as? String == "link_already_used")
        let lost = try link(leadId, .lost)
        let noReason = try await ingest.get(lost)
        #expect(noReason.status == 422)
        #expect(noReason.json["code"] as? String == "lost_reason_required")
        #expect(try await ingest.get(lost + "?reason=purchased_elsewhere").status == 202)
        let wrongPlace = try await ingest.get(try link(leadId, .complete, location: "loc-other"))
        #expect(wrongPlace.status == 409)
        #expect(wrongPlace.json["code"] as? String == "link_not_current")
        let unknownLead = try await ingest.get(try link(LeadID(), .accept))
        #expect(unknownLead.status == 404)
    }
}
