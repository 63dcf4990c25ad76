import Foundation
import Hummingbird
import LeadModel
import LeadServiceKit
import PostgresNIO

/// The body of `PUT /v1/scoring/rules`: the shape `GET` answers, so an editor can send back what
/// it read. Only `rules` is required; `version`, when given, must be the current version (else 409);
/// `createdAt` and `createdBy` are read-only and ignored.
struct RulesUpdate: Decodable {
    var rules: ScoringRules
    var note: String?
    var version: Int?

    static let allowedFields: Set<String> = ["rules", "note", "version", "createdAt", "createdBy"]
}

/// A version in the list of versions (without its rules).
struct RuleSetSummary: Codable {
    var version: Int
    var createdAt: Date
    var createdBy: String
    var note: String?
}

extension ScoringAPI {
    static let rulesBodyLimits = JSONBodyLimits(maxBytes: 256 << 10, maxDepth: 8)

    /// `GET /v1/scoring/rules`: the current version, with an `ETag` of its number.
    func currentRules(_ context: LeadflowRequestContext) async throws -> Response {
        _ = try requireAdmin(context)
        let current = try await rules.current(client: client)
        return try .json(current, headers: [.eTag: "\"\(current.version)\""])
    }

    /// `GET /v1/scoring/rules/versions`: every version, newest first.
    func ruleVersions(_ context: LeadflowRequestContext) async throws -> Response {
        _ = try requireAdmin(context)
        let versions = try await rules.list(limit: 1000, client: client)
        return try .json(["versions": versions.map {
            RuleSetSummary(version: $0.version, createdAt: $0.createdAt, createdBy: $0.createdBy, note: $0.note)
        }])
    }

    /// `GET /v1/scoring/rules/versions/{version}`: one version (the one a score names).
    func ruleVersion(_ context: LeadflowRequestContext) async throws -> Response {
        _ = try requireAdmin(context)
        guard let number = context.parameters.get("version", as: Int.self),
              let version = try await client.withConnection({ try await rules.version(number, on: $0) })
        else { throw Problem.notFound("no such rules version") }
        return try .json(version, headers: [.eTag: "\"\(version.version)\""])
    }

    /// `PUT /v1/scoring/rules`: validates and saves a new version, which scores every lead scored
    /// from now on. Existing scores change on the lead's next event, the recency sweep, or a
    /// `POST /v1/scoring/rescore`.
    ///
    /// Problems: 422 `invalid_field` (wrong JSON type), 422 `invalid_rules` (naming the field and the
    /// rule broken), 409 `rules_version_conflict` (body `version` not current), 412
    /// `precondition_failed` (`If-Match` not the current version), 400/413 for unreadable bodies.
    func replaceRules(_ request: Request, _ context: LeadflowRequestContext) async throws -> Response {
        let principal = try requireAdmin(context)
        let buffer = try await request.collectBody(limit: Self.rulesBodyLimits.maxBytes)
        let bytes = Array(buffer.readableBytesView)
        let update: RulesUpdate
        do {
            update = try JSONBody.decode(RulesUpdate.self, from: bytes, limits: Self.rulesBodyLimits)
        } catch let problem as Problem where problem.code == "invalid_field" {
            // A misplaced field explains a missing one better (e.g. the bare rules without "rules").
            throw Self.unknownFields(in: bytes) ?? problem
        }
        if let problem = Self.unknownFields(in: bytes) { throw problem }
        let violations = RulesValidator.violations(of: update.rules)
        if let first = violations.first {
            var prefixed = first
            prefixed.field = "/rules" + first.field
            throw prefixed.problem(more: violations.count - 1)
        }
        if let note = update.note {
            if note.count > 500 {
                throw Problem(status: .unprocessableContent, code: "invalid_field", detail: "the note has at most 500 characters",
                              field: "/note", rule: "too_long")
            }
            if RulesValidator.hasControlCharacters(note, allowing: ["\n", "\t"]) {
                throw Problem(status: .unprocessableContent, code: "invalid_field", detail: "the note contains control characters",
                              field: "/note", rule: "control_character")
            }
        }
        let ifMatch = try Self.ifMatchVersion(request)
        let expected = ifMatch ?? update.version
        let rules = self.rules
        do {
            let saved = try await applier.perform { connection in
                (try await rules.save(update.rules, expectedVersion: expected, by: principal.description,
                                      note: update.note, on: connection), [])
            }
            logger.info("scoring rules saved", metadata: ["version": "\(saved.version)", "by": "\(principal)"])
            return try .json(saved, headers: [.eTag: "\"\(saved.version)\""])
        } catch RulesSaveError.versionConflict(let expected, let current) {
            if ifMatch != nil {
                throw Problem(status: .preconditionFailed, code: "precondition_failed",
                              detail: "If-Match names version \(expected), but the current version is \(current)")
            }
            throw Problem(status: .conflict, code: "rules_version_conflict",
                          detail: "the rules were edited from version \(expected), but the current version is \(current); read them again",
                          field: "/version", rule: "current_version")
        }
    }

    /// Fields the update or its rules do not have (a typo must not be silently ignored).
    static func unknownFields(in bytes: [UInt8]) -> Problem? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else { return nil }
        for key in object.keys.sorted() where !RulesUpdate.allowedFields.contains(key) {
            return RuleViolation(field: "/\(key.prefix(64))", rule: "unknown_field", message: "the update has no field '\(key.prefix(64))'")
                .problem(code: "invalid_rules")
        }
        let unknown = RulesValidator.unknownFields(in: object["rules"] ?? [String: Any]())
        guard var first = unknown.first else { return nil }
        first.field = "/rules" + first.field
        return first.problem(code: "invalid_rules", more: unknown.count - 1)
    }

    /// The version an `If-Match: "N"` header names (`nil` without the header; `*` matches any).
    static func ifMatchVersion(_ request: Request) throws -> Int? {
        guard let header = request.headers[.ifMatch]?.trimmingCharacters(in: .whitespaces) else { return nil }
        if header == "*" { return nil }
        let tag = header.hasPrefix("W/") ? String(header.dropFirst(2)) : header
        guard let version = Int(tag.trimmingCharacters(in: CharacterSet(charactersIn: "\""))) else {
            throw Problem(status: .preconditionFailed, code: "precondition_failed",
                          detail: "If-Match must be the ETag of a rules version, e.g. \"3\"")
        }
        return version
    }
}
