/// Who did something: every command event names its actor.
///
/// Note: inside modules that import `LeadModel`, `Actor` means this type; the concurrency
/// protocol is still reachable as `_Concurrency.Actor` (and `actor` declarations are unaffected).
public struct Actor: Hashable, Sendable, Codable {
    /// The kind of party acting.
    public enum Role: String, Hashable, Sendable, Codable, CaseIterable {
        /// Operates the whole platform.
        case platformAdmin = "platform_admin"
        /// Manages a team or location.
        case manager
        /// Works leads.
        case salesperson
        /// A dealer/installer location's contact (e.g. via a signed action link).
        case locationContact = "location_contact"
        /// A lead source (API key, webhook, feed).
        case integrationSource = "integration_source"
        /// A downstream consumer with read access.
        case downstreamReader = "downstream_reader"
        /// The lead's own customer (e.g. answering a review request through a signed link).
        case customer
        /// Leadflow itself (automations, schedulers).
        case system
    }

    /// The actor's id within its role (user id, source id, service name).
    public var id: String
    /// The actor's role.
    public var role: Role

    /// Creates an actor.
    public init(id: String, role: Role) {
        self.id = id
        self.role = role
    }

    /// A Leadflow service acting on its own, e.g. `Actor.system("routing")`.
    public static func system(_ service: String) -> Actor {
        Actor(id: service, role: .system)
    }
}
