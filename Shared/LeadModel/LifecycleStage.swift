/// How far the customer has gone: contact only, a quote, a submitted request, or confirmed.
///
/// A record may enter at any stage. Stages only move forward (skipping is allowed); staying at
/// the same stage is allowed too (a repeated submission at the same stage).
public enum LifecycleStage: String, Hashable, Sendable, Codable, CaseIterable, Comparable {
    /// Contact details only.
    case lead
    /// Booking or vehicle details plus pricing.
    case quote
    /// Submitted with payment information; awaits approval.
    case request
    /// Approved.
    case confirmed

    private var rank: Int {
        switch self {
        case .lead: 0
        case .quote: 1
        case .request: 2
        case .confirmed: 3
        }
    }

    public static func < (lhs: LifecycleStage, rhs: LifecycleStage) -> Bool {
        lhs.rank < rhs.rank
    }

    /// Whether a record at this stage may move to `next` (forward or staying).
    public func canTransition(to next: LifecycleStage) -> Bool {
        next >= self
    }

    /// Throws ``TransitionError/Code/illegalTransition`` for a backward move.
    public func validateTransition(to next: LifecycleStage) throws(TransitionError) {
        guard canTransition(to: next) else {
            throw TransitionError(
                code: .illegalTransition,
                message: "Lifecycle stage cannot move back from \(rawValue) to \(next.rawValue)")
        }
    }
}
