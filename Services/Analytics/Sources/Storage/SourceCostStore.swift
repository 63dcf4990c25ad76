import Foundation
import LeadModel
import LeadStorage
import Logging
import PostgresNIO

/// A source's configured cost per lead.
public struct SourceCost: Codable, Hashable, Sendable {
    public var sourceId: String
    public var costPerLead: Money
    /// `api` (set through the admin API) or `environment` (LEADFLOW_ANALYTICS_SOURCE_COSTS).
    public var origin: String
    public var updatedBy: String?
    public var updatedAt: Date?
}

/// Costs per lead per source: the environment's defaults, overridden by what admins set
/// through the API (kept in `analytics.source_costs`, not rebuilt from events).
public struct SourceCostStore: Sendable {
    let client: PostgresClient
    let defaults: [String: Money]
    let logger: Logger

    /// Creates the store.
    public init(client: PostgresClient, defaults: [String: Money], logger: Logger) {
        self.client = client
        self.defaults = defaults
        self.logger = logger
    }

    /// Every configured cost, by source id.
    public func all() async throws -> [String: SourceCost] {
        var result: [String: SourceCost] = [:]
        for (source, money) in defaults {
            result[source] = SourceCost(sourceId: source, costPerLead: money, origin: "environment")
        }
        let rows = try await client.query(
            "SELECT source_id, cost_per_lead::text, currency, updated_by, updated_at FROM analytics.source_costs", logger: logger)
        for try await (source, amount, currency, by, at) in rows.decode((String, String, String, String, Date).self) {
            guard let money = Money(amount, currency: currency) else { continue }
            result[source] = SourceCost(sourceId: source, costPerLead: money, origin: "api", updatedBy: by, updatedAt: at)
        }
        return result
    }

    /// Sets a source's cost.
    public func set(_ sourceId: String, _ cost: Money, by actor: String, at time: Date) async throws {
        try await client.query("""
            INSERT INTO analytics.source_costs (source_id, cost_per_lead, currency, updated_by, updated_at)
            VALUES (\(sourceId), \(cost.amount.description)::numeric, \(cost.currency), \(actor), \(time))
            ON CONFLICT (source_id) DO UPDATE SET cost_per_lead = EXCLUDED.cost_per_lead, currency = EXCLUDED.currency,
                updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at
            """, logger: logger)
    }

    /// Removes a source's API-set cost (its environment default, if any, applies again);
    /// returns whether there was one.
    public func remove(_ sourceId: String) async throws -> Bool {
        let rows = try await client.query(
            "DELETE FROM analytics.source_costs WHERE source_id = \(sourceId) RETURNING 1", logger: logger)
        for try await _ in rows { return true }
        return false
    }
}
