import Foundation

/// The source of "now" for everything time-dependent in routing (working hours, SLA deadlines,
/// event times), so tests can move time instead of waiting.
public protocol RoutingClock: Sendable {
    /// The current time.
    func now() -> Date
}

/// The real clock.
public struct SystemClock: RoutingClock {
    /// Creates the system clock.
    public init() {}

    public func now() -> Date { Date() }
}
