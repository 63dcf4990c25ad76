import Foundation

/// A lead: a person interested in buying, with everything Leadflow knows about the inquiry.
///
/// Event payloads carry it as a snapshot; ingest owns the authoritative record.
public struct Lead: Hashable, Sendable, Codable, Identifiable {
    /// The lead's id (also the Kafka key of all its events).
    public var id: LeadID
    /// The person's name.
    public var fullName: PersonName
    /// E-mail addresses, phones, postal address.
    public var contacts: ContactInfo
    /// Where the lead came from.
    public var source: LeadSource
    /// Partner the lead belongs to (e.g. the dealer group), if any.
    public var partner: String?
    /// The location (dealer/installer) the lead is assigned to.
    public var locationId: String?
    /// The salesperson who owns the lead.
    public var ownerId: String?
    /// Other people working the lead.
    public var collaborators: [String]
    /// Vehicles of interest; at most one has `isPreferred`.
    public var vehiclesOfInterest: [VehicleOfInterest]
    /// Vehicles offered in trade.
    public var tradeIns: [TradeIn]
    /// Budget range.
    public var budget: BudgetRange?
    /// Purchase timeframe.
    public var timeframe: Timeframe?
    /// What the customer has given us so far.
    public var lifecycleStage: LifecycleStage
    /// The pipeline the lead is in.
    public var pipelineId: String
    /// Its status in that pipeline.
    public var pipelineStatus: PipelineStatus
    /// The assigned location's response, once the lead was sent to a location.
    public var locationResponse: LocationResponseStatus?
    /// Latest score, 0–100.
    public var score: Int?
    /// Latest priority band.
    public var priority: Priority?
    /// When the lead was first received.
    public var createdAt: Date
    /// When anything last happened on the lead.
    public var lastActivityAt: Date
    /// Source- or tenant-specific fields.
    public var customFields: [String: CustomFieldValue]
    /// The customer's free-text comments.
    public var comments: String?
    /// Whether this is a test lead (e.g. Meta/Google test submissions); excluded from reports.
    public var isTest: Bool
    /// Contact and marketing consent.
    public var consent: Consent?

    /// Creates a lead.
    public init(
        id: LeadID = LeadID(),
        fullName: PersonName = PersonName(),
        contacts: ContactInfo = ContactInfo(),
        source: LeadSource,
        partner: String? = nil,
        locationId: String? = nil,
        ownerId: String? = nil,
        collaborators: [String] = [],
        vehiclesOfInterest: [VehicleOfInterest] = [],
        tradeIns: [TradeIn] = [],
        budget: BudgetRange? = nil,
        timeframe: Timeframe? = nil,
        lifecycleStage: LifecycleStage = .lead,
        pipelineId: String = Pipeline.default.id,
        pipelineStatus: PipelineStatus = .new,
        locationResponse: LocationResponseStatus? = nil,
        score: Int? = nil,
        priority: Priority? = nil,
        createdAt: Date,
        lastActivityAt: Date? = nil,
        customFields: [String: CustomFieldValue] = [:],
        comments: String? = nil,
        isTest: Bool = false,
        consent: Consent? = nil
    ) {
        self.id = id
        self.fullName = fullName
        self.contacts = contacts
        self.source = source
        self.partner = partner
        self.locationId = locationId
        self.ownerId = ownerId
        self.collaborators = collaborators
        self.vehiclesOfInterest = vehiclesOfInterest
        self.tradeIns = tradeIns
        self.budget = budget
        self.timeframe = timeframe
        self.lifecycleStage = lifecycleStage
        self.pipelineId = pipelineId
        self.pipelineStatus = pipelineStatus
        self.locationResponse = locationResponse
        self.score = score
        self.priority = priority
        self.createdAt = createdAt
        self.lastActivityAt = lastActivityAt ?? createdAt
        self.customFields = customFields
        self.comments = comments
        self.isTest = isTest
        self.consent = consent
    }

    /// The preferred vehicle of interest, else the first one.
    public var preferredVehicle: VehicleOfInterest? {
        vehiclesOfInterest.first(where: \.isPreferred) ?? vehiclesOfInterest.first
    }
}
