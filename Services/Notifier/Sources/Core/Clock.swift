import Foundation

/// The notifier's notion of "now". Production uses the system clock; tests inject one they move,
/// so reminders, overdue alerts and status-update requests fire at controlled times.
public typealias NotifierClock = @Sendable () -> Date

/// The system clock.
public let systemClock: NotifierClock = { Date() }
