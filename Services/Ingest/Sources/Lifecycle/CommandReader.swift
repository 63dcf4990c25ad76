import Foundation
import LeadModel

/// Reads lifecycle command bodies (JSON) into ``LifecycleCommand``s, normalizing free text,
/// vehicles, trade-ins and amounts with the intake rules. Every violation names its field.
struct CommandReader {
    let builder: LeadBuilder
    let now: Date

    /// The commands a route path names.
    enum Kind: String, CaseIterable {
        case stage, status, locationResponse = "location-response", notes, activities, tasks, vehicles
        case tradeIns = "trade-ins", collaborators, assignment, conversion
    }

    func read(_ kind: Kind, _ value: JSONValue) throws(IntakeRejection) -> LifecycleCommand {
        guard case .object(let body) = value else { throw .field("/", rule: "type", "the body must be a JSON object") }
        var reader = JSONFieldReader()
        let command: LifecycleCommand?
        switch kind {
        case .stage:
            reader.onlyKnownKeys(body, ["to"], at: "")
            let to = reader.enumeration(LifecycleStage.self, body, "to", at: "")
            command = to.map { .changeStage(to: $0) } ?? missing("/to", &reader)
        case .status:
            reader.onlyKnownKeys(body, ["to", "lostReason", "note", "pipelineId"], at: "")
            let to = reader.text(body, "to", at: "").map { PipelineStatus($0.text.trimmingWhitespace) }
            let reason = reader.enumeration(LostReason.self, body, "lostReason", at: "")
            let note = try builder.text(reader.text(body, "note", at: ""))
            let pipeline = reader.text(body, "pipelineId", at: "")?.text
            command = to.map { .changeStatus(to: $0, lostReason: reason, note: note, pipelineId: pipeline) } ?? missing("/to", &reader)
        case .locationResponse:
            reader.onlyKnownKeys(body, ["to", "note", "followUpDelay", "lostReason"], at: "")
            let to = reader.enumeration(LocationResponseStatus.self, body, "to", at: "")
            let note = try builder.text(reader.text(body, "note", at: ""))
            let reason = reader.enumeration(LostReason.self, body, "lostReason", at: "")
            let delay = followUpDelay(body, &reader)
            command = to.map { .respond(to: $0, note: note, followUpDelay: delay, lostReason: reason) } ?? missing("/to", &reader)
        case .notes:
            reader.onlyKnownKeys(body, ["text"], at: "")
            let text = try builder.text(reader.text(body, "text", at: "") ?? FieldText("", at: "/text"), required: true)
            command = text.map { .addNote($0) }
        case .activities:
            reader.onlyKnownKeys(body, ["id", "kind", "direction", "outcome", "summary", "at", "durationSeconds"], at: "")
            let kind = reader.enumeration(Activity.Kind.self, body, "kind", at: "")
            let direction = reader.enumeration(Activity.Direction.self, body, "direction", at: "") ?? .outbound
            let outcome = reader.enumeration(Activity.Outcome.self, body, "outcome", at: "") ?? .completed
            let summary = try builder.text(reader.text(body, "summary", at: ""))
            let at = date(body, "at", &reader) ?? now
            let duration = integer(body, "durationSeconds", &reader, range: 0...86_400)
            let id = try identifier(body, "id", &reader)
            command = kind.map {
                .logActivity(Activity(id: id, kind: $0, direction: direction, outcome: outcome, summary: summary, at: at, durationSeconds: duration))
            } ?? missing("/kind", &reader)
        case .tasks:
            reader.onlyKnownKeys(body, ["id", "title", "dueAt", "category", "assigneeId"], at: "")
            let title = try builder.text(reader.text(body, "title", at: "") ?? FieldText("", at: "/title"), singleLine: true, required: true)
            let due = date(body, "dueAt", &reader)
            if due == nil, !reader.violations.contains(where: { $0.field == "/dueAt" }) {
                reader.fail("/dueAt", "required", "a task needs its due date")
            }
            let category = reader.enumeration(LeadCategory.self, body, "category", at: "")
            let assignee = try identifier(body, "assigneeId", &reader)
            let id = try identifier(body, "id", &reader) ?? "task-\(UUID().uuidString.lowercased().prefix(13))"
            command = (title != nil && due != nil)
                ? .createTask(LeadTask(id: id, title: title!, dueAt: due!, category: category, assigneeId: assignee)) : nil
        case .vehicles:
            let draft = GenericLeadDocument.readVehicle(body, at: "", reader: &reader)
            command = reader.violations.isEmpty ? .addVehicle(try builder.vehicle(draft)) : nil
        case .tradeIns:
            let draft = GenericLeadDocument.readTradeIn(body, at: "", reader: &reader)
            command = reader.violations.isEmpty ? .addTradeIn(try builder.tradeIn(draft)) : nil
        case .collaborators:
            reader.onlyKnownKeys(body, ["add", "remove"], at: "")
            let add = identifiers(body, "add", &reader)
            let remove = identifiers(body, "remove", &reader)
            if add.isEmpty, remove.isEmpty, reader.violations.isEmpty {
                reader.fail("/add", "required_one_of", "name collaborators to add or remove")
            }
            command = .changeCollaborators(add: add, remove: remove)
        case .assignment:
            reader.onlyKnownKeys(body, ["ownerId", "locationId", "note"], at: "")
            let owner = try identifier(body, "ownerId", &reader)
            let location = try identifier(body, "locationId", &reader)
            let note = try builder.text(reader.text(body, "note", at: "") ?? FieldText("", at: "/note"), required: true)
            if owner == nil, !reader.violations.contains(where: { $0.field == "/ownerId" }) {
                reader.fail("/ownerId", "required", "a manual assignment names the new owner")
            }
            command = (owner != nil && note != nil) ? .assign(ownerId: owner!, locationId: location, note: note!) : nil
        case .conversion:
            reader.onlyKnownKeys(body, ["vehicleSold", "finalPrice", "financing", "tradeIn", "deliveryDate"], at: "")
            var conversion = Conversion()
            if let vehicle = reader.object(body, "vehicleSold", at: "") {
                let draft = GenericLeadDocument.readVehicle(vehicle, at: "/vehicleSold", reader: &reader)
                if reader.violations.isEmpty { conversion.vehicleSold = try builder.vehicle(draft) }
            }
            if let tradeIn = reader.object(body, "tradeIn", at: "") {
                let draft = GenericLeadDocument.readTradeIn(tradeIn, at: "/tradeIn", reader: &reader)
                if reader.violations.isEmpty { conversion.tradeIn = try builder.tradeIn(draft) }
            }
            if let price = reader.money(body, "finalPrice", at: "") { conversion.finalPrice = try builder.money(price) }
            if let financing = reader.object(body, "financing", at: "") {
                reader.onlyKnownKeys(financing, ["method", "lender"], at: "/financing")
                let method = reader.enumeration(Financing.Method.self, financing, "method", at: "/financing")
                let lender = try builder.text(reader.text(financing, "lender", at: "/financing"), singleLine: true)
                if let method { conversion.financing = Financing(method: method, lender: lender) } else if reader.violations.isEmpty {
                    reader.fail("/financing/method", "required", "financing needs its method (cash, finance, lease)")
                }
            }
            conversion.deliveryDate = date(body, "deliveryDate", &reader)
            command = .convert(conversion)
        }
        if !reader.violations.isEmpty { throw IntakeRejection(reader.violations) }
        guard let command else { throw .field("/", rule: "required", "the command is incomplete") }
        return command
    }

    /// `POST …/tasks/{taskId}/complete`: `{"comment": …, "nextFollowUpAt": …}`.
    func readCompletion(taskId: String, _ value: JSONValue) throws(IntakeRejection) -> LifecycleCommand {
        guard case .object(let body) = value else { throw .field("/", rule: "type", "the body must be a JSON object") }
        var reader = JSONFieldReader()
        reader.onlyKnownKeys(body, ["comment", "nextFollowUpAt"], at: "")
        let comment = try builder.text(reader.text(body, "comment", at: "") ?? FieldText("", at: "/comment"), required: true)
        let next = date(body, "nextFollowUpAt", &reader)
        if !reader.violations.isEmpty { throw IntakeRejection(reader.violations) }
        return .completeTask(id: taskId, comment: comment ?? "", nextFollowUpAt: next)
    }

    /// `POST …/appointments`: `{"at": …, "kind": "test_drive|visit|call", "locationId": …, "notes": …}`.
    func readAppointment(_ value: JSONValue) throws(IntakeRejection) -> LifecycleCommand {
        guard case .object(let body) = value else { throw .field("/", rule: "type", "the body must be a JSON object") }
        var reader = JSONFieldReader()
        reader.onlyKnownKeys(body, ["id", "at", "kind", "locationId", "notes"], at: "")
        let at = date(body, "at", &reader)
        if at == nil, !reader.violations.contains(where: { $0.field == "/at" }) { reader.fail("/at", "required", "an appointment needs its time") }
        let kind = reader.enumeration(Appointment.Kind.self, body, "kind", at: "") ?? .visit
        let location = try identifier(body, "locationId", &reader)
        let notes = try builder.text(reader.text(body, "notes", at: ""))
        let id = try identifier(body, "id", &reader) ?? "appt-\(UUID().uuidString.lowercased().prefix(13))"
        if !reader.violations.isEmpty { throw IntakeRejection(reader.violations) }
        return .scheduleAppointment(Appointment(id: id, at: at!, kind: kind, locationId: location, notes: notes))
    }

    /// `POST …/appointments/{id}/outcome`: `{"kept": true}` or `{"outcome": "kept" | "no_show"}`.
    func readOutcome(appointmentId: String, _ value: JSONValue) throws(IntakeRejection) -> LifecycleCommand {
        guard case .object(let body) = value else { throw .field("/", rule: "type", "the body must be a JSON object") }
        var reader = JSONFieldReader()
        reader.onlyKnownKeys(body, ["kept", "outcome"], at: "")
        var kept = reader.bool(body, "kept", at: "")
        if kept == nil, let outcome = reader.text(body, "outcome", at: "") {
            switch outcome.text.trimmingWhitespace.lowercased().replacingOccurrences(of: "-", with: "_") {
            case "kept", "showed", "show": kept = true
            case "no_show", "noshow", "missed": kept = false
            default: reader.fail(outcome.path, "enum", "outcome must be kept or no_show")
            }
        }
        if kept == nil, reader.violations.isEmpty { reader.fail("/kept", "required", "say whether the appointment was kept") }
        if !reader.violations.isEmpty { throw IntakeRejection(reader.violations) }
        return .recordAppointmentOutcome(id: appointmentId, kept: kept!)
    }

    func missing(_ field: String, _ reader: inout JSONFieldReader) -> LifecycleCommand? {
        if !reader.violations.contains(where: { $0.field == field }) {
            reader.fail(field, "required", "the field is required")
        }
        return nil
    }

    func date(_ body: JSONObject, _ key: String, _ reader: inout JSONFieldReader) -> Date? {
        guard let field = reader.text(body, key, at: "") else { return nil }
        guard let date = DateParser.parse(field.text) else {
            reader.fail(field.path, "date_time", "the field is not a date-time")
            return nil
        }
        return date
    }

    func integer(_ body: JSONObject, _ key: String, _ reader: inout JSONFieldReader, range: ClosedRange<Int>) -> Int? {
        guard let field = reader.text(body, key, at: "", numbers: true) else { return nil }
        guard let value = Int(field.text), range.contains(value) else {
            reader.fail(field.path, "range", "the field must be a whole number in \(range.lowerBound)...\(range.upperBound)")
            return nil
        }
        return value
    }

    /// An id (task, member, location): 1 to 128 characters without spaces or control characters.
    func identifier(_ body: JSONObject, _ key: String, _ reader: inout JSONFieldReader) throws(IntakeRejection) -> String? {
        guard let field = reader.text(body, key, at: "", numbers: true) else { return nil }
        let text = field.text.trimmingWhitespace
        guard Self.isIdentifier(text) else {
            reader.fail(field.path, "identifier", "the field must be an id of 1 to 128 characters without spaces")
            return nil
        }
        return text
    }

    func identifiers(_ body: JSONObject, _ key: String, _ reader: inout JSONFieldReader) -> [String] {
        var result: [String] = []
        for (index, item) in (reader.array(body, key, at: "") ?? []).enumerated() {
            guard let text = item.string?.trimmingWhitespace, Self.isIdentifier(text) else {
                reader.fail("/\(key)/\(index)", "identifier", "each entry must be an id of 1 to 128 characters without spaces")
                continue
            }
            result.append(text)
        }
        if result.count > 50 { reader.fail("/\(key)", "max_items", "more than 50 ids") }
        return result
    }

    static func isIdentifier(_ text: String) -> Bool {
        (1...128).contains(text.count) && text.unicodeScalars.allSatisfy { scalar in
            !scalar.properties.isWhitespace && scalar.value >= 0x20 && scalar.value != 0x7F && !(0x80..<0xA0).contains(scalar.value)
        }
    }

    func followUpDelay(_ body: JSONObject, _ reader: inout JSONFieldReader) -> FollowUpDelay? {
        guard let object = reader.object(body, "followUpDelay", at: "") else { return nil }
        reader.onlyKnownKeys(object, ["kind", "seconds"], at: "/followUpDelay")
        guard let kind = reader.enumeration(FollowUpDelay.Kind.self, object, "kind", at: "/followUpDelay") else {
            _ = missing("/followUpDelay/kind", &reader)
            return nil
        }
        switch kind {
        case .oneHour: return .oneHour
        case .tomorrow: return .tomorrow
        case .threeDays: return .threeDays
        case .oneWeek: return .oneWeek
        case .custom:
            guard let field = reader.text(object, "seconds", at: "/followUpDelay", numbers: true), let seconds = Int(field.text),
                  (1...(365 * 86_400)).contains(seconds) else {
                reader.fail("/followUpDelay/seconds", "range", "a custom delay needs seconds between 1 and one year")
                return nil
            }
            return .custom(seconds: seconds)
        }
    }
}
