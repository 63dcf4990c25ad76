/// How a dealer or installer location has responded to a lead sent to it.
///
/// `unacknowledged → acknowledged → accepted | rejected`, then `accepted → won | lost`, then
/// `won | lost → complete`. A location may also accept or reject an unacknowledged lead
/// directly (a one-click accept implies acknowledgement). `rejected` and `complete` are
/// terminal. Staying in the same status is not a change.
public enum LocationResponseStatus: String, Hashable, Sendable, Codable, CaseIterable {
    case unacknowledged, acknowledged, accepted, rejected, won, lost, complete

    /// The statuses this one may move to.
    public var allowedNext: [LocationResponseStatus] {
        switch self {
        case .unacknowledged: [.acknowledged, .accepted, .rejected]
        case .acknowledged: [.accepted, .rejected]
        case .accepted: [.won, .lost]
        case .won, .lost: [.complete]
        case .rejected, .complete: []
        }
    }

    /// Whether nothing may follow this status.
    public var isTerminal: Bool {
        allowedNext.isEmpty
    }

    /// Whether a lead resting here gets automated status-update requests after the
    /// location's chosen ``FollowUpDelay`` (accepted and won leads that do not advance).
    public var awaitsStatusUpdate: Bool {
        self == .accepted || self == .won
    }

    /// Whether this status may move to `next`.
    public func canTransition(to next: LocationResponseStatus) -> Bool {
        allowedNext.contains(next)
    }

    /// Throws a ``TransitionError`` when the move is not allowed.
    public func validateTransition(to next: LocationResponseStatus) throws(TransitionError) {
        if next == self {
            throw TransitionError(code: .noChange, message: "The location response is already \(rawValue)")
        }
        if isTerminal {
            throw TransitionError(code: .terminalStatus, message: "\(rawValue) is final; it cannot move to \(next.rawValue)")
        }
        guard canTransition(to: next) else {
            throw TransitionError(
                code: .illegalTransition, message: "A location response cannot move from \(rawValue) to \(next.rawValue)")
        }
    }
}
