import Foundation
import LeadServiceKit
import Logging
import PostgresNIO
import ServiceLifecycle

/// Purges outbox rows about erased leads that were still unpublished at erasure (their
/// personal data had to go out first): once the relay has published them, they are deleted here
/// instead of waiting for the relay's retention.
struct ErasureSweep: Service {
    let client: PostgresClient
    let logger: Logger
    let interval: Duration

    func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await client.query(
                    """
                    DELETE FROM ingest.outbox o USING ingest.leads l
                    WHERE l.erased_at IS NOT NULL AND o.message_key = l.id::text
                      AND o.published_at IS NOT NULL AND o.created_at < l.erased_at
                    """, logger: logger)
            } catch {
                logger.warning("erasure sweep failed", metadata: ["error": "\(String(reflecting: error))"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}
