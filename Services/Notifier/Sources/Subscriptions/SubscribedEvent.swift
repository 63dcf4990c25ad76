import Foundation
import LeadModel

/// A consumed event as subscriptions see it: its type name, the lead facts filters use (source,
/// location), its status change if it is one, and its old → new values.
public struct SubscribedEvent: Sendable {
    /// The type (see ``SubscriptionEventType``).
    public var type: String
    /// The event's id.
    public var eventId: UUID
    /// The lead.
    public var leadId: LeadID
    /// When it happened.
    public var occurredAt: Date
    /// The lead's source id, when known.
    public var sourceId: String?
    /// The lead's location id (for a location response: the responding location), when known.
    public var locationId: String?
    /// The status change, for status-change events.
    public var statusChange: StatusChange?
    /// Old and new values of what changed (status, owner, location, score…).
    public var changes: [ValueChange]
    /// The original event.
    public var event: AnyLeadflowEvent

    /// What the subscription filters and payloads know of the lead beyond the event itself.
    public struct LeadFacts: Sendable, Hashable {
        /// Source id.
        public var sourceId: String?
        /// Location id.
        public var locationId: String?

        /// Creates facts.
        public init(sourceId: String? = nil, locationId: String? = nil) {
            self.sourceId = sourceId
            self.locationId = locationId
        }
    }

    /// The subscribed view of `event` (nil for events subscriptions never see: outcomes, metrics,
    /// dead letters). `facts` fill in what the event does not carry.
    public init?(_ event: AnyLeadflowEvent, facts: LeadFacts) {
        self.event = event
        self.eventId = event.eventId
        self.occurredAt = event.occurredAt
        self.statusChange = nil
        self.changes = []
        switch event {
        case .received(let received):
            type = SubscriptionEventType.received
            leadId = received.leadId
            sourceId = received.lead.source.id
            locationId = received.lead.locationId ?? facts.locationId
        case .scored(let scored):
            type = SubscriptionEventType.scored
            leadId = scored.leadId
            sourceId = scored.lead?.source.id ?? facts.sourceId
            locationId = scored.lead?.locationId ?? facts.locationId
            changes.append(ValueChange(field: "score", from: scored.previousScore.map(String.init), to: String(scored.score)))
            changes.append(ValueChange(field: "priority", from: scored.previousPriority?.rawValue, to: scored.priority.rawValue))
        case .assigned(let assigned):
            type = SubscriptionEventType.assigned
            leadId = assigned.leadId
            sourceId = assigned.lead?.source.id ?? facts.sourceId
            locationId = assigned.locationId ?? facts.locationId
            changes.append(ValueChange(field: "ownerId", from: assigned.previousOwnerId, to: assigned.ownerId))
            changes.append(ValueChange(field: "locationId", from: assigned.previousLocationId, to: assigned.locationId))
        case .lifecycle(let lifecycle):
            type = SubscriptionEventType.lifecycle(lifecycle.change.kind)
            leadId = lifecycle.leadId
            sourceId = facts.sourceId
            locationId = facts.locationId
            switch lifecycle.change {
            case .stageChanged(let from, let to):
                statusChange = StatusChange(status: .stage, from: from.rawValue, to: to.rawValue)
            case .pipelineStatusChanged(_, let from, let to, _, _):
                statusChange = StatusChange(status: .pipelineStatus, from: from.rawValue, to: to.rawValue)
            case .locationResponseChanged(let location, let from, let to, _, _):
                statusChange = StatusChange(status: .locationResponse, from: from.rawValue, to: to.rawValue)
                locationId = location
            case .manuallyAssigned(let owner, let location, _):
                changes.append(ValueChange(field: "ownerId", from: nil, to: owner))
                if let location {
                    changes.append(ValueChange(field: "locationId", from: facts.locationId, to: location))
                    locationId = location
                }
            default:
                break
            }
            if let statusChange {
                let field = switch statusChange.status {
                case .stage: "lifecycleStage"
                case .pipelineStatus: "pipelineStatus"
                case .locationResponse: "locationResponse"
                }
                changes.append(ValueChange(field: field, from: statusChange.from, to: statusChange.to))
            }
        case .notification, .metrics, .deadLetter:
            return nil
        }
    }
}

/// One changed value, old and new (nil: none / unknown).
public struct ValueChange: Hashable, Sendable, Codable {
    /// The field (`locationResponse`, `pipelineStatus`, `lifecycleStage`, `ownerId`, `locationId`,
    /// `score`, `priority`).
    public var field: String
    /// The old value.
    public var from: String?
    /// The new value.
    public var to: String?

    /// Creates a change.
    public init(field: String, from: String?, to: String?) {
        self.field = field
        self.from = from
        self.to = to
    }
}

/// The JSON body a subscriber receives (also documented in docs/notifier.md):
/// `{"deliveryId", "subscriptionId", "type", "eventId", "leadId", "occurredAt", "changes": [{"field",
/// "from", "to"}], "event": <the original event, as on its topic>}`.
public struct SubscriptionPayload: Encodable, Sendable {
    /// The delivery (also `Idempotency-Key` and `Leadflow-Delivery-Id`), lower-case.
    public var deliveryId: String
    /// The subscription, lower-case.
    public var subscriptionId: String
    /// The event type.
    public var type: String
    /// The event id, lower-case.
    public var eventId: String
    /// The lead.
    public var leadId: LeadID
    /// When it happened.
    public var occurredAt: Date
    /// Old → new values.
    public var changes: [ValueChange]
    /// The original event.
    public var event: EventBody

    /// The original event, encoded exactly as on its topic.
    public struct EventBody: Encodable, Sendable {
        let event: AnyLeadflowEvent

        public func encode(to encoder: any Encoder) throws {
            switch event {
            case .received(let value): try value.encode(to: encoder)
            case .scored(let value): try value.encode(to: encoder)
            case .assigned(let value): try value.encode(to: encoder)
            case .lifecycle(let value): try value.encode(to: encoder)
            case .notification(let value): try value.encode(to: encoder)
            case .metrics(let value): try value.encode(to: encoder)
            case .deadLetter(let value): try value.encode(to: encoder)
            }
        }
    }

    /// The payload of `event` for one subscription's delivery.
    public init(deliveryId: UUID, subscriptionId: UUID, event: SubscribedEvent) {
        self.deliveryId = deliveryId.uuidString.lowercased()
        self.subscriptionId = subscriptionId.uuidString.lowercased()
        self.type = event.type
        self.eventId = event.eventId.uuidString.lowercased()
        self.leadId = event.leadId
        self.occurredAt = event.occurredAt
        self.changes = event.changes
        self.event = EventBody(event: event.event)
    }

    /// The bytes to send (LeadflowJSON, so dates and keys are as on the topics).
    public func encoded() throws -> [UInt8] { try LeadflowJSON.encode(self) }
}
