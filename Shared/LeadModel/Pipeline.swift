/// A sales pipeline: its statuses and which moves between them are allowed.
///
/// Rules every pipeline follows, on top of its transition table:
/// * moving to the current status is not a change (``TransitionError/Code/noChange``);
/// * terminal statuses are final: a closed lead is never reopened by a status change
///   (``TransitionError/Code/terminalStatus``); a returning customer arrives as a duplicate
///   inquiry instead;
/// * a status whose outcome is ``PipelineOutcome/lost`` needs a ``LostReason``, and
///   ``LostReason/other`` needs a note.
public struct Pipeline: Hashable, Sendable, Codable, Identifiable {
    /// The pipeline id (`default` for ``Pipeline/default``).
    public var id: String
    /// Display name.
    public var name: String
    /// Statuses in display order; the first one is where new leads start.
    public var statuses: [PipelineStatusDefinition]
    /// Allowed moves: for each status, the statuses it may move to.
    public var transitions: [PipelineStatus: [PipelineStatus]]

    /// Creates a pipeline from an explicit transition table.
    public init(
        id: String, name: String, statuses: [PipelineStatusDefinition],
        transitions: [PipelineStatus: [PipelineStatus]]
    ) {
        self.id = id
        self.name = name
        self.statuses = statuses
        self.transitions = transitions
    }

    /// Creates a pipeline whose open statuses form an ordered sequence: an open status may move
    /// forward to any later open status (skipping steps) and to any closed status; closed
    /// statuses are terminal.
    public static func sequential(
        id: String, name: String, open: [PipelineStatusDefinition], closed: [PipelineStatusDefinition]
    ) -> Pipeline {
        var transitions: [PipelineStatus: [PipelineStatus]] = [:]
        let closedKeys = closed.map(\.key)
        for (index, status) in open.enumerated() {
            transitions[status.key] = open[(index + 1)...].map(\.key) + closedKeys
        }
        for status in closed {
            transitions[status.key] = []
        }
        let closedDefinitions = closed.map { status in
            var status = status
            status.isTerminal = true
            return status
        }
        return Pipeline(id: id, name: name, statuses: open + closedDefinitions, transitions: transitions)
    }

    /// `new → contacted → qualified → test_drive → negotiation → closed_won | closed_lost`.
    ///
    /// Forward moves may skip steps, any open status may close as won or lost, and both closed
    /// statuses are terminal.
    public static let `default` = Pipeline.sequential(
        id: "default",
        name: "Sales",
        open: [
            PipelineStatusDefinition(key: .new, name: "New"),
            PipelineStatusDefinition(key: .contacted, name: "Contacted"),
            PipelineStatusDefinition(key: .qualified, name: "Qualified"),
            PipelineStatusDefinition(key: .testDrive, name: "Test drive"),
            PipelineStatusDefinition(key: .negotiation, name: "Negotiation"),
        ],
        closed: [
            PipelineStatusDefinition(key: .closedWon, name: "Closed won", outcome: .won),
            PipelineStatusDefinition(key: .closedLost, name: "Closed lost", outcome: .lost),
        ]
    )

    /// The status new leads start in.
    public var initialStatus: PipelineStatus? {
        statuses.first?.key
    }

    /// The definition of a status, if the pipeline has it.
    public func definition(of status: PipelineStatus) -> PipelineStatusDefinition? {
        statuses.first { $0.key == status }
    }

    /// Whether the table allows moving from `from` to `to`. Ignores lost-reason rules; use
    /// ``validateTransition(from:to:lostReason:note:)`` to check a concrete change.
    public func canTransition(from: PipelineStatus, to: PipelineStatus) -> Bool {
        (try? checkMove(from: from, to: to)) != nil
    }

    /// Checks a concrete change, including the lost-reason rules.
    public func validateTransition(
        from: PipelineStatus, to: PipelineStatus, lostReason: LostReason? = nil, note: String? = nil
    ) throws(TransitionError) {
        let target = try checkMove(from: from, to: to)
        if target.outcome == .lost {
            guard let lostReason else {
                throw TransitionError(
                    code: .lostReasonRequired, message: "Moving to \(to) needs a lost reason")
            }
            if lostReason.requiresNote, note.nonBlank == nil {
                throw TransitionError(
                    code: .noteRequired, message: "Lost reason \"other\" needs a note saying why")
            }
        } else if let lostReason {
            throw TransitionError(
                code: .unexpectedLostReason,
                message: "Lost reason \(lostReason.rawValue) given, but \(to) is not a lost status")
        }
    }

    private func checkMove(from: PipelineStatus, to: PipelineStatus) throws(TransitionError) -> PipelineStatusDefinition {
        guard let source = definition(of: from) else {
            throw TransitionError(code: .unknownStatus, message: "Pipeline \(id) has no status \(from)")
        }
        guard let target = definition(of: to) else {
            throw TransitionError(code: .unknownStatus, message: "Pipeline \(id) has no status \(to)")
        }
        guard from != to else {
            throw TransitionError(code: .noChange, message: "The lead is already \(to)")
        }
        guard !source.isTerminal else {
            throw TransitionError(code: .terminalStatus, message: "\(from) is final; it cannot move to \(to)")
        }
        guard transitions[from, default: []].contains(to) else {
            throw TransitionError(code: .illegalTransition, message: "Pipeline \(id) does not allow \(from) → \(to)")
        }
        return target
    }
}
