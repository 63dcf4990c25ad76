import Testing
import LeadModel

@Suite("Lifecycle stage transitions")
struct LifecycleStageTests {
    static let pairs = LifecycleStage.allCases.flatMap { from in LifecycleStage.allCases.map { (from, $0) } }

    @Test("forward or staying is legal, backward is not", arguments: pairs)
    func transition(from: LifecycleStage, to: LifecycleStage) throws {
        let order: [LifecycleStage] = [.lead, .quote, .request, .confirmed]
        let legal = order.firstIndex(of: to)! >= order.firstIndex(of: from)!
        #expect(from.canTransition(to: to) == legal)
        if legal {
            try from.validateTransition(to: to)
        } else {
            let error = #expect(throws: TransitionError.self) { try from.validateTransition(to: to) }
            #expect(error?.code == .illegalTransition)
        }
    }
}

@Suite("Default pipeline transitions")
struct PipelineTests {
    let pipeline = Pipeline.default
    static let open: [PipelineStatus] = [.new, .contacted, .qualified, .testDrive, .negotiation]
    static let closed: [PipelineStatus] = [.closedWon, .closedLost]
    static let pairs = (open + closed).flatMap { from in (open + closed).map { (from, $0) } }

    @Test func shape() {
        #expect(pipeline.id == "default")
        #expect(pipeline.statuses.map(\.key) == Self.open + Self.closed)
        #expect(pipeline.initialStatus == .new)
        #expect(pipeline.definition(of: .closedWon)?.outcome == .won)
        #expect(pipeline.definition(of: .closedLost)?.outcome == .lost)
        #expect(pipeline.statuses.filter(\.isTerminal).map(\.key) == Self.closed)
    }

    @Test("forward moves may skip; any open status may close; closed is terminal", arguments: pairs)
    func transition(from: PipelineStatus, to: PipelineStatus) throws {
        let all = Self.open + Self.closed
        let fromIndex = all.firstIndex(of: from)!
        let toIndex = all.firstIndex(of: to)!
        let legal = Self.open.contains(from) && toIndex > fromIndex
        #expect(pipeline.canTransition(from: from, to: to) == legal)
        let reason: LostReason? = to == .closedLost ? .priceTooHigh : nil
        if legal {
            try pipeline.validateTransition(from: from, to: to, lostReason: reason)
        } else {
            let error = #expect(throws: TransitionError.self) {
                try pipeline.validateTransition(from: from, to: to, lostReason: reason)
            }
            let expected: TransitionError.Code =
                from == to ? .noChange : Self.closed.contains(from) ? .terminalStatus : .illegalTransition
            #expect(error?.code == expected)
        }
    }

    @Test func lostNeedsAReason() {
        let error = #expect(throws: TransitionError.self) {
            try pipeline.validateTransition(from: .qualified, to: .closedLost)
        }
        #expect(error?.code == .lostReasonRequired)
        #expect(error?.code.rawValue == "lost_reason_required")
    }

    @Test("every reason but other is enough on its own", arguments: LostReason.allCases.filter { $0 != .other })
    func reasonWithoutNote(reason: LostReason) throws {
        try pipeline.validateTransition(from: .negotiation, to: .closedLost, lostReason: reason)
    }

    @Test("other needs a non-blank note", arguments: [nil, "", "   \n"] as [String?])
    func otherWithoutNote(note: String?) {
        let error = #expect(throws: TransitionError.self) {
            try pipeline.validateTransition(from: .contacted, to: .closedLost, lostReason: .other, note: note)
        }
        #expect(error?.code == .noteRequired)
    }

    @Test func otherWithNote() throws {
        try pipeline.validateTransition(from: .contacted, to: .closedLost, lostReason: .other, note: "Moved abroad")
    }

    @Test func reasonOnlyForLost() {
        let error = #expect(throws: TransitionError.self) {
            try pipeline.validateTransition(from: .negotiation, to: .closedWon, lostReason: .badCredit)
        }
        #expect(error?.code == .unexpectedLostReason)
    }

    @Test func unknownStatus() {
        for (from, to) in [(PipelineStatus("nurture"), PipelineStatus.contacted), (.new, "nurture")] {
            let error = #expect(throws: TransitionError.self) { try pipeline.validateTransition(from: from, to: to) }
            #expect(error?.code == .unknownStatus)
            #expect(!pipeline.canTransition(from: from, to: to))
        }
    }

    @Test func customPipeline() throws {
        let custom = Pipeline(
            id: "service", name: "Service",
            statuses: [
                PipelineStatusDefinition(key: "booked", name: "Booked"),
                PipelineStatusDefinition(key: "done", name: "Done", isTerminal: true, outcome: .won),
                PipelineStatusDefinition(key: "no_show", name: "No show", isTerminal: true, outcome: .lost),
            ],
            transitions: ["booked": ["done", "no_show"]])
        try custom.validateTransition(from: "booked", to: "done")
        try custom.validateTransition(from: "booked", to: "no_show", lostReason: .noLongerInterested)
        #expect(!custom.canTransition(from: "done", to: "booked"))
        let json = try LeadflowJSON.encode(custom)
        #expect(try LeadflowJSON.decode(Pipeline.self, from: json) == custom)
        #expect(String(decoding: json, as: UTF8.self).contains(#""transitions":{"booked":["done","no_show"]}"#))
    }
}

@Suite("Location response transitions")
struct LocationResponseTests {
    typealias S = LocationResponseStatus
    static let legal: Set<[S]> = [
        [.unacknowledged, .acknowledged], [.unacknowledged, .accepted], [.unacknowledged, .rejected],
        [.acknowledged, .accepted], [.acknowledged, .rejected],
        [.accepted, .won], [.accepted, .lost],
        [.won, .complete], [.lost, .complete],
    ]
    static let pairs = S.allCases.flatMap { from in S.allCases.map { (from, $0) } }

    @Test("transition table", arguments: pairs)
    func transition(from: S, to: S) throws {
        let legal = Self.legal.contains([from, to])
        #expect(from.canTransition(to: to) == legal)
        if legal {
            try from.validateTransition(to: to)
        } else {
            let error = #expect(throws: TransitionError.self) { try from.validateTransition(to: to) }
            let expected: TransitionError.Code =
                from == to ? .noChange : from.isTerminal ? .terminalStatus : .illegalTransition
            #expect(error?.code == expected)
        }
    }

    @Test func terminalAndFollowUp() {
        #expect(S.allCases.filter(\.isTerminal) == [.rejected, .complete])
        #expect(S.allCases.filter(\.awaitsStatusUpdate) == [.accepted, .won])
    }
}
