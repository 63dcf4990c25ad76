import Foundation
import LeadModel
import LeadServiceKit

/// Everything a template can show, built from the lead snapshot and the notification's context.
///
/// Templates see (absent values are simply missing, so `{{#x}}…{{/x}}` tests for them):
/// `recipient.name`, `recipient.firstName`; `lead.id`, `lead.name`, `lead.firstName`,
/// `lead.email`, `lead.phone`, `lead.vehicle` (the preferred vehicle, e.g. "2024 Toyota RAV4 XLE"),
/// `lead.vehicleType`, `lead.vehiclePrice`, `lead.score`, `lead.priority`, `lead.source`,
/// `lead.comments`, `lead.status`, `lead.locationResponse`; `location.id`;
/// `actions.hasAny`, `actions.acknowledge|accept|reject|won|lost|complete|reportRevenue|reviewLocation`
/// (one-click URLs); `reviewLinks` (list of `rating`, `url`); `task.title`, `task.due`;
/// `appointment.time`, `appointment.kind`; `reminder.note`; `respondBy`; `sentAt`.
public struct MessageModel: Sendable {
    /// The recipient's display name.
    public var recipientName: String?
    /// The lead's id.
    public var leadId: LeadID
    /// The lead as the notifier knows it (nil once erased or when unknown).
    public var lead: Lead?
    /// The lead's location.
    public var locationId: String?
    /// One-click URLs per action.
    public var actions: [ActionLinkAction: String]
    /// For review requests: one URL per rating 1–5.
    public var reviewLinks: [(rating: Int, url: String)]
    /// The due task, for task reminders.
    public var task: (title: String, dueAt: Date)?
    /// The appointment, for "needs attention".
    public var appointment: Appointment?
    /// The note of a follow-up reminder.
    public var reminderNote: String?
    /// When a response is due (assignment SLA).
    public var respondBy: Date?
    /// When the message is composed.
    public var now: Date
    /// The recipient's time zone, for every local time shown.
    public var timeZone: TimeZone

    /// Creates a model.
    public init(
        recipientName: String?, leadId: LeadID, lead: Lead?, locationId: String?, actions: [ActionLinkAction: String] = [:],
        reviewLinks: [(rating: Int, url: String)] = [], task: (title: String, dueAt: Date)? = nil,
        appointment: Appointment? = nil, reminderNote: String? = nil, respondBy: Date? = nil, now: Date,
        timeZone: TimeZone
    ) {
        self.recipientName = recipientName
        self.leadId = leadId
        self.lead = lead
        self.locationId = locationId
        self.actions = actions
        self.reviewLinks = reviewLinks
        self.task = task
        self.appointment = appointment
        self.reminderNote = reminderNote
        self.respondBy = respondBy
        self.now = now
        self.timeZone = timeZone
    }

    /// The values handed to Mustache.
    public func mustacheValues() -> [String: Any] {
        var values: [String: Any] = [:]
        var recipient: [String: Any] = [:]
        if let name = recipientName?.nonEmpty {
            recipient["name"] = name
            recipient["firstName"] = name.split(whereSeparator: \.isWhitespace).first.map(String.init)
        }
        values["recipient"] = recipient
        values["lead"] = leadValues()
        if let locationId { values["location"] = ["id": locationId] }
        var actionValues: [String: Any] = [:]
        for (action, url) in actions { actionValues[Self.actionKey(action)] = url }
        if !actions.isEmpty { actionValues["hasAny"] = true }
        values["actions"] = actionValues
        if !reviewLinks.isEmpty {
            values["reviewLinks"] = reviewLinks.map { ["rating": $0.rating, "url": $0.url] as [String: Any] }
        }
        if let task { values["task"] = ["title": task.title, "due": format(task.dueAt)] }
        if let appointment {
            values["appointment"] = [
                "time": format(appointment.at), "kind": appointment.kind.rawValue.replacingOccurrences(of: "_", with: " "),
            ]
        }
        if let note = reminderNote?.nonEmpty { values["reminder"] = ["note": note] }
        if let respondBy { values["respondBy"] = format(respondBy) }
        values["sentAt"] = format(now)
        return values
    }

    private func leadValues() -> [String: Any] {
        var values: [String: Any] = ["id": leadId.description]
        guard let lead else { return values }
        if let name = lead.fullName.full.nonEmpty { values["name"] = name }
        if let first = lead.fullName.first { values["firstName"] = first }
        if let email = lead.contacts.primaryEmail?.address { values["email"] = email }
        if let phone = lead.contacts.primaryPhone { values["phone"] = phone.e164 ?? phone.raw }
        if let vehicle = lead.preferredVehicle {
            if let description = Self.describe(vehicle) { values["vehicle"] = description }
            if let type = vehicle.vehicleType ?? vehicle.bodyStyle { values["vehicleType"] = type }
            if let price = vehicle.price { values["vehiclePrice"] = "\(price.amount) \(price.currency)" }
        }
        if let score = lead.score { values["score"] = score }
        if let priority = lead.priority { values["priority"] = priority.rawValue }
        values["source"] = lead.source.name ?? lead.source.id
        if let comments = lead.comments?.nonEmpty { values["comments"] = comments }
        values["status"] = lead.pipelineStatus.rawValue
        if let response = lead.locationResponse { values["locationResponse"] = response.rawValue }
        return values
    }

    /// "2024 Toyota RAV4 XLE" (the parts present, in that order).
    public static func describe(_ vehicle: VehicleOfInterest) -> String? {
        let parts = [vehicle.year.map(String.init), vehicle.make, vehicle.model, vehicle.trim].compactMap { $0?.nonEmpty }
        return parts.isEmpty ? nil : parts.joined(separator: " ")
    }

    /// `reportRevenue` for `report_revenue` (Mustache names cannot hold every character comfortably).
    static func actionKey(_ action: ActionLinkAction) -> String {
        switch action {
        case .reportRevenue: "reportRevenue"
        case .reviewLocation: "reviewLocation"
        default: action.rawValue
        }
    }

    private func format(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = timeZone
        formatter.dateFormat = "EEE d MMM yyyy, HH:mm zzz"
        return formatter.string(from: date)
    }
}

extension String {
    /// `nil` when empty or whitespace only.
    var nonEmpty: String? {
        allSatisfy(\.isWhitespace) ? nil : self
    }
}
