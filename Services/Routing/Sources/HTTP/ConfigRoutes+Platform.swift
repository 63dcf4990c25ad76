import Foundation
import Hummingbird
import LeadModel
import LeadServiceKit
import LeadStorage
import PostgresNIO

/// The configuration API's platform settings and postal-code coordinates (platform admins).
extension ConfigRoutes {

    @Sendable func getSettings(_ request: Request, context: LeadflowRequestContext) async throws -> Response {
        try RoutingAccess.requirePlatform(try context.requirePrincipal())
        return try Response.json(try await read { try await config.settings(on: $0) })
    }

    @Sendable func putSettings(_ request: Request, context: LeadflowRequestContext) async throws -> Response {
        try RoutingAccess.requirePlatform(try context.requirePrincipal())
        let settings = try await request.decodeJSON(RoutingSettings.self)
        try HTTPSupport.requireValid(ConfigValidator.issues(in: settings))
        try await postgres.transaction(logger: logger) { connection in
            try await checkReferences([settings.fallback], field: "/fallback", on: connection)
            try await config.saveSettings(settings, on: connection)
        }
        return try Response.json(settings)
    }

    @Sendable func putPostalCodes(_ request: Request, context: LeadflowRequestContext) async throws -> Response {
        try RoutingAccess.requirePlatform(try context.requirePrincipal())
        let input = try await request.decodeJSON(PostalPointsInput.self, limits: JSONBodyLimits(maxBytes: 4 << 20, maxDepth: 8))
        guard input.points.count <= 20_000 else {
            throw Problem(status: .unprocessableContent, code: "invalid_field", detail: "at most 20000 points per request",
                          field: "/points", rule: "too_many")
        }
        for (index, point) in input.points.enumerated() {
            let code = LeadFacts.normalizedPostalCode(point.postalCode)
            if code.isEmpty || code.count > 12 {
                throw Problem(status: .unprocessableContent, code: "invalid_field", detail: "a postal code is 1–12 letters or digits",
                              field: "/points/\(index)/postalCode", rule: "format")
            }
            if point.country.count != 2 || !point.country.allSatisfy({ $0.isASCII && $0.isLetter }) {
                throw Problem(status: .unprocessableContent, code: "invalid_field", detail: "an ISO 3166 alpha-2 country code",
                              field: "/points/\(index)/country", rule: "format")
            }
            if !GeoPoint(latitude: point.latitude, longitude: point.longitude).isValid {
                throw Problem(status: .unprocessableContent, code: "invalid_field", detail: "latitude -90…90, longitude -180…180",
                              field: "/points/\(index)", rule: "range")
            }
        }
        let stored = try await postgres.transaction(logger: logger) { connection in
            try await config.putPostalPoints(input.points, on: connection)
        }
        return try Response.json(["stored": stored])
    }
}
