import Hummingbird
import LeadModel
import LeadServiceKit

extension IntakeRejection {
    /// The problem answering it: 400 for unreadable input, 422 for broken field rules.
    var problem: Problem {
        let first = self.first
        let more = violations.count > 1 ? " (and \(violations.count - 1) more violation\(violations.count > 2 ? "s" : ""))" : ""
        return Problem(
            status: isMalformed ? .badRequest : .unprocessableContent, code: first.code,
            detail: first.detail + more, field: first.field, rule: first.rule)
    }
}

extension JSONParseError {
    /// 400 with the parser's code.
    var problem: Problem {
        Problem(status: .badRequest, code: code, detail: message)
    }

    var rejection: IntakeRejection { .malformed(code, message) }
}

extension XMLReadError {
    /// 400 (415 for an unsupported encoding) with the reader's code.
    var problem: Problem {
        Problem(status: code == "unsupported_encoding" ? .unsupportedMediaType : .badRequest, code: code, detail: message)
    }

    var rejection: IntakeRejection { .malformed(code, message) }
}

extension TransitionError {
    /// 409 when the lead's state forbids the move, 422 when the request lacks what the move needs.
    var problem: Problem {
        let conflict: Set<String> = ["illegal_transition", "terminal_status", "no_change"]
        return Problem(
            status: conflict.contains(code.rawValue) ? .conflict : .unprocessableContent,
            code: code.rawValue, detail: message, field: code.rawValue == "lost_reason_required" ? "/lostReason" : (code.rawValue == "note_required" ? "/note" : nil),
            rule: "transition")
    }
}

extension Problem {
    /// 415 for a body of the wrong media type.
    static func unsupportedMediaType(_ expected: String) -> Problem {
        Problem(status: .unsupportedMediaType, code: "unsupported_media_type", detail: "the body must be \(expected)")
    }

    /// 410 for a lead whose personal data was erased.
    static var leadErased: Problem {
        Problem(status: .gone, code: "lead_erased", detail: "the lead was erased; it takes no more changes")
    }

    /// 422 for one field.
    static func invalid(_ field: String, rule: String, _ detail: String, code: String = "invalid_field") -> Problem {
        Problem(status: .unprocessableContent, code: code, detail: detail, field: field, rule: rule)
    }
}

extension Request {
    /// The media type of the body, lower-cased, without parameters (`nil` when absent).
    var mediaType: String? {
        guard let value = headers[.contentType] else { return nil }
        return value.split(separator: ";").first.map { $0.trimmingWhitespace.lowercased() }
    }

    /// Refuses a body whose declared type is not one of `accepted` (an absent type is accepted).
    func requireMediaType(_ accepted: [String], suffix: String? = nil, describe: String) throws {
        guard let type = mediaType else { return }
        if accepted.contains(type) { return }
        if let suffix, type.hasSuffix(suffix) { return }
        throw Problem.unsupportedMediaType(describe)
    }
}
