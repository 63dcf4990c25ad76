import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// An HTTP response as tests look at it.
public struct TestHTTPResponse: Sendable {
    /// The status code.
    public let status: Int
    /// The headers (names lower-cased).
    public let headers: [String: String]
    /// The body bytes.
    public let body: [UInt8]

    /// The body as UTF-8 text.
    public var text: String { String(decoding: body, as: UTF8.self) }

    /// The body as a JSON object (empty when it is not one).
    public var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:]
    }

    /// The body as a JSON array (empty when it is not one).
    public var jsonArray: [Any] {
        (try? JSONSerialization.jsonObject(with: Data(body))) as? [Any] ?? []
    }
}

/// A small HTTP client for tests against real (in-process or child-process) servers.
public enum TestHTTP {
    /// Sends a request and collects the whole response (at most 64 MiB).
    public static func request(
        _ method: String, _ url: String, headers: [String: String] = [:], body: [UInt8]? = nil,
        timeout: Duration = .seconds(30)
    ) async throws -> TestHTTPResponse {
        var request = HTTPClientRequest(url: url)
        request.method = HTTPMethod(rawValue: method)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await HTTPClient.shared.execute(request, timeout: .nanoseconds(Int64(timeout.components.seconds) * 1_000_000_000))
        let collected = try await response.body.collect(upTo: 64 << 20)
        var headerMap: [String: String] = [:]
        for header in response.headers { headerMap[header.name.lowercased()] = header.value }
        return TestHTTPResponse(status: Int(response.status.code), headers: headerMap, body: Array(collected.readableBytesView))
    }

    /// `GET url`.
    public static func get(_ url: String, headers: [String: String] = [:]) async throws -> TestHTTPResponse {
        try await request("GET", url, headers: headers)
    }

    /// `POST url` with a JSON body.
    public static func postJSON(_ url: String, _ json: String, headers: [String: String] = [:]) async throws -> TestHTTPResponse {
        try await request("POST", url, headers: headers.merging(["content-type": "application/json"]) { a, _ in a }, body: Array(json.utf8))
    }
}
