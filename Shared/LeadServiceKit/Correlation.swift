import Foundation
import HTTPTypes
import Hummingbird
import LeadMessaging

/// The correlation id of the work in progress: one id that follows a lead's path through every
/// service, so a single search over the JSON logs shows all of it.
///
/// It starts where work enters Leadflow — an HTTP request (the caller's `X-Correlation-ID`, the
/// trace id of a W3C `traceparent`, or a fresh id) or a consumed message without one — and travels
/// in the CloudEvents extension attribute `correlationid` (Kafka header `ce_correlationid`) of every
/// event emitted while handling it. ``EventEncoder`` stamps it on outbox records,
/// ``EventConsumerService`` restores it for the handler of a consumed event, and
/// ``JSONLogHandler`` adds it (and the lead id) to every log line written meanwhile.
public enum Correlation {
    /// The correlation id of the current task, if any.
    @TaskLocal public static var id: String?
    /// The lead the current task works on, if known (consumed events: the message key).
    @TaskLocal public static var leadId: String?

    /// Kafka header of the CloudEvents extension attribute `correlationid`.
    public static let kafkaHeader = "ce_correlationid"
    /// HTTP header a caller may send and every response carries.
    public static let httpHeader = HTTPField.Name("X-Correlation-ID")!

    /// `raw` when it is a safe id (1–128 characters of letters, digits and `-_.:`), else `nil`:
    /// ids come from outside and end up in logs and headers.
    public static func sanitized(_ raw: String?) -> String? {
        guard let raw, !raw.isEmpty, raw.utf8.count <= 128 else { return nil }
        let allowed = raw.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || "-_.:".unicodeScalars.contains(scalar))
        }
        return allowed ? raw : nil
    }

    /// The trace id of a W3C `traceparent` header (`00-<32 hex>-<16 hex>-<2 hex>`), if well-formed.
    public static func traceId(fromTraceparent value: String?) -> String? {
        guard let parts = value?.split(separator: "-"), parts.count == 4, parts[1].count == 32,
              parts[1].allSatisfy(\.isHexDigit), parts[1] != String(repeating: "0", count: 32)
        else { return nil }
        return String(parts[1]).lowercased()
    }

    /// The correlation id a consumed message carries, else its event id, else a fresh one.
    public static func of(_ message: ConsumedMessage) -> String {
        var eventId: String?
        for header in message.headers {
            if header.key == kafkaHeader, let id = sanitized(header.stringValue) { return id }
            if header.key == "ce_id" { eventId = sanitized(header.stringValue) }
        }
        return eventId ?? UUID().uuidString.lowercased()
    }
}

/// Sets ``Correlation/id`` for the handling of a request and echoes it in `X-Correlation-ID`.
public struct CorrelationMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Creates the middleware.
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let id = Correlation.sanitized(request.headers[Correlation.httpHeader])
            ?? Correlation.traceId(fromTraceparent: request.headers[HTTPField.Name("traceparent")!])
            ?? UUID().uuidString.lowercased()
        var response = try await Correlation.$id.withValue(id) {
            try await next(request, context)
        }
        response.headers[Correlation.httpHeader] = id
        return response
    }
}
