import Foundation
import LeadModel
import LeadServiceKit

/// Which one-click actions a notification offers: location contacts act on the lead through
/// them, customers answer the review request. Members use the app instead.
public enum ActionLinkPlan {
    /// The actions offered to a `recipient` in a notification of `kind` about a lead whose
    /// location response is `response`.
    public static func actions(
        for kind: NotificationKind, recipient: NotificationRecipient.Kind, response: LocationResponseStatus?
    ) -> [ActionLinkAction] {
        switch (recipient, kind) {
        case (.locationContact, .newLeadAssigned), (.locationContact, .overdue):
            switch response {
            case nil, .unacknowledged?: return [.acknowledge, .accept, .reject]
            case .acknowledged?: return [.accept, .reject]
            default: return []
            }
        case (.locationContact, .statusUpdateRequest):
            switch response {
            case .accepted?: return [.won, .lost]
            case .won?, .lost?: return [.complete]
            default: return []
            }
        case (.locationContact, .locationSurvey):
            return [.reportRevenue]
        case (.customer, .customerReviewRequest):
            return [.reviewLocation]
        default:
            return []
        }
    }
}

/// Signs action links and turns them into URLs on ingest's public address
/// (`LEADFLOW_PUBLIC_INGEST_URL` + `/v1/actions/{token}`).
public struct ActionLinkBuilder: Sendable {
    /// The signer (shared secret with ingest).
    public let signer: ActionLinkSigner
    /// Ingest's public base URL, without a trailing slash.
    public let baseURL: String
    /// How long links stay valid.
    public let lifetime: TimeInterval

    /// Creates a builder.
    public init(signer: ActionLinkSigner, baseURL: String, lifetime: TimeInterval) {
        self.signer = signer
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.lifetime = lifetime
    }

    /// One signed single-use link per action, for `actor` on the lead.
    public func links(
        leadId: LeadID, locationId: String?, actor: Actor, actions: [ActionLinkAction], now: Date
    ) throws -> [ActionLinkAction: String] {
        var links: [ActionLinkAction: String] = [:]
        for action in actions {
            let claims = ActionLinkClaims(
                leadId: leadId, locationId: locationId, actor: actor, action: action, expiresAt: now.addingTimeInterval(lifetime))
            links[action] = url(for: try signer.token(for: claims))
        }
        return links
    }

    /// The URL of a token.
    public func url(for token: String) -> String { "\(baseURL)/v1/actions/\(token)" }

    /// The review request's per-rating URLs: one token, the rating in the `rating` query parameter.
    public static func reviewLinks(from url: String) -> [(rating: Int, url: String)] {
        (1...5).reversed().map { ($0, "\(url)?rating=\($0)") }
    }
}
