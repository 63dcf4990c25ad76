import Foundation
import LeadModel

/// Where an event sorts among the other events of its lead: by when it happened, then by topic
/// (a lead is received before it is scored, scored before it is assigned), then by arrival.
///
/// Analytics folds a lead's events in this order, never in arrival order, so events that
/// arrive late or out of order (they travel on different topics and partitions) land where
/// they belong.
public struct EventOrder: Hashable, Sendable, Codable, Comparable {
    /// The event's `occurredAt`.
    public var occurredAt: Date
    /// The topic's rank: received 0, lifecycle 1, scored 2, assigned 3, notifications 4.
    public var rank: Int
    /// Arrival order at analytics (a database sequence); breaks ties.
    public var sequence: Int64

    /// Creates an order key.
    public init(occurredAt: Date, rank: Int, sequence: Int64) {
        self.occurredAt = occurredAt
        self.rank = rank
        self.sequence = sequence
    }

    public static func < (lhs: EventOrder, rhs: EventOrder) -> Bool {
        (lhs.occurredAt, lhs.rank, lhs.sequence) < (rhs.occurredAt, rhs.rank, rhs.sequence)
    }
}

/// An event about one lead as analytics stores it: the decoded event and its place in the
/// lead's history.
public struct ProjectedEvent: Sendable, Hashable {
    /// The event.
    public var event: AnyLeadflowEvent
    /// Arrival order at analytics.
    public var sequence: Int64

    /// Creates a projected event.
    public init(_ event: AnyLeadflowEvent, sequence: Int64) {
        self.event = event
        self.sequence = sequence
    }

    /// Its sort key within the lead's history.
    public var order: EventOrder {
        EventOrder(occurredAt: event.occurredAt, rank: Self.rank(of: event), sequence: sequence)
    }

    /// The lead snapshot the event carries, if any (received, and usually scored and assigned).
    public var leadSnapshot: Lead? {
        switch event {
        case .received(let received): received.lead
        case .scored(let scored): scored.lead
        case .assigned(let assigned): assigned.lead
        default: nil
        }
    }

    /// The topic rank used by ``EventOrder``.
    public static func rank(of event: AnyLeadflowEvent) -> Int {
        switch event {
        case .received: 0
        case .lifecycle: 1
        case .scored: 2
        case .assigned: 3
        case .notification: 4
        case .metrics, .deadLetter: 5
        }
    }
}
