import Foundation
import LeadIntegrationSupport
import LeadMessaging
import LeadModel
import LeadServiceKit
import LeadTestSupport
import PostgresNIO
import Synchronization
@testable import LeadRouting

/// A clock tests move by hand (injected through `RoutingService.makeDefinition(clock:)`).
final class TestClock: RoutingClock {
    private let current: Mutex<Date>

    init(_ start: Date = Date()) { current = Mutex(start) }

    func now() -> Date { current.withLock { $0 } }

    /// Moves time forward.
    func advance(by seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

/// HTTP calls against a routing instance with a bearer token.
struct RoutingClient: Sendable {
    let baseURL: String
    let token: String

    var auth: [String: String] { ["authorization": TestAuth.bearer(token)] }

    func get(_ path: String) async throws -> TestHTTPResponse {
        try await TestHTTP.get(baseURL + path, headers: auth)
    }

    func send(_ method: String, _ path: String, json: String, headers: [String: String] = [:]) async throws -> TestHTTPResponse {
        try await TestHTTP.request(
            method, baseURL + path, headers: auth.merging(headers) { a, _ in a }.merging(["content-type": "application/json"]) { a, _ in a },
            body: Array(json.utf8))
    }

    func put(_ path: String, _ value: some Encodable) async throws -> TestHTTPResponse {
        try await send("PUT", path, json: String(decoding: try LeadflowJSON.encode(value), as: UTF8.self))
    }

    /// PUTs configuration and fails the test unless it was stored.
    func configure(_ path: String, _ value: some Encodable) async throws {
        let response = try await put(path, value)
        guard response.status == 200 || response.status == 201 else {
            throw ConfigurationFailed(path: path, status: response.status, body: response.text)
        }
    }

    struct ConfigurationFailed: Error, CustomStringConvertible {
        let path: String, status: Int, body: String
        var description: String { "PUT \(path) answered \(status): \(body)" }
    }
}

/// Building test events.
enum TestEvents {
    static func scored(
        _ leadId: LeadID = LeadID(), score: Int = 40, locationId: String? = nil, postalCode: String? = nil,
        vehicleType: String? = nil, ownerId: String? = nil, at time: Date = Date()
    ) -> LeadScored {
        let lead = Lead(
            id: leadId, fullName: PersonName(first: "Pat", last: "Example"),
            contacts: ContactInfo(emails: [EmailAddress(address: "pat@example.com")], address: postalCode.map { Address(postalCode: $0, country: "US") }),
            source: LeadSource(id: "src-web", channel: .json), locationId: locationId, ownerId: ownerId,
            vehiclesOfInterest: vehicleType.map { [VehicleOfInterest(vehicleType: $0, isPreferred: true)] } ?? [],
            createdAt: time)
        return LeadScored(
            leadId: leadId, occurredAt: time, score: score, rulesVersion: 1, factors: [], causationEventId: UUID(), lead: lead)
    }

    static func lifecycle(_ leadId: LeadID, _ change: LifecycleChange, actor: Actor = Actor(id: "ingest", role: .system), at time: Date = Date()) -> LeadLifecycleEvent {
        LeadLifecycleEvent(leadId: leadId, occurredAt: time, actor: actor, change: change)
    }
}

extension TopicRecorder {
    /// The assignment events of `leadId` read so far, in order.
    func assignments(of leadId: LeadID) -> [LeadAssigned] {
        events.compactMap(\.assigned).filter { $0.leadId == leadId }
    }

    /// Waits until `leadId` has at least `count` assignment events; returns them.
    func waitForAssignments(of leadId: LeadID, count: Int = 1, timeout: Duration = .seconds(60)) async -> [LeadAssigned] {
        await wait(timeout: timeout) { events in events.compactMap(\.assigned).filter { $0.leadId == leadId }.count >= count }
        return assignments(of: leadId)
    }
}

/// Counts rows of the routing schema directly.
enum RoutingDatabase {
    static func count(_ database: String, _ sql: String) async throws -> Int {
        try await TestDatabase.withClient(database: database) { client in
            let rows = try await client.query(PostgresQuery(unsafeSQL: sql))
            for try await value in rows.decode(Int64.self) { return Int(value) }
            return 0
        }
    }
}
