import Foundation
import LeadModel
import LeadServiceKit

/// A validated `POST /v1/leads/{id}/merge` body:
/// `{"mergeLeadIds": ["<lead id>", …], "fieldChoices": {"name": "<lead id>", …}}`.
struct MergeRequest: Sendable, Equatable {
    /// The most leads one request merges.
    static let maximumLeads = 20

    var mergeLeadIds: [LeadID]
    var fieldChoices: [MergeField: LeadID]

    /// Reads and validates the body against the survivor's id (shape only; the leads are checked
    /// under their row locks).
    init(_ value: JSONValue, survivorId: LeadID) throws(Problem) {
        guard let object = value.object else {
            throw Problem.invalid("", rule: "type", "the body must be a JSON object", code: "invalid_body")
        }
        for key in object.keys where !["mergeLeadIds", "fieldChoices"].contains(key) {
            throw Problem.invalid("/\(Self.pointer(key))", rule: "unknown", "unknown field; expected mergeLeadIds and fieldChoices", code: "unknown_field")
        }
        guard let list = object["mergeLeadIds"]?.array else {
            throw Problem.invalid("/mergeLeadIds", rule: "required", "mergeLeadIds must be an array of lead ids")
        }
        guard !list.isEmpty, list.count <= Self.maximumLeads else {
            throw Problem.invalid("/mergeLeadIds", rule: "count", "merge 1 to \(Self.maximumLeads) leads at once")
        }
        var ids: [LeadID] = []
        for (index, element) in list.enumerated() {
            guard let text = element.string, text.utf8.count <= 64, let id = LeadID(text) else {
                throw Problem.invalid("/mergeLeadIds/\(index)", rule: "format", "a lead id is a UUID")
            }
            guard id != survivorId else {
                throw Problem.invalid("/mergeLeadIds/\(index)", rule: "self", "a lead cannot be merged into itself", code: "self_merge")
            }
            guard !ids.contains(id) else {
                throw Problem.invalid("/mergeLeadIds/\(index)", rule: "unique", "the lead is listed twice")
            }
            ids.append(id)
        }
        var choices: [MergeField: LeadID] = [:]
        if let raw = object["fieldChoices"], !raw.isNull {
            guard let choiceObject = raw.object else {
                throw Problem.invalid("/fieldChoices", rule: "type", "fieldChoices must be an object of field → lead id")
            }
            for (key, element) in choiceObject.members {
                guard let field = MergeField(rawValue: key) else {
                    throw Problem.invalid(
                        "/fieldChoices/\(Self.pointer(key))", rule: "enum",
                        "choosable fields: \(MergeField.allCases.map(\.rawValue).joined(separator: ", "))", code: "unknown_field")
                }
                guard let text = element.string, text.utf8.count <= 64, let id = LeadID(text), id == survivorId || ids.contains(id) else {
                    throw Problem.invalid("/fieldChoices/\(key)", rule: "member", "the choice must name the survivor or one of mergeLeadIds")
                }
                choices[field] = id
            }
        }
        mergeLeadIds = ids
        fieldChoices = choices
    }

    /// A JSON pointer token for `key`, shortened (problem bodies never echo long input).
    static func pointer(_ key: String) -> String {
        String(key.prefix(40)).replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }
}

/// A validated `POST /v1/leads/{id}/unmerge` body (optional):
/// `{"leadIds": ["<merged lead id>", …], "moveEvents": [{"eventId": "<uuid>", "toLeadId": "<lead id>"}]}`.
/// Without `leadIds` every lead merged into the survivor is restored.
struct UnmergeRequest: Sendable, Equatable {
    static let maximumMoves = 1000

    var leadIds: [LeadID]?
    var moves: [UnmergeDetails.MovedEvent]

    init(_ value: JSONValue?) throws(Problem) {
        guard let value, !value.isNull else {
            leadIds = nil
            moves = []
            return
        }
        guard let object = value.object else {
            throw Problem.invalid("", rule: "type", "the body must be a JSON object", code: "invalid_body")
        }
        for key in object.keys where !["leadIds", "moveEvents"].contains(key) {
            throw Problem.invalid("/\(MergeRequest.pointer(key))", rule: "unknown", "unknown field; expected leadIds and moveEvents", code: "unknown_field")
        }
        if let raw = object["leadIds"], !raw.isNull {
            guard let list = raw.array, !list.isEmpty, list.count <= MergeRequest.maximumLeads else {
                throw Problem.invalid("/leadIds", rule: "count", "leadIds must list 1 to \(MergeRequest.maximumLeads) lead ids")
            }
            var ids: [LeadID] = []
            for (index, element) in list.enumerated() {
                guard let text = element.string, text.utf8.count <= 64, let id = LeadID(text) else {
                    throw Problem.invalid("/leadIds/\(index)", rule: "format", "a lead id is a UUID")
                }
                if !ids.contains(id) { ids.append(id) }
            }
            leadIds = ids
        } else {
            leadIds = nil
        }
        var moves: [UnmergeDetails.MovedEvent] = []
        if let raw = object["moveEvents"], !raw.isNull {
            guard let list = raw.array, list.count <= Self.maximumMoves else {
                throw Problem.invalid("/moveEvents", rule: "count", "moveEvents must be an array of at most \(Self.maximumMoves) moves")
            }
            for (index, element) in list.enumerated() {
                guard let move = element.object,
                      let eventText = move["eventId"]?.string, eventText.utf8.count <= 64, let eventId = UUID(uuidString: eventText),
                      let leadText = move["toLeadId"]?.string, leadText.utf8.count <= 64, let leadId = LeadID(leadText)
                else {
                    throw Problem.invalid("/moveEvents/\(index)", rule: "format", "a move is {\"eventId\": \"<uuid>\", \"toLeadId\": \"<lead id>\"}")
                }
                guard !moves.contains(where: { $0.eventId == eventId }) else {
                    throw Problem.invalid("/moveEvents/\(index)", rule: "unique", "the event is moved twice")
                }
                moves.append(UnmergeDetails.MovedEvent(eventId: eventId, leadId: leadId))
            }
        }
        self.moves = moves
    }
}
