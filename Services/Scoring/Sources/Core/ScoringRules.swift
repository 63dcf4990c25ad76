import LeadModel

/// The hand-written point rules that turn a lead's facts into a 0–100 score.
///
/// Stored in PostgreSQL as versioned JSON (`GET/PUT /v1/scoring/rules`). Every field has a default
/// (``ScoringRules/defaults``); a document that leaves a field out gets the default, so the JSON an
/// operator edits may be as short as the change they mean. Points are per factor; positive factors
/// never subtract and negative signals never add (see ``RulesValidator``).
public struct ScoringRules: Hashable, Sendable, Codable {
    /// Where Hot and Medium begin.
    public var thresholds: PriorityThresholds
    /// Contact completeness.
    public var contact: ContactRules
    /// Purchase intent.
    public var intent: IntentRules
    /// Qualified budget.
    public var budget: BudgetRules
    /// Purchase timeline.
    public var timeline: TimelineRules
    /// Source quality.
    public var source: SourceRules
    /// Engagement after intake.
    public var engagement: EngagementRules
    /// Decay while the customer stays silent.
    public var recency: RecencyRules
    /// Negative signals.
    public var negative: NegativeRules

    /// Creates rules; every part defaults to the shipped defaults.
    public init(
        thresholds: PriorityThresholds = .init(), contact: ContactRules = .init(), intent: IntentRules = .init(),
        budget: BudgetRules = .init(), timeline: TimelineRules = .init(), source: SourceRules = .init(),
        engagement: EngagementRules = .init(), recency: RecencyRules = .init(), negative: NegativeRules = .init()
    ) {
        self.thresholds = thresholds
        self.contact = contact
        self.intent = intent
        self.budget = budget
        self.timeline = timeline
        self.source = source
        self.engagement = engagement
        self.recency = recency
        self.negative = negative
    }

    /// The rules Leadflow ships with (rules version 1 of a fresh installation).
    public static let defaults = ScoringRules()

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = ScoringRules()
        thresholds = try c.decodeIfPresent(PriorityThresholds.self, forKey: .thresholds) ?? d.thresholds
        contact = try c.decodeIfPresent(ContactRules.self, forKey: .contact) ?? d.contact
        intent = try c.decodeIfPresent(IntentRules.self, forKey: .intent) ?? d.intent
        budget = try c.decodeIfPresent(BudgetRules.self, forKey: .budget) ?? d.budget
        timeline = try c.decodeIfPresent(TimelineRules.self, forKey: .timeline) ?? d.timeline
        source = try c.decodeIfPresent(SourceRules.self, forKey: .source) ?? d.source
        engagement = try c.decodeIfPresent(EngagementRules.self, forKey: .engagement) ?? d.engagement
        recency = try c.decodeIfPresent(RecencyRules.self, forKey: .recency) ?? d.recency
        negative = try c.decodeIfPresent(NegativeRules.self, forKey: .negative) ?? d.negative
    }
}

/// The score bands: Hot at `hot` and above, Medium from `medium` to `hot - 1`, Cold below `medium`.
public struct PriorityThresholds: Hashable, Sendable, Codable {
    /// Lowest Hot score (default 60).
    public var hot: Int
    /// Lowest Medium score (default 30).
    public var medium: Int

    /// Creates thresholds.
    public init(hot: Int = Priority.hotThreshold, medium: Int = Priority.mediumThreshold) {
        self.hot = hot
        self.medium = medium
    }

    /// The band of `score`.
    public func priority(for score: Int) -> Priority {
        if score >= hot { return .hot }
        if score >= medium { return .medium }
        return .cold
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        hot = try c.decodeIfPresent(Int.self, forKey: .hot) ?? Priority.hotThreshold
        medium = try c.decodeIfPresent(Int.self, forKey: .medium) ?? Priority.mediumThreshold
    }
}

/// Points for ways to reach the customer.
public struct ContactRules: Hashable, Sendable, Codable {
    /// A usable e-mail address.
    public var email: Double
    /// A phone number that could be normalized (E.164).
    public var phone: Double
    /// A postal address (street, city or postal code).
    public var address: Double

    /// Creates contact rules.
    public init(email: Double = 8, phone: Double = 8, address: Double = 4) {
        self.email = email
        self.phone = phone
        self.address = address
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = ContactRules()
        email = try c.decodeIfPresent(Double.self, forKey: .email) ?? d.email
        phone = try c.decodeIfPresent(Double.self, forKey: .phone) ?? d.phone
        address = try c.decodeIfPresent(Double.self, forKey: .address) ?? d.address
    }
}

/// Points for signs that the customer means to buy.
public struct IntentRules: Hashable, Sendable, Codable {
    /// A concrete unit: an inventory vehicle, a VIN or a stock number.
    public var specificVehicle: Double
    /// Only a description of what is wanted (make, model, type): browsing.
    public var browsingVehicle: Double
    /// Points per interest type of the preferred vehicle (`buy`, `lease`, `test_drive`, …).
    public var interest: [String: Double]
    /// A test drive or appointment was requested or scheduled.
    public var appointmentRequested: Double
    /// Pricing or financing was asked for (a quote or later stage, or the words below).
    public var pricingOrFinancing: Double
    /// Words in the customer's comments or custom fields that mean pricing or financing was asked
    /// for (case-insensitive, matched at the start of a word: `financ` finds "financing").
    public var pricingKeywords: [String]
    /// A trade-in was offered.
    public var tradeIn: Double

    /// Creates intent rules.
    public init(
        specificVehicle: Double = 12, browsingVehicle: Double = 4,
        interest: [String: Double] = [
            "buy": 6, "lease": 6, "test_drive": 8, "trade_in": 2, "sell": 0, "service": 0, "other": 0,
        ],
        appointmentRequested: Double = 10, pricingOrFinancing: Double = 6,
        pricingKeywords: [String] = [
            "price", "pricing", "quote", "financ", "payment", "monthly", "lease", "rebate", "discount",
            "out the door", "best offer", "trade value",
        ],
        tradeIn: Double = 4
    ) {
        self.specificVehicle = specificVehicle
        self.browsingVehicle = browsingVehicle
        self.interest = interest
        self.appointmentRequested = appointmentRequested
        self.pricingOrFinancing = pricingOrFinancing
        self.pricingKeywords = pricingKeywords
        self.tradeIn = tradeIn
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = IntentRules()
        specificVehicle = try c.decodeIfPresent(Double.self, forKey: .specificVehicle) ?? d.specificVehicle
        browsingVehicle = try c.decodeIfPresent(Double.self, forKey: .browsingVehicle) ?? d.browsingVehicle
        interest = try c.decodeIfPresent([String: Double].self, forKey: .interest) ?? d.interest
        appointmentRequested = try c.decodeIfPresent(Double.self, forKey: .appointmentRequested) ?? d.appointmentRequested
        pricingOrFinancing = try c.decodeIfPresent(Double.self, forKey: .pricingOrFinancing) ?? d.pricingOrFinancing
        pricingKeywords = try c.decodeIfPresent([String].self, forKey: .pricingKeywords) ?? d.pricingKeywords
        tradeIn = try c.decodeIfPresent(Double.self, forKey: .tradeIn) ?? d.tradeIn
    }
}

/// Points for a budget that can buy a vehicle.
public struct BudgetRules: Hashable, Sendable, Codable {
    /// Points when the budget's upper bound (else its lower bound) reaches ``minimumAmount``.
    public var qualified: Double
    /// The smallest budget that qualifies, in the lead's currency.
    public var minimumAmount: Double

    /// Creates budget rules.
    public init(qualified: Double = 10, minimumAmount: Double = 5000) {
        self.qualified = qualified
        self.minimumAmount = minimumAmount
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = BudgetRules()
        qualified = try c.decodeIfPresent(Double.self, forKey: .qualified) ?? d.qualified
        minimumAmount = try c.decodeIfPresent(Double.self, forKey: .minimumAmount) ?? d.minimumAmount
    }
}

/// Points per purchase timeframe: the sooner, the more.
public struct TimelineRules: Hashable, Sendable, Codable {
    /// Points per ``Timeframe/Bucket`` raw value (`immediate`, `within_week`, …).
    public var points: [String: Double]

    /// Creates timeline rules.
    public init(points: [String: Double] = [
        "immediate": 15, "within_week": 12, "within_month": 8, "within_3_months": 4, "later": 0, "unknown": 0,
    ]) {
        self.points = points
    }

    /// The points of `bucket` (0 when not configured).
    public func points(for bucket: Timeframe.Bucket) -> Double { points[bucket.rawValue] ?? 0 }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        points = try c.decodeIfPresent([String: Double].self, forKey: .points) ?? TimelineRules().points
    }
}

/// Points for where the lead came from: per source id, else per intake channel, else a default.
public struct SourceRules: Hashable, Sendable, Codable {
    /// Points of a source with no entry of its own and a channel without one.
    public var defaultPoints: Double
    /// Points per configured source id (`src-website`, `src-autotrader`, …).
    public var bySource: [String: Double]
    /// Points per intake channel (`manual`, `adf`, `meta`, …).
    public var byChannel: [String: Double]

    /// Creates source rules.
    public init(
        defaultPoints: Double = 5, bySource: [String: Double] = [:],
        byChannel: [String: Double] = [
            "manual": 8, "adf": 6, "json": 5, "google": 5, "topic": 5, "meta": 3, "csv": 3,
        ]
    ) {
        self.defaultPoints = defaultPoints
        self.bySource = bySource
        self.byChannel = byChannel
    }

    /// The points of a lead from `sourceId` through `channel`, and which setting gave them.
    public func points(sourceId: String, channel: IntakeChannel) -> (points: Double, basis: String) {
        if let points = bySource[sourceId] { return (points, "source \(sourceId)") }
        if let points = byChannel[channel.rawValue] { return (points, "channel \(channel.rawValue)") }
        return (defaultPoints, "default")
    }

    /// The largest points any source can get (scales the source factor to 0…1 for learning).
    public var maximumPoints: Double {
        ([defaultPoints] + Array(bySource.values) + Array(byChannel.values)).max() ?? 0
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = SourceRules()
        defaultPoints = try c.decodeIfPresent(Double.self, forKey: .defaultPoints) ?? d.defaultPoints
        bySource = try c.decodeIfPresent([String: Double].self, forKey: .bySource) ?? d.bySource
        byChannel = try c.decodeIfPresent([String: Double].self, forKey: .byChannel) ?? d.byChannel
    }
}

/// Points for the customer engaging after intake.
public struct EngagementRules: Hashable, Sendable, Codable {
    /// Per customer reply (inbound e-mail, SMS or chat, or an activity marked replied).
    public var perReply: Double
    /// Replies counted at most.
    public var maxReplies: Int
    /// Per connected call.
    public var perCallConnected: Double
    /// Connected calls counted at most.
    public var maxCallsConnected: Int
    /// Per appointment kept.
    public var perAppointmentKept: Double
    /// Kept appointments counted at most.
    public var maxAppointmentsKept: Int
    /// A chat within the last ``recentChatHours``.
    public var recentChat: Double
    /// How recent a chat must be to count.
    public var recentChatHours: Double

    /// Creates engagement rules.
    public init(
        perReply: Double = 5, maxReplies: Int = 3, perCallConnected: Double = 6, maxCallsConnected: Int = 2,
        perAppointmentKept: Double = 12, maxAppointmentsKept: Int = 1, recentChat: Double = 6,
        recentChatHours: Double = 48
    ) {
        self.perReply = perReply
        self.maxReplies = maxReplies
        self.perCallConnected = perCallConnected
        self.maxCallsConnected = maxCallsConnected
        self.perAppointmentKept = perAppointmentKept
        self.maxAppointmentsKept = maxAppointmentsKept
        self.recentChat = recentChat
        self.recentChatHours = recentChatHours
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = EngagementRules()
        perReply = try c.decodeIfPresent(Double.self, forKey: .perReply) ?? d.perReply
        maxReplies = try c.decodeIfPresent(Int.self, forKey: .maxReplies) ?? d.maxReplies
        perCallConnected = try c.decodeIfPresent(Double.self, forKey: .perCallConnected) ?? d.perCallConnected
        maxCallsConnected = try c.decodeIfPresent(Int.self, forKey: .maxCallsConnected) ?? d.maxCallsConnected
        perAppointmentKept = try c.decodeIfPresent(Double.self, forKey: .perAppointmentKept) ?? d.perAppointmentKept
        maxAppointmentsKept = try c.decodeIfPresent(Int.self, forKey: .maxAppointmentsKept) ?? d.maxAppointmentsKept
        recentChat = try c.decodeIfPresent(Double.self, forKey: .recentChat) ?? d.recentChat
        recentChatHours = try c.decodeIfPresent(Double.self, forKey: .recentChatHours) ?? d.recentChatHours
    }
}

/// Points lost while the customer stays silent: nothing for ``graceDays`` after their last
/// engagement (submission, reply, connected call, kept appointment, repeat inquiry), then
/// ``pointsPerDay`` per further day, at most ``maxPenalty``.
public struct RecencyRules: Hashable, Sendable, Codable {
    /// Days without penalty.
    public var graceDays: Double
    /// Points lost per day after the grace period.
    public var pointsPerDay: Double
    /// The largest penalty (a positive number of points).
    public var maxPenalty: Double

    /// Creates recency rules.
    public init(graceDays: Double = 2, pointsPerDay: Double = 1.5, maxPenalty: Double = 30) {
        self.graceDays = graceDays
        self.pointsPerDay = pointsPerDay
        self.maxPenalty = maxPenalty
    }

    /// The penalty (≥ 0) after `days` of silence.
    public func penalty(afterDays days: Double) -> Double {
        min(maxPenalty, max(0, days - graceDays) * pointsPerDay)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = RecencyRules()
        graceDays = try c.decodeIfPresent(Double.self, forKey: .graceDays) ?? d.graceDays
        pointsPerDay = try c.decodeIfPresent(Double.self, forKey: .pointsPerDay) ?? d.pointsPerDay
        maxPenalty = try c.decodeIfPresent(Double.self, forKey: .maxPenalty) ?? d.maxPenalty
    }
}

/// Points taken away for signs that the lead is not real or not workable (all ≤ 0).
public struct NegativeRules: Hashable, Sendable, Codable {
    /// A test submission (Meta/Google test leads, flagged by ingest).
    public var testLead: Double
    /// Phone numbers were given but none could be normalized.
    public var invalidPhone: Double
    /// A location rejected the lead as a duplicate (its note matched ``duplicateKeywords``).
    public var rejectedDuplicate: Double
    /// Words in a location's rejection note that mark the lead as a duplicate (case-insensitive,
    /// matched at the start of a word).
    public var duplicateKeywords: [String]
    /// Per missed appointment (no-show).
    public var perNoShow: Double
    /// No-shows counted at most.
    public var maxNoShows: Int

    /// Creates negative rules.
    public init(
        testLead: Double = -100, invalidPhone: Double = -10, rejectedDuplicate: Double = -25,
        duplicateKeywords: [String] = ["duplicate", "dupe", "already in crm", "already working", "already a customer"],
        perNoShow: Double = -5, maxNoShows: Int = 2
    ) {
        self.testLead = testLead
        self.invalidPhone = invalidPhone
        self.rejectedDuplicate = rejectedDuplicate
        self.duplicateKeywords = duplicateKeywords
        self.perNoShow = perNoShow
        self.maxNoShows = maxNoShows
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = NegativeRules()
        testLead = try c.decodeIfPresent(Double.self, forKey: .testLead) ?? d.testLead
        invalidPhone = try c.decodeIfPresent(Double.self, forKey: .invalidPhone) ?? d.invalidPhone
        rejectedDuplicate = try c.decodeIfPresent(Double.self, forKey: .rejectedDuplicate) ?? d.rejectedDuplicate
        duplicateKeywords = try c.decodeIfPresent([String].self, forKey: .duplicateKeywords) ?? d.duplicateKeywords
        perNoShow = try c.decodeIfPresent(Double.self, forKey: .perNoShow) ?? d.perNoShow
        maxNoShows = try c.decodeIfPresent(Int.self, forKey: .maxNoShows) ?? d.maxNoShows
    }
}
