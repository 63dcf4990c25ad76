import Foundation

/// A logged contact attempt or conversation.
public struct Activity: Hashable, Sendable, Codable {
    /// The medium.
    public enum Kind: String, Hashable, Sendable, Codable, CaseIterable {
        case call, email, chat, sms, meeting
    }

    /// Who started it.
    public enum Direction: String, Hashable, Sendable, Codable, CaseIterable {
        case inbound, outbound
    }

    /// How it went.
    public enum Outcome: String, Hashable, Sendable, Codable, CaseIterable {
        case connected
        case noAnswer = "no_answer"
        case voicemail, busy, sent, delivered, received, replied, bounced, completed, cancelled, other
    }

    /// The activity's id, if the system of record gave one.
    public var id: String?
    /// Call, e-mail, chat, SMS or meeting.
    public var kind: Activity.Kind
    /// Inbound or outbound.
    public var direction: Direction
    /// How it went.
    public var outcome: Outcome
    /// A short summary.
    public var summary: String?
    /// When it happened.
    public var at: Date
    /// How long it lasted, for calls and meetings.
    public var durationSeconds: Int?

    /// Creates an activity.
    public init(
        id: String? = nil, kind: Activity.Kind, direction: Direction, outcome: Outcome,
        summary: String? = nil, at: Date, durationSeconds: Int? = nil
    ) {
        self.id = id
        self.kind = kind
        self.direction = direction
        self.outcome = outcome
        self.summary = summary
        self.at = at
        self.durationSeconds = durationSeconds
    }
}

/// The category of a lead that decides its default tasks.
public enum LeadCategory: String, Hashable, Sendable, Codable, CaseIterable {
    case thirdParty = "third_party"
    case manual
    case sold
}

/// A to-do on a lead. (Named `LeadTask` so it does not shadow Swift's `Task`.)
public struct LeadTask: Hashable, Sendable, Codable, Identifiable {
    /// The task id.
    public var id: String
    /// What to do.
    public var title: String
    /// When it is due.
    public var dueAt: Date
    /// The lead category whose default task set created it, if any.
    public var category: LeadCategory?
    /// Who should do it.
    public var assigneeId: String?

    /// Creates a task.
    public init(id: String, title: String, dueAt: Date, category: LeadCategory? = nil, assigneeId: String? = nil) {
        self.id = id
        self.title = title
        self.dueAt = dueAt
        self.category = category
        self.assigneeId = assigneeId
    }
}

/// A scheduled appointment with the customer.
public struct Appointment: Hashable, Sendable, Codable, Identifiable {
    /// What kind of appointment.
    public enum Kind: String, Hashable, Sendable, Codable, CaseIterable {
        case testDrive = "test_drive"
        case visit, call
    }

    /// The appointment id.
    public var id: String
    /// When it is.
    public var at: Date
    /// Test drive, visit or call.
    public var kind: Appointment.Kind
    /// Where, if at a location.
    public var locationId: String?
    /// Notes.
    public var notes: String?

    /// Creates an appointment.
    public init(id: String, at: Date, kind: Appointment.Kind, locationId: String? = nil, notes: String? = nil) {
        self.id = id
        self.at = at
        self.kind = kind
        self.locationId = locationId
        self.notes = notes
    }
}

/// How a sale is paid.
public struct Financing: Hashable, Sendable, Codable {
    /// Payment method.
    public enum Method: String, Hashable, Sendable, Codable, CaseIterable {
        case cash, finance, lease
    }

    /// Cash, finance or lease.
    public var method: Method
    /// The lender, for finance and lease.
    public var lender: String?

    /// Creates a financing record.
    public init(method: Method, lender: String? = nil) {
        self.method = method
        self.lender = lender
    }
}

/// What a closed-won lead bought; the contact becomes a customer.
public struct Conversion: Hashable, Sendable, Codable {
    /// The vehicle sold.
    public var vehicleSold: VehicleOfInterest?
    /// The final price.
    public var finalPrice: Money?
    /// How it is paid.
    public var financing: Financing?
    /// The trade-in taken.
    public var tradeIn: TradeIn?
    /// When the vehicle is (to be) delivered.
    public var deliveryDate: Date?

    /// Creates a conversion record.
    public init(
        vehicleSold: VehicleOfInterest? = nil, finalPrice: Money? = nil, financing: Financing? = nil,
        tradeIn: TradeIn? = nil, deliveryDate: Date? = nil
    ) {
        self.vehicleSold = vehicleSold
        self.finalPrice = finalPrice
        self.financing = financing
        self.tradeIn = tradeIn
        self.deliveryDate = deliveryDate
    }
}

/// A repeat submission by the same person, merged into the existing lead as an activity.
public struct DuplicateInquiry: Hashable, Sendable, Codable {
    /// The new submission, normalized (its `id` is the id it would have had; the event's
    /// `leadId` is the existing lead it merged into).
    public var lead: Lead
    /// How the new submission arrived.
    public var intake: Intake
    /// What identified the person as an existing lead.
    public enum Match: String, Hashable, Sendable, Codable, CaseIterable {
        /// The same normalized e-mail address.
        case email
        /// The same normalized phone number.
        case phone
        /// The same lead id at the same source (a re-delivery or resubmission).
        case sourceLeadId = "source_lead_id"
    }

    /// What matched.
    public var matchedOn: [Match]

    /// Creates a duplicate-inquiry record.
    public init(lead: Lead, intake: Intake, matchedOn: [Match] = []) {
        self.lead = lead
        self.intake = intake
        self.matchedOn = matchedOn
    }
}

/// An answer to a post-completion survey.
public struct SurveyAnswer: Hashable, Sendable, Codable {
    /// Which survey.
    public enum Kind: String, Hashable, Sendable, Codable, CaseIterable {
        /// The location reports revenue attributable to the lead.
        case locationRevenue = "location_revenue"
        /// The customer reviews the location.
        case customerReview = "customer_review"
    }

    /// Which survey.
    public var kind: SurveyAnswer.Kind
    /// Revenue attributable to the lead (location survey).
    public var revenue: Money?
    /// Rating from 1 to 5 (customer review).
    public var rating: Int?
    /// Free-text comment.
    public var comment: String?

    /// Creates a survey answer.
    public init(kind: SurveyAnswer.Kind, revenue: Money? = nil, rating: Int? = nil, comment: String? = nil) {
        self.kind = kind
        self.revenue = revenue
        self.rating = rating
        self.comment = comment
    }
}
