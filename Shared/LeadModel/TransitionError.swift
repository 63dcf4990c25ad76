/// Why a status change was refused. Shared by lifecycle stages, pipeline statuses and
/// location response statuses.
///
/// The ``code`` is stable and machine-readable (use it in API error bodies); ``message`` is for
/// people. ``Code`` is a struct so that codes can be added without breaking `switch`es.
public struct TransitionError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable, machine-readable reason.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case illegalTransition = "illegal_transition"
            case unknownStatus = "unknown_status"
            case terminalStatus = "terminal_status"
            case noChange = "no_change"
            case lostReasonRequired = "lost_reason_required"
            case noteRequired = "note_required"
            case unexpectedLostReason = "unexpected_lost_reason"
        }

        private let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// The target is not reachable from the current status.
        public static let illegalTransition = Code(.illegalTransition)
        /// A status key is not defined by the pipeline.
        public static let unknownStatus = Code(.unknownStatus)
        /// The current status is terminal; nothing may follow it.
        public static let terminalStatus = Code(.terminalStatus)
        /// The target equals the current status where staying is not a change.
        public static let noChange = Code(.noChange)
        /// Moving to a lost status needs a ``LostReason``.
        public static let lostReasonRequired = Code(.lostReasonRequired)
        /// ``LostReason/other`` needs a non-empty note.
        public static let noteRequired = Code(.noteRequired)
        /// A lost reason was given for a status that is not a lost outcome.
        public static let unexpectedLostReason = Code(.unexpectedLostReason)

        /// The snake_case wire form, e.g. `illegal_transition`.
        public var rawValue: String { base.rawValue }

        /// Same as ``rawValue``.
        public var description: String { base.rawValue }
    }

    /// The machine-readable reason.
    public var code: Code
    /// A human-readable explanation.
    public var message: String

    /// Creates a transition error.
    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    /// `"illegal_transition: …"`.
    public var description: String {
        "\(code): \(message)"
    }
}
