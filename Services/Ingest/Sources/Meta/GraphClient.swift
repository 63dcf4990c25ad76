import AsyncHTTPClient
import Foundation
import NIOCore

/// Fetches Meta leads from the Graph API: `GET {base}/{version}/{leadgen-id}` with the page
/// access token (sent as a bearer header, so it never appears in a URL or log).
struct GraphClient: Sendable {
    let baseURL: String
    let version: String
    let accessToken: String?
    let timeout: TimeInterval

    static let fields = [
        "id", "created_time", "ad_id", "ad_name", "adset_id", "adset_name", "campaign_id", "campaign_name",
        "form_id", "field_data", "custom_disclaimer_responses", "is_organic", "platform",
    ].joined(separator: ",")

    /// Why a fetch failed (retried until the attempts run out).
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// The lead's JSON body.
    func fetch(leadgenId: String) async throws -> [UInt8] {
        guard let accessToken else { throw Failure(description: "no Graph API access token is configured") }
        let base = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        var request = HTTPClientRequest(url: "\(base)/\(version)/\(leadgenId)?fields=\(Self.fields)")
        request.method = .GET
        request.headers.add(name: "Authorization", value: "Bearer \(accessToken)")
        request.headers.add(name: "Accept", value: "application/json")
        let response: HTTPClientResponse
        do {
            response = try await HTTPClient.shared.execute(request, timeout: .milliseconds(Int64(timeout * 1000)))
        } catch {
            throw Failure(description: "Graph API request failed: \(type(of: error))")
        }
        let body = try await response.body.collect(upTo: 1 << 20)
        guard response.status == .ok else {
            throw Failure(description: "Graph API answered HTTP \(response.status.code)")
        }
        return Array(body.readableBytesView)
    }
}
