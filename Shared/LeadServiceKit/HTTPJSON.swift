import Foundation
import Hummingbird
import LeadModel
import NIOCore

/// Limits applied to JSON request bodies before they are decoded.
public struct JSONBodyLimits: Sendable {
    /// Largest body accepted, in bytes (larger: 413).
    public var maxBytes: Int
    /// Deepest nesting of arrays and objects accepted (deeper: 400).
    public var maxDepth: Int

    /// Creates limits.
    public init(maxBytes: Int = 256 << 10, maxDepth: Int = 32) {
        self.maxBytes = maxBytes
        self.maxDepth = maxDepth
    }
}

extension Request {
    /// Collects the body, refusing one larger than `limits.maxBytes` with 413 `body_too_large`
    /// (counted while streaming, so a huge body is never held whole).
    public func collectBody(limit: Int) async throws -> ByteBuffer {
        do {
            return try await body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw Problem(status: .contentTooLarge, code: "body_too_large", detail: "the body exceeds \(limit) bytes")
        }
    }

    /// Reads the body as Leadflow JSON of type `T`.
    ///
    /// Answers, as problems: 413 `body_too_large`, 400 `invalid_utf8`, 400 `too_deeply_nested`,
    /// 400 `invalid_json` (not JSON at all) and 422 `invalid_field` (naming the field and the rule).
    public func decodeJSON<T: Decodable>(_ type: T.Type, limits: JSONBodyLimits = JSONBodyLimits()) async throws -> T {
        let buffer = try await collectBody(limit: limits.maxBytes)
        return try JSONBody.decode(type, from: Array(buffer.readableBytesView), limits: limits)
    }
}

/// Checks and decodes JSON bodies with the rules of ``Request/decodeJSON(_:limits:)``.
public enum JSONBody {
    /// Decodes `bytes` (already size-limited) as `T`.
    public static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8], limits: JSONBodyLimits = JSONBodyLimits()) throws -> T {
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw Problem(status: .badRequest, code: "invalid_utf8", detail: "the body is not valid UTF-8")
        }
        if let depth = nestingDepthExceeding(limits.maxDepth, in: bytes) {
            throw Problem(status: .badRequest, code: "too_deeply_nested",
                          detail: "the JSON nests deeper than \(limits.maxDepth) levels (at least \(depth))")
        }
        do {
            return try LeadflowJSON.decode(type, from: bytes)
        } catch let error as DecodingError {
            throw problem(for: error)
        } catch {
            throw Problem(status: .badRequest, code: "invalid_json", detail: "the body is not valid JSON")
        }
    }

    /// The 400/422 problem describing a decoding error: the field (a JSON pointer) and the rule.
    public static func problem(for error: DecodingError) -> Problem {
        switch error {
        case .keyNotFound(let key, let context):
            return Problem(status: .unprocessableContent, code: "invalid_field",
                           detail: "the field \(pointer(context.codingPath + [key])) is required",
                           field: pointer(context.codingPath + [key]), rule: "required")
        case .typeMismatch(let expected, let context):
            return Problem(status: .unprocessableContent, code: "invalid_field",
                           detail: "the field \(pointer(context.codingPath)) must be \(describe(expected))",
                           field: pointer(context.codingPath), rule: "type")
        case .valueNotFound(let expected, let context):
            return Problem(status: .unprocessableContent, code: "invalid_field",
                           detail: "the field \(pointer(context.codingPath)) must be \(describe(expected)), not null",
                           field: pointer(context.codingPath), rule: "required")
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty {
                return Problem(status: .badRequest, code: "invalid_json", detail: "the body is not valid JSON")
            }
            return Problem(status: .unprocessableContent, code: "invalid_field",
                           detail: "the field \(pointer(context.codingPath)) is invalid: \(context.debugDescription.prefix(200))",
                           field: pointer(context.codingPath), rule: "format")
        @unknown default:
            return Problem(status: .badRequest, code: "invalid_json", detail: "the body could not be read")
        }
    }

    /// A JSON pointer (`/lead/emails/0`) for a coding path.
    public static func pointer(_ path: [any CodingKey]) -> String {
        "/" + path.map { key in
            key.intValue.map(String.init) ?? key.stringValue.replacingOccurrences(of: "~", with: "~0")
                .replacingOccurrences(of: "/", with: "~1")
        }.joined(separator: "/")
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "a boolean"
        case is Int.Type, is Int64.Type, is Int32.Type: "an integer"
        case is Double.Type, is Decimal.Type: "a number"
        default: "a \(type)".lowercased()
        }
    }

    /// The first depth beyond `limit` reached by unquoted `[`/`{`, or `nil` when within it.
    public static func nestingDepthExceeding(_ limit: Int, in bytes: [UInt8]) -> Int? {
        var depth = 0
        var inString = false
        var escaped = false
        for byte in bytes {
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                if depth > limit { return depth }
            case UInt8(ascii: "]"), UInt8(ascii: "}"): depth -= 1
            default: break
            }
        }
        return nil
    }
}

extension Response {
    /// A JSON response in the Leadflow dialect (sorted keys, RFC 3339 dates, exact decimals).
    public static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) throws -> Response {
        var fields = headers
        fields[.contentType] = "application/json"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: try LeadflowJSON.encode(value))))
    }
}
