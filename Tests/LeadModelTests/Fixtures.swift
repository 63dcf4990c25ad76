import Foundation
import LeadModel

/// Realistic sample values shared by the tests. Dates are whole milliseconds so that they
/// survive the JSON round trip exactly.
enum Fixtures {
    static func date(_ text: String) -> Date {
        guard let date = LeadflowJSON.parseDate(text) else { fatalError("bad fixture date \(text)") }
        return date
    }

    static func uuid(_ text: String) -> UUID {
        guard let uuid = UUID(uuidString: text) else { fatalError("bad fixture uuid \(text)") }
        return uuid
    }

    static let received = date("2025-03-19T13:13:16.250Z")
    static let later = date("2025-03-19T14:02:41.007Z")
    static let leadId = LeadID("6f1c2a9e-3b7d-4e21-9a55-0c8d4e7f1a23")!
    static let otherLeadId = LeadID("0b7e4c1d-9f2a-4d6e-8c3b-5a1f2e9d7c44")!
    static let receivedEventId = uuid("3F2504E0-4F89-41D3-9A0C-0305E82C3301")
    static let eventId = uuid("9B2C7D10-5E3A-4C8F-B1D2-6A7E8F9C0D12")

    /// The Meta leadgen id and ad ids of the sample are above 2^53.
    static let metaLeadgenId = "120208765432100011987"
    static let metaAdId = "120208765432100011"

    static let source = LeadSource(
        id: "src-meta-columbus", name: "Meta Lead Ads – Columbus", channel: .meta, partner: "meta",
        campaignId: "120208765432100001", campaignName: "Spring Sales Event 2025 - Lead Gen",
        adId: metaAdId, formId: "987650001234567"
    )

    static let crv = VehicleOfInterest(
        id: "INV-99812", interest: .buy, status: .new, kind: .inventory, year: 2025, make: "Honda",
        model: "CR-V Hybrid", trim: "Sport Touring", vin: "7FARS6H97SE012345", stock: "H25-0412",
        bodyStyle: "SUV", vehicleType: "suv", mileage: 14, price: Money("41995.00"), isPreferred: true,
        comments: "Wants the red one if it is still on the lot this weekend."
    )

    static let rav4 = TradeIn(
        year: 2019, make: "Toyota", model: "RAV4", trim: "XLE AWD", vin: "JTMW1RFV6KD013376",
        mileage: 68_210, condition: .good, valuation: Money("17500.00"),
        comments: "Small dent on rear bumper, two keys."
    )

    static let lead = Lead(
        id: leadId,
        fullName: PersonName(full: "Ingrid Marie Solberg"),
        contacts: ContactInfo(
            emails: [EmailAddress(address: "ingrid.solberg@example.com", type: .home, preferred: true)],
            phones: [
                PhoneNumber(raw: "(614) 555-0142", e164: "+16145550142", type: .mobile, preferred: true),
                PhoneNumber(raw: "614 555 0199", type: .work),
            ],
            address: Address(lines: ["221 Gay St", "Apt 4"], city: "Columbus", region: "OH", postalCode: "43215", country: "US")
        ),
        source: source,
        partner: "lakeshore-auto-group",
        locationId: "loc-columbus-north",
        ownerId: "member-akira",
        collaborators: ["member-bea"],
        vehiclesOfInterest: [crv, VehicleOfInterest(interest: .testDrive, status: .used, kind: .search, make: "Honda", model: "Pilot")],
        tradeIns: [rav4],
        budget: BudgetRange(min: Money("35000"), max: Money("45000.50")),
        timeframe: Timeframe(
            description: "Within 1 month", earliest: received, latest: date("2025-04-19T00:00:00.000Z"), bucket: .withinMonth),
        lifecycleStage: .quote,
        pipelineStatus: .contacted,
        locationResponse: .acknowledged,
        score: 72,
        priority: .hot,
        createdAt: received,
        lastActivityAt: later,
        customFields: [
            "preferred_contact_time": "evenings",
            "household_vehicles": 2,
            "newsletter": true,
            "down_payment": .number(Decimal(string: "6000.25")!),
            "colors": .list(["red", "white"]),
            "meta_ad_id": .string(metaAdId),
        ],
        comments: "Is the CR-V available for a test drive on Saturday?",
        isTest: false,
        consent: Consent(email: true, sms: true, phone: nil, marketing: false, recordedAt: received)
    )

    /// The smallest lead that is still valid: every optional field absent.
    static let minimalLead = Lead(
        id: otherLeadId,
        source: LeadSource(id: "src-manual", channel: .manual),
        createdAt: received
    )

    static let intake = Intake(
        channel: .meta, sourceId: source.id, sourceLeadId: metaLeadgenId, receivedAt: received,
        rawContentType: "application/json"
    )

    static let salesperson = Actor(id: "member-akira", role: .salesperson)
    static let locationContact = Actor(id: "contact-lakeshore-7", role: .locationContact)

    static let leadReceived = LeadReceived(
        eventId: receivedEventId, occurredAt: received, lead: lead, intake: intake,
        actor: Actor(id: source.id, role: .integrationSource)
    )

    static let minimalLeadReceived = LeadReceived(
        eventId: uuid("00000000-0000-4000-8000-000000000001"), occurredAt: received, lead: minimalLead,
        intake: Intake(channel: .manual, sourceId: "src-manual", receivedAt: received),
        actor: Actor(id: "member-bea", role: .salesperson)
    )

    /// One realistic change of every kind (exhaustive by construction).
    static func change(_ kind: LifecycleChange.Kind) -> LifecycleChange {
        switch kind {
        case .stageChanged:
            return .stageChanged(from: .quote, to: .request)
        case .pipelineStatusChanged:
            return .pipelineStatusChanged(
                pipelineId: "default", from: .negotiation, to: .closedLost, lostReason: .other,
                note: "Bought a used one from a private seller")
        case .locationResponseChanged:
            return .locationResponseChanged(
                locationId: "loc-columbus-north", from: .acknowledged, to: .accepted, note: "We have it in stock",
                followUpDelay: .custom(seconds: 5400))
        case .noteAdded:
            return .noteAdded(text: "Prefers to be called after 6 pm.")
        case .activityLogged:
            return .activityLogged(Activity(
                id: "act-1", kind: .call, direction: .outbound, outcome: .voicemail,
                summary: "Left a voicemail about Saturday", at: later, durationSeconds: 42))
        case .taskCreated:
            return .taskCreated(LeadTask(
                id: "task-1", title: "Call back about trade-in", dueAt: date("2025-03-20T15:00:00.000Z"),
                category: .thirdParty, assigneeId: "member-akira"))
        case .taskCompleted:
            return .taskCompleted(taskId: "task-1", comment: "Reached her; booked a test drive",
                                  nextFollowUpAt: date("2025-03-22T10:00:00.000Z"))
        case .appointmentScheduled:
            return .appointmentScheduled(Appointment(
                id: "appt-1", at: date("2025-03-22T14:30:00.000Z"), kind: .testDrive,
                locationId: "loc-columbus-north", notes: "Red CR-V, bring license"))
        case .appointmentOutcome:
            return .appointmentOutcome(appointmentId: "appt-1", kept: false)
        case .vehicleAdded:
            return .vehicleAdded(VehicleOfInterest(interest: .lease, status: .certified, kind: .search, make: "Honda", model: "HR-V"))
        case .tradeInAdded:
            return .tradeInAdded(rav4)
        case .collaboratorsChanged:
            return .collaboratorsChanged(added: ["member-carl"], removed: ["member-bea"])
        case .manuallyAssigned:
            return .manuallyAssigned(ownerId: "member-carl", locationId: "loc-columbus-north", note: "Speaks Norwegian")
        case .converted:
            return .converted(Conversion(
                vehicleSold: crv, finalPrice: Money("40123.45"), financing: Financing(method: .finance, lender: "Ally"),
                tradeIn: rav4, deliveryDate: date("2025-03-29T16:00:00.000Z")))
        case .erased:
            return .erased
        case .duplicateInquiry:
            return .duplicateInquiry(DuplicateInquiry(
                lead: minimalLead,
                intake: Intake(channel: .google, sourceId: "src-google", sourceLeadId: "AVpfmK3xT1f0rJmQk7Lz2w3YbN8cD5eFgH1", receivedAt: later),
                matchedOn: [.email, .phone]))
        case .surveyAnswered:
            return .surveyAnswered(SurveyAnswer(kind: .locationRevenue, revenue: Money("2150.75"), rating: 5, comment: "Sold with extended warranty"))
        case .merged:
            return .merged(mergedLeadIds: [otherLeadId], details: MergeDetails(
                survivor: lead, mergedLeads: [minimalLead], fieldChoices: ["name": otherLeadId]))
        case .unmerged:
            return .unmerged(restoredLeadIds: [otherLeadId], details: UnmergeDetails(
                survivor: lead, restoredLeads: [minimalLead],
                movedEvents: [UnmergeDetails.MovedEvent(eventId: receivedEventId, leadId: otherLeadId)]))
        }
    }

    static func lifecycleEvent(_ kind: LifecycleChange.Kind) -> LeadLifecycleEvent {
        LeadLifecycleEvent(
            eventId: eventId, leadId: leadId, occurredAt: later,
            actor: kind == .locationResponseChanged ? locationContact : salesperson,
            change: change(kind), causationEventId: receivedEventId)
    }

    static let leadScored = LeadScored(
        eventId: eventId, leadId: leadId, occurredAt: later, score: 72, previousScore: 48, previousPriority: .medium,
        rulesVersion: 3, modelKind: .rules,
        factors: [
            ScoreFactor(key: "timeframe.within_month", label: "Buying within a month", contribution: 20, detail: "Within 1 month"),
            ScoreFactor(key: "contact.phone_valid", label: "Valid mobile number", contribution: 15),
            ScoreFactor(key: "vehicle.inventory_match", label: "Wants an in-stock vehicle", contribution: 37.5, detail: "H25-0412"),
            ScoreFactor(key: "source.quality", label: "Source quality", contribution: -0.5),
        ],
        causationEventId: receivedEventId, lead: lead)

    static let leadAssigned = LeadAssigned(
        eventId: eventId, leadId: leadId, occurredAt: later, locationId: "loc-columbus-north", teamId: "team-suv",
        ownerId: "member-akira", previousOwnerId: "member-bea", previousLocationId: "loc-dublin",
        strategy: .specialization,
        candidates: [
            AssignmentCandidate(memberId: "member-akira", eligible: true, reason: "SUV specialist, 12/25 leads"),
            AssignmentCandidate(memberId: "member-carl", eligible: false, reason: "offline"),
            AssignmentCandidate(memberId: "loc-columbus-north", eligible: true, reason: "named by the lead", kind: .location),
        ],
        reason: "Vehicle type suv matches team-suv; next in rotation", isFallback: false,
        responseDueAt: date("2025-03-19T14:17:41.007Z"), causationEventId: receivedEventId, lead: lead)

    static let notificationOutcome = NotificationOutcome(
        eventId: eventId, leadId: leadId, occurredAt: later, notificationKey: "new_lead_assigned:6f1c2a9e:member-akira",
        channel: .sms, purpose: .newLeadAssigned,
        recipient: NotificationRecipient(
            id: "member-akira", kind: .member,
            addressHash: "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae", maskedAddress: "+1******0188"),
        status: .retrying, attempts: 2, error: "provider returned 503", nextAttemptAt: date("2025-03-19T14:03:41.007Z"),
        causationEventId: eventId)

    static let metricsSnapshot = MetricsSnapshot(
        eventId: eventId, occurredAt: later, windowStart: date("2025-03-19T14:00:00.000Z"),
        windowEnd: date("2025-03-19T14:01:00.000Z"),
        perSource: [
            SourceMetrics(sourceId: "src-meta-columbus", received: 14, scored: 14, assigned: 13),
            SourceMetrics(sourceId: "src-google", received: 3, scored: 2, assigned: 2),
        ],
        medianSpeedToLeadMs: 840, conversions: ConversionCounts(won: 2, lost: 1))

    static let deadLetter = DeadLetter(
        eventId: eventId, originalTopic: "leads.inbound", originalPartition: 7, originalOffset: 1_234_567,
        originalKey: leadId.description,
        originalHeaders: ["ce_type": "io.example.lead", "content-type": "application/json"],
        originalValue: Array(#"{"lead_id": 120208765432100011, "name": "trunc"#.utf8), stage: .ingest,
        errorCode: "invalid_json", reason: "Unexpected end of input at byte 47", failedAt: later, attempts: 1)
}
