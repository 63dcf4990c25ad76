import AsyncHTTPClient
import Foundation
import LeadModel
import LeadServiceKit
import Logging
import NIOCore

/// How leadctl reaches ingest's HTTP API: the base URL and one credential.
struct IngestEndpoint: Sendable {
    var baseURL: String
    /// Request headers carrying the credential (`X-API-Key` or `Authorization`).
    var credentials: [(String, String)]

    /// From options, falling back to `LEADFLOW_PUBLIC_INGEST_URL`, `LEADFLOW_API_KEY` and
    /// `LEADFLOW_OPERATOR_TOKEN` (what `make run` writes to .run/demo.env).
    static func resolve(url: String?, apiKey: String?, token: String?) throws -> IngestEndpoint {
        let env = ProcessInfo.processInfo.environment
        let base = url ?? env["LEADFLOW_PUBLIC_INGEST_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? "http://127.0.0.1:8081"
        if let key = apiKey ?? env["LEADFLOW_API_KEY"].flatMap({ $0.isEmpty ? nil : $0 }) {
            return IngestEndpoint(baseURL: base, credentials: [("X-API-Key", key)])
        }
        if let token = token ?? env["LEADFLOW_OPERATOR_TOKEN"].flatMap({ $0.isEmpty ? nil : $0 }) {
            return IngestEndpoint(baseURL: base, credentials: [("Authorization", "Bearer \(token)")])
        }
        throw CLIError("no credentials: pass --api-key or --token (or set LEADFLOW_API_KEY / LEADFLOW_OPERATOR_TOKEN)")
    }

    /// Sends a request and collects the answer (at most 16 MiB).
    func send(_ method: HTTPMethodName, _ path: String, body: [UInt8]? = nil, contentType: String? = nil,
              extraHeaders: [(String, String)] = [], timeout: TimeAmount = .seconds(30)) async throws -> (status: Int, body: [UInt8]) {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = .init(rawValue: method.rawValue)
        for (name, value) in credentials + extraHeaders { request.headers.add(name: name, value: value) }
        if let contentType { request.headers.add(name: "Content-Type", value: contentType) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await HTTPClient.shared.execute(request, timeout: timeout)
        let collected = try await response.body.collect(upTo: 16 << 20)
        return (Int(response.status.code), Array(collected.readableBytesView))
    }
}

/// The HTTP methods leadctl uses.
enum HTTPMethodName: String, Sendable {
    case GET, POST, PUT, DELETE
}

/// A command-line failure with a message for the operator.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension Array where Element == UInt8 {
    /// The bytes as a JSON object, or empty.
    var jsonObject: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(self))) as? [String: Any] ?? [:]
    }

    var text: String { String(decoding: self, as: UTF8.self) }
}
