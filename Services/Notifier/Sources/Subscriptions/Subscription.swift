import Foundation
import LeadModel

/// An outbound webhook subscription of a downstream system.
public struct Subscription: Sendable, Hashable {
    /// Active (delivering) or paused (collecting a backlog).
    public enum State: String, Sendable, Hashable, Codable, CaseIterable {
        /// Deliveries go out.
        case active
        /// Deliveries wait; they are still recorded, and go out in order on resume.
        case paused
    }

    /// Its id.
    public var id: UUID
    /// A label for people.
    public var name: String?
    /// Where deliveries are POSTed.
    public var url: String
    /// What it receives.
    public var filter: SubscriptionFilter
    /// Active or paused.
    public var state: State
    /// Why it is paused (`manual` or what made it pause itself).
    public var pausedReason: String?
    /// When it was paused.
    public var pausedAt: Date?
    /// Failed attempts since the last success.
    public var consecutiveFailures: Int
    /// The first failure since the last success.
    public var failingSince: Date?
    /// The last successful delivery.
    public var lastDeliveredAt: Date?
    /// The last failure's message.
    public var lastError: String?
    /// Creation time.
    public var createdAt: Date
    /// Last change by a person.
    public var updatedAt: Date
    /// Who changed it last.
    public var updatedBy: String
}

/// The input of `POST /v1/subscriptions` and `PUT /v1/subscriptions/{id}`.
public struct SubscriptionInput: Decodable, Sendable {
    /// A label.
    public var name: String?
    /// The target URL.
    public var url: String?
    /// The signing secret (write-only; required on create, kept when omitted on update).
    public var secret: String?
    /// Event types.
    public var eventTypes: [String]?
    /// Status transitions.
    public var statusChanges: [StatusTransition]?
    /// Source ids.
    public var sources: [String]?
    /// Location ids.
    public var locations: [String]?

    /// The filter it describes.
    public var filter: SubscriptionFilter {
        SubscriptionFilter(eventTypes: eventTypes ?? [], statusChanges: statusChanges ?? [], sources: sources ?? [],
                           locations: locations ?? [])
    }
}

/// Checks of subscription input: target URLs, secrets, filters.
public enum SubscriptionValidation {
    /// Why `text` cannot be a target URL, or nil when it can: http or https, a host, no
    /// credentials, no fragment, no spaces or control characters, at most 2,000 bytes.
    public static func urlProblem(_ text: String) -> String? {
        guard text.utf8.count <= 2000 else { return "at most 2000 bytes" }
        if text.unicodeScalars.contains(where: { CharacterSet.controlCharacters.contains($0) || $0 == " " || $0 == "\\" }) {
            return "no spaces, backslashes or control characters"
        }
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased() else {
            return "not a URL"
        }
        guard scheme == "http" || scheme == "https" else { return "http or https only" }
        guard let host = components.host, !host.isEmpty else { return "a host is required" }
        if components.user != nil || components.password != nil || text.split(separator: "/", omittingEmptySubsequences: true).dropFirst().first?.contains("@") == true {
            return "credentials in the URL are not allowed (the secret signs deliveries)"
        }
        if components.fragment != nil { return "fragments are not allowed" }
        if let port = components.port, !(1...65535).contains(port) { return "invalid port" }
        return nil
    }

    /// Every problem of `input` (first one first). `creating`: the secret is required.
    public static func problems(of input: SubscriptionInput, creating: Bool) -> [ValidationFailure] {
        var failures: [ValidationFailure] = []
        func fail(_ field: String, _ rule: String, _ message: String) {
            failures.append(ValidationFailure(field: field, rule: rule, message: message))
        }
        if let name = input.name {
            if name.count > 200 { fail("/name", "length", "at most 200 characters") }
            if name.unicodeScalars.contains(where: { CharacterSet.controlCharacters.contains($0) }) {
                fail("/name", "format", "control characters are not allowed")
            }
        }
        if let url = input.url {
            if let problem = urlProblem(url) { fail("/url", "format", problem) }
        } else {
            fail("/url", "required", "the target URL is required")
        }
        if let secret = input.secret {
            if !(16...256).contains(secret.utf8.count) { fail("/secret", "length", "16 to 256 bytes") }
        } else if creating {
            fail("/secret", "required", "deliveries are signed with a secret")
        }
        let filter = input.filter
        if filter.eventTypes.count > 50 { fail("/eventTypes", "length", "at most 50 entries") }
        for (index, type) in filter.eventTypes.enumerated() where !SubscriptionEventType.isKnownFilterValue(type) {
            fail("/eventTypes/\(index)", "enum", "one of \(SubscriptionEventType.anyLifecycle), \(SubscriptionEventType.all.joined(separator: ", "))")
        }
        if filter.statusChanges.count > 50 { fail("/statusChanges", "length", "at most 50 entries") }
        for (index, transition) in filter.statusChanges.enumerated() {
            for (name, value) in [("from", transition.from), ("to", transition.to)] {
                guard let value else { continue }
                if !isValidStatusValue(value, for: transition.status) {
                    fail("/statusChanges/\(index)/\(name)", "enum", "not a \(transition.status?.rawValue ?? "status") value")
                }
            }
        }
        for (field, values) in [("sources", filter.sources), ("locations", filter.locations)] {
            if values.count > 500 { fail("/\(field)", "length", "at most 500 entries") }
            for (index, value) in values.enumerated() where !RecipientValidation.isValidId(value) {
                fail("/\(field)/\(index)", "format", "ids are 1–100 letters, digits, '.', '_', ':' or '-'")
            }
        }
        return failures
    }

    /// Whether `value` can be a value of `status` (nil: any kind).
    static func isValidStatusValue(_ value: String, for status: StatusKind?) -> Bool {
        switch status {
        case .stage: return LifecycleStage(rawValue: value) != nil
        case .locationResponse: return LocationResponseStatus(rawValue: value) != nil
        case .pipelineStatus, nil:
            // Pipelines are customizable: any lower-case token.
            return (1...64).contains(value.utf8.count)
                && value.utf8.allSatisfy { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || $0 == UInt8(ascii: "_") }
        }
    }
}
