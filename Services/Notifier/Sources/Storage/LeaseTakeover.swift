import Logging
import PostgresNIO

/// What a restarted notifier does first: it ends the delivery leases its own instance id still
/// holds, so what its killed predecessor was sending goes out at once instead of after the lease
/// (`LEADFLOW_NOTIFIER_LEASE_SECONDS`). Shared by e-mail/SMS/webhook deliveries and subscription
/// deliveries, whose tables lease rows the same way (`state`, `lease_owner`, `lease_until`).
enum LeaseTakeover {
    /// Ends the leases `owner` holds on `table`'s `sending` rows (stamping `updated_at` when the
    /// table keeps one); returns how many it ended.
    static func release(
        table: String, stampsUpdatedAt: Bool, of owner: String, on connection: PostgresConnection, logger: Logger
    ) async throws -> Int {
        let stamp = stampsUpdatedAt ? ", updated_at = now()" : ""
        let rows = try await connection.query(
            """
            UPDATE \(unescaped: table) SET lease_until = now() - interval '1 second'\(unescaped: stamp)
            WHERE state = 'sending' AND lease_owner = \(owner) AND lease_until >= now()
            RETURNING 1
            """,
            logger: logger)
        var released = 0
        for try await _ in rows { released += 1 }
        return released
    }

    /// Runs `release` once at start and logs the outcome; best effort, since the leases run out anyway.
    static func takeBack(_ what: String, logger: Logger, _ release: () async throws -> Int) async {
        do {
            let released = try await release()
            if released > 0 {
                logger.notice("took back \(what) this instance was sending before a restart", metadata: ["deliveries": "\(released)"])
            }
        } catch {
            logger.warning("could not take back this instance's \(what); their leases run out on their own",
                           metadata: ["error": "\(String(reflecting: error))"])
        }
    }
}
