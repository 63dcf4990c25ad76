import Crypto
import Foundation
import LeadMessaging
import LeadModel
import LeadServiceKit
import LeadStorage
import PostgresNIO

/// Handles ingest's consumed topics: raw leads on `leads.inbound` (format by `content-type`)
/// and assignments on `leads.assigned` (to keep owner, location and team for access checks).
struct IngestEventHandler: EventHandler {
    let core: IngestCore
    let metaQueue: MetaFetchQueue
    let inboundTopic: String
    let assignedTopic: String

    func handle(_ message: ConsumedMessage) async throws {
        if message.topic == inboundTopic {
            try await handleInbound(message)
        } else if message.topic == assignedTopic {
            try await handleAssigned(message)
        } else {
            throw EventRejection(code: "unexpected_topic", reason: "ingest does not consume \(message.topic)")
        }
    }

    // MARK: leads.assigned

    func handleAssigned(_ message: ConsumedMessage) async throws {
        let incoming = try IncomingEvent(message)
        guard case .assigned(let event) = incoming.event else {
            throw EventRejection(code: "unexpected_event_type", reason: "leads.assigned carries \(incoming.envelope.type.prefix(120))")
        }
        let store = core.store
        let now = core.clock()
        try await core.context.applier.applyOnce(consumer: "ingest.assigned", eventId: incoming.eventId) { connection in
            guard var stored = try await store.load(event.leadId, forUpdate: true, on: connection) else {
                core.logger.notice("assignment for a lead ingest does not know", metadata: ["leadId": "\(event.leadId)"])
                return []
            }
            let before = stored.lead
            stored.lead.apply(assignment: event)
            if stored.lead != before || stored.teamId != event.teamId {
                try await store.update(stored.lead, team: .some(event.teamId ?? stored.teamId), now: now, on: connection)
            }
            return []
        }
    }

    // MARK: leads.inbound

    /// The format a `leads.inbound` message declares.
    enum InboundFormat {
        case json, adf, meta, google

        init?(contentType: String?) {
            let type = (contentType ?? "application/json").split(separator: ";").first.map { $0.trimmingWhitespace.lowercased() } ?? ""
            switch type {
            case "application/json", "application/vnd.leadflow.lead+json", "text/json": self = .json
            case "application/xml", "text/xml", "application/adf+xml", "application/vnd.adf+xml": self = .adf
            case "application/vnd.meta.lead+json", "application/vnd.meta.leadgen+json", "application/vnd.facebook.lead+json": self = .meta
            case "application/vnd.google.lead+json", "application/vnd.google.leadform+json": self = .google
            default: return nil
            }
        }
    }

    /// The headers `handleInbound` reads; one whose bytes are not UTF-8 must not count as absent.
    static let readHeaders: Set<String> = ["content-type", "content_type", "contentType", "leadflow-source", "x-leadflow-source"]

    func handleInbound(_ message: ConsumedMessage) async throws {
        if let broken = message.headers.first(where: { Self.readHeaders.contains($0.key) && $0.value != nil && $0.stringValue == nil }) {
            throw EventRejection(code: "invalid_header", reason: "header '\(broken.key)' is not valid UTF-8")
        }
        let contentType = message.header("content-type") ?? message.header("content_type") ?? message.header("contentType")
        guard let format = InboundFormat(contentType: contentType) else {
            throw EventRejection(code: "unsupported_media_type", reason: "content-type '\((contentType ?? "").prefix(80))' is not a lead format")
        }
        guard !message.value.isEmpty else {
            throw EventRejection(code: "empty_message", reason: "the message has no body")
        }
        guard message.value.count <= core.configuration.maxBodyBytes else {
            throw EventRejection(code: "body_too_large", reason: "the message exceeds \(core.configuration.maxBodyBytes) bytes")
        }
        let header = (message.header("leadflow-source") ?? message.header("x-leadflow-source"))
            .map { $0.trimmingWhitespace }.flatMap { $0.isEmpty ? nil : $0 }
        let now = core.clock()
        var parsedJSON: GenericLeadDocument?
        if format == .json {
            do {
                parsedJSON = try GenericLeadDocument.read(try core.json.parse(message.value))
            } catch let error as JSONParseError {
                throw EventRejection(code: error.code, reason: error.message)
            } catch let rejection as IntakeRejection {
                throw EventRejection(code: rejection.first.code, reason: rejection.description)
            }
        }
        // The header names the source; a generic JSON lead may name it in its body instead.
        let sourceId = header ?? parsedJSON?.sourceId ?? core.configuration.topicDefaultSourceId
        guard sourceId.count <= 64, !TextRules.hasForbiddenControl(sourceId, singleLine: true) else {
            throw EventRejection(code: "invalid_header", reason: "the source id is longer than 64 characters or holds control characters")
        }
        let actor = Actor(id: sourceId, role: .integrationSource)
        let record = await core.sourceRecord(sourceId)
        let source = LeadSource(id: sourceId, name: record?.name, channel: .topic, partner: record?.partner)
        let prepared: [PreparedLead]
        do {
            switch format {
            case .json:
                guard let document = parsedJSON else { return }
                guard document.manualKind == nil, document.submission.locationId == nil else {
                    throw IntakeRejection.field("/manual", rule: "manual_only", "feeds cannot enter leads manually or name a location")
                }
                prepared = [try core.prepare(document.submission, source: source, contentType: contentType, actor: actor, now: now)]
            case .adf:
                let submissions = try ADFFormat.read(try core.xml.parse(message.value), limits: core.configuration.limits)
                prepared = try core.prepareAll(submissions, source: source, contentType: contentType, actor: actor, now: now)
            case .google:
                let document = try GoogleFormat.read(try core.json.parse(message.value))
                prepared = [try core.prepare(document.submission, source: source, contentType: contentType, actor: actor, now: now)]
            case .meta:
                let value = try core.json.parse(message.value)
                if value.object?["object"] != nil {
                    // A webhook notification relayed as is: queue its leadgen ids for fetching.
                    let notices = try MetaFormat.notices(value, limits: core.configuration.limits)
                    _ = try await metaQueue.enqueue(notices, sourceId: sourceId, now: now)
                    return
                }
                prepared = [try core.prepare(try MetaFormat.lead(value), source: source, contentType: contentType, actor: actor, now: now)]
            }
        } catch let error as JSONParseError {
            throw EventRejection(code: error.code, reason: error.message)
        } catch let error as XMLReadError {
            throw EventRejection(code: error.code, reason: error.message)
        } catch let rejection as IntakeRejection {
            throw EventRejection(code: rejection.first.code, reason: rejection.description)
        }
        let writer = core.writer
        try await core.context.applier.applyOnce(consumer: "ingest.inbound", eventId: Self.eventId(of: message)) { connection in
            try await writer.submit(prepared, now: now, on: connection).1
        }
    }

    /// The message's `ce_id` when it is a UUID, else a UUID derived from its position, so a
    /// redelivered message is recognized as the same.
    static func eventId(of message: ConsumedMessage) -> UUID {
        if let id = message.header(EventEnvelope.Header.id).flatMap(UUID.init(uuidString:)) { return id }
        let digest = Array(SHA256.hash(data: Data("\(message.topic)/\(message.partition)/\(message.offset)".utf8)))
        var bytes = Array(digest.prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x50
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                           bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }
}

extension Lead {
    /// Takes over who owns the lead and where it went from a `leads.assigned` event. A lead sent
    /// to a new location starts that location's response over at `unacknowledged`.
    mutating func apply(assignment event: LeadAssigned) {
        if let location = event.locationId, location != locationId || locationResponse == nil {
            locationId = location
            locationResponse = .unacknowledged
        }
        if let owner = event.ownerId { ownerId = owner }
    }
}
