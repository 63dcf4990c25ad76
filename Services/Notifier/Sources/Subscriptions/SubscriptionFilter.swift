import Foundation
import LeadModel

/// The event types a subscription can ask for. Names follow the topics' CloudEvents types without
/// the version: `lead.received`, `lead.scored`, `lead.assigned`, and one per lifecycle change kind,
/// `lead.lifecycle.<kind>` (e.g. `lead.lifecycle.location_response_changed`). `lead.lifecycle`
/// alone stands for every lifecycle change.
public enum SubscriptionEventType {
    /// `leads.received`.
    public static let received = "lead.received"
    /// `leads.scored`.
    public static let scored = "lead.scored"
    /// `leads.assigned`.
    public static let assigned = "lead.assigned"
    /// Every lifecycle change (a filter value, not the type of an event).
    public static let anyLifecycle = "lead.lifecycle"

    /// The type of a lifecycle change of `kind`.
    public static func lifecycle(_ kind: LifecycleChange.Kind) -> String { "lead.lifecycle.\(kind.rawValue)" }

    /// Every concrete event type (what deliveries carry).
    public static let all: [String] = [received, scored, assigned] + LifecycleChange.Kind.allCases.map(lifecycle)

    /// The status-change types, whose from/to values ``StatusTransition`` filters on.
    public static let statusChanges: Set<String> = [
        lifecycle(.stageChanged), lifecycle(.pipelineStatusChanged), lifecycle(.locationResponseChanged),
    ]

    /// Whether `name` may appear in a filter.
    public static func isKnownFilterValue(_ name: String) -> Bool { name == anyLifecycle || all.contains(name) }
}

/// Which status a ``StatusTransition`` is about.
public enum StatusKind: String, Hashable, Sendable, Codable, CaseIterable {
    /// Lifecycle stage (`lead → quote → request → confirmed`).
    case stage
    /// Pipeline status (`new … closed_won | closed_lost`, custom pipelines allowed).
    case pipelineStatus = "pipeline_status"
    /// Location response (`unacknowledged → acknowledged → accepted | rejected → won | lost → complete`).
    case locationResponse = "location_response"

    /// The event type carrying changes of this status.
    public var eventType: String {
        switch self {
        case .stage: SubscriptionEventType.lifecycle(.stageChanged)
        case .pipelineStatus: SubscriptionEventType.lifecycle(.pipelineStatusChanged)
        case .locationResponse: SubscriptionEventType.lifecycle(.locationResponseChanged)
        }
    }
}

/// A status change a subscription wants, e.g. `{"status": "location_response", "from": "accepted",
/// "to": "won"}`. A missing `status` matches any of the three status kinds, a missing `from` or
/// `to` any value.
public struct StatusTransition: Hashable, Sendable, Codable {
    /// The status kind (nil: any).
    public var status: StatusKind?
    /// The old value (nil: any).
    public var from: String?
    /// The new value (nil: any).
    public var to: String?

    /// Creates a transition.
    public init(status: StatusKind? = nil, from: String? = nil, to: String? = nil) {
        self.status = status
        self.from = from
        self.to = to
    }

    /// Whether `change` is this transition.
    public func matches(_ change: StatusChange) -> Bool {
        (status == nil || status == change.status) && (from == nil || from == change.from) && (to == nil || to == change.to)
    }
}

/// A status change as an event carries it: kind, old and new value.
public struct StatusChange: Hashable, Sendable, Codable {
    /// Which status.
    public var status: StatusKind
    /// Old value.
    public var from: String
    /// New value.
    public var to: String

    /// Creates a status change.
    public init(status: StatusKind, from: String, to: String) {
        self.status = status
        self.from = from
        self.to = to
    }
}

/// What a subscription receives. Every non-empty list narrows it; an empty filter receives every
/// event.
///
/// * `eventTypes` — the types (see ``SubscriptionEventType``); empty: every type, except that a
///   filter with `statusChanges` and no `eventTypes` receives status changes only.
/// * `statusChanges` — status-change events must match one of these transitions (other types are
///   not affected by it).
/// * `sources` — the lead's source id must be one of these.
/// * `locations` — the lead's location id (for a location response, the responding location) must be
///   one of these.
public struct SubscriptionFilter: Hashable, Sendable, Codable {
    /// Event types (empty: all).
    public var eventTypes: [String]
    /// Status transitions (empty: all).
    public var statusChanges: [StatusTransition]
    /// Source ids (empty: all).
    public var sources: [String]
    /// Location ids (empty: all).
    public var locations: [String]

    /// Creates a filter.
    public init(eventTypes: [String] = [], statusChanges: [StatusTransition] = [], sources: [String] = [], locations: [String] = []) {
        self.eventTypes = eventTypes
        self.statusChanges = statusChanges
        self.sources = sources
        self.locations = locations
    }

    /// Whether the subscription receives `event`.
    public func matches(_ event: SubscribedEvent) -> Bool {
        if eventTypes.isEmpty {
            if !statusChanges.isEmpty && event.statusChange == nil { return false }
        } else {
            let lifecycleWildcard = eventTypes.contains(SubscriptionEventType.anyLifecycle) && event.type.hasPrefix("lead.lifecycle.")
            guard lifecycleWildcard || eventTypes.contains(event.type) else { return false }
        }
        if !statusChanges.isEmpty, let change = event.statusChange {
            guard statusChanges.contains(where: { $0.matches(change) }) else { return false }
        }
        if !sources.isEmpty {
            guard let source = event.sourceId, sources.contains(source) else { return false }
        }
        if !locations.isEmpty {
            guard let location = event.locationId, locations.contains(location) else { return false }
        }
        return true
    }
}
