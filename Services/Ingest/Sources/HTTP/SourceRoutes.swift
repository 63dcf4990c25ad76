import Foundation
import Hummingbird
import LeadModel
import LeadServiceKit

/// Sources and their intake API keys (platform admins only, permission `manageSources`):
/// create and list sources, issue keys (the secret is shown once), rotate (the old keys keep
/// working for a grace period), revoke.
struct SourceRoutes: Sendable {
    let core: IngestCore

    func register(on router: Router<LeadflowRequestContext>) {
        router.post("/v1/sources") { request, context in try await create(request, context) }
        router.get("/v1/sources") { _, context in
            try context.requirePrincipal().require(.manageSources)
            return try Response.json(SourceList(sources: try await core.sources.all()))
        }
        router.get("/v1/sources/:sourceId") { _, context in
            try context.requirePrincipal().require(.manageSources)
            return try Response.json(try await source(context))
        }
        router.delete("/v1/sources/:sourceId") { _, context in
            try context.requirePrincipal().require(.manageSources)
            let id = try await source(context).id
            _ = try await core.sources.disable(id, now: core.clock())
            core.apiKeys.invalidate()
            return Response(status: .noContent)
        }
        router.get("/v1/sources/:sourceId/keys") { _, context in
            try context.requirePrincipal().require(.manageSources)
            let id = try await source(context).id
            let now = core.clock()
            return try Response.json(KeyList(keys: try await core.sources.keys(of: id).map { KeyView($0, now: now) }))
        }
        router.post("/v1/sources/:sourceId/keys") { request, context in try await issue(request, context, rotate: false) }
        router.post("/v1/sources/:sourceId/keys/rotate") { request, context in try await issue(request, context, rotate: true) }
        router.delete("/v1/sources/:sourceId/keys/:keyId") { _, context in
            try context.requirePrincipal().require(.manageSources)
            let id = try await source(context).id
            let keyId = try context.parameters.require("keyId")
            guard try await core.sources.revoke(keyId: keyId, sourceId: id, now: core.clock()) else {
                throw Problem.notFound("no such key")
            }
            core.apiKeys.invalidate()
            return Response(status: .noContent)
        }
    }

    struct SourceList: Encodable { var sources: [SourceRecord] }
    struct KeyList: Encodable { var keys: [KeyView] }

    /// A key as listed: its record and whether it works now.
    struct KeyView: Encodable {
        var keyId: String
        var sourceId: String
        var label: String?
        var createdAt: Date
        var expiresAt: Date?
        var revokedAt: Date?
        var active: Bool

        init(_ record: APIKeyRecord, now: Date) {
            keyId = record.keyId
            sourceId = record.sourceId
            label = record.label
            createdAt = record.createdAt
            expiresAt = record.expiresAt
            revokedAt = record.revokedAt
            active = record.isActive(at: now)
        }
    }

    /// A newly issued key: the only time its secret is shown.
    struct IssuedKey: Encodable {
        var keyId: String
        var sourceId: String
        var apiKey: String
        var label: String?
        var createdAt: Date
        var expiresAt: Date?
        /// On rotation: until when the previous keys keep working.
        var previousKeysExpireAt: Date?
    }

    func source(_ context: LeadflowRequestContext) async throws -> SourceRecord {
        let id = try context.parameters.require("sourceId")
        guard let record = try await core.sources.find(id) else { throw Problem.notFound("no such source") }
        return record
    }

    static func isSourceId(_ id: String) -> Bool {
        guard let first = id.first, (1...64).contains(id.count), first.isLetter || first.isNumber else { return false }
        return id.allSatisfy { ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "-" || $0 == "_" || $0 == "." }
    }

    func create(_ request: Request, _ context: LeadflowRequestContext) async throws -> Response {
        try context.requirePrincipal().require(.manageSources)
        let body = try await body(request)
        var reader = JSONFieldReader()
        reader.onlyKnownKeys(body, ["id", "name", "channel", "partner", "rateLimitPerMinute"], at: "")
        let id = reader.text(body, "id", at: "")?.text
        let name = try core.builder.text(reader.text(body, "name", at: "") ?? FieldText("", at: "/name"), singleLine: true, required: true)
        let channel = reader.enumeration(IntakeChannel.self, body, "channel", at: "") ?? .json
        let partner = try core.builder.text(reader.text(body, "partner", at: ""), singleLine: true)
        var rate: Int?
        if let field = reader.text(body, "rateLimitPerMinute", at: "", numbers: true) {
            if let value = Int(field.text), (1...100_000_000).contains(value) { rate = value } else {
                reader.fail(field.path, "range", "rateLimitPerMinute must be a whole number from 1")
            }
        }
        if let first = reader.violations.first { throw Problem.invalid(first.field ?? "/", rule: first.rule ?? "format", first.detail) }
        guard let id, Self.isSourceId(id) else {
            throw Problem.invalid("/id", rule: "pattern", "a source id is 1 to 64 letters, digits, '.', '-' or '_'")
        }
        let record = SourceRecord(id: id, name: name ?? id, channel: channel, partner: partner, rateLimitPerMinute: rate, createdAt: core.clock())
        guard try await core.sources.create(record) else {
            throw Problem(status: .conflict, code: "source_exists", detail: "a source with that id exists", field: "/id", rule: "unique")
        }
        return try Response.json(record, status: .created)
    }

    func issue(_ request: Request, _ context: LeadflowRequestContext, rotate: Bool) async throws -> Response {
        try context.requirePrincipal().require(.manageSources)
        let source = try await source(context)
        guard source.disabledAt == nil else {
            throw Problem(status: .conflict, code: "source_disabled", detail: "the source is disabled")
        }
        let body = try await body(request, optional: true)
        var reader = JSONFieldReader()
        reader.onlyKnownKeys(body, ["label", "expiresAt", "graceSeconds"], at: "")
        let label = try core.builder.text(reader.text(body, "label", at: ""), singleLine: true)
        let now = core.clock()
        var expiresAt: Date?
        if let field = reader.text(body, "expiresAt", at: "") {
            guard let date = DateParser.parse(field.text), date > now else {
                throw Problem.invalid("/expiresAt", rule: "future", "expiresAt must be a date-time in the future")
            }
            expiresAt = date
        }
        var grace = core.configuration.rotationGraceSeconds
        if let field = reader.text(body, "graceSeconds", at: "", numbers: true) {
            guard let value = Int(field.text), (0...(90 * 86_400)).contains(value) else {
                throw Problem.invalid("/graceSeconds", rule: "range", "graceSeconds must be 0 to 90 days")
            }
            grace = TimeInterval(value)
        }
        if let first = reader.violations.first { throw Problem.invalid(first.field ?? "/", rule: first.rule ?? "format", first.detail) }
        let key = APIKey.generate()
        let record: APIKeyRecord
        if rotate {
            record = try await core.sources.rotate(to: key, sourceId: source.id, label: label, grace: grace, now: now)
        } else {
            record = try await core.sources.addKey(key, sourceId: source.id, label: label, expiresAt: expiresAt, now: now)
        }
        core.apiKeys.invalidate()
        context.logger.info("issued an API key", metadata: ["sourceId": "\(source.id)", "keyId": "\(key.keyId)", "rotation": "\(rotate)"])
        return try Response.json(IssuedKey(
            keyId: record.keyId, sourceId: source.id, apiKey: key.plaintext, label: label, createdAt: now,
            expiresAt: record.expiresAt, previousKeysExpireAt: rotate ? now.addingTimeInterval(grace) : nil), status: .created)
    }

    func body(_ request: Request, optional: Bool = false) async throws -> JSONObject {
        let bytes = Array(try await request.collectBody(limit: 64 << 10).readableBytesView)
        if optional, bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return JSONObject() }
        do {
            guard case .object(let object) = try core.json.parse(bytes) else {
                throw Problem.invalid("/", rule: "type", "the body must be a JSON object")
            }
            return object
        } catch let error as JSONParseError {
            throw error.problem
        }
    }
}
