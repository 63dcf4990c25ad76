import Foundation
import LeadModel
import Logging
import PostgresNIO

/// Single-use, short-lived codes that hand a dashboard session to a browser which does not
/// hold the token (a phone, a kiosk, a headless browser): `POST /v1/dashboard/session` returns
/// one, `GET /dashboard/login?code=…` redeems it once for the session cookie. Only the code's
/// SHA-256 is stored, and it is deleted when redeemed.
public struct LoginCodeStore: Sendable {
    /// How long a code may wait to be redeemed.
    public static let lifetime: TimeInterval = 60

    let client: PostgresClient
    let logger: Logger

    /// Creates the store.
    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// A new code for `session`, valid until `now + lifetime`.
    public func issue(_ session: DashboardSession, now: Date) async throws -> (code: String, expiresAt: Date) {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let code = Signer.base64URL(Data(bytes))
        let expiresAt = now.addingTimeInterval(Self.lifetime)
        let json = String(decoding: try LeadflowJSON.encode(session), as: UTF8.self)
        try await client.query(
            "DELETE FROM analytics.dashboard_login_codes WHERE expires_at < \(now.addingTimeInterval(-3600))", logger: logger)
        try await client.query("""
            INSERT INTO analytics.dashboard_login_codes (code_hash, session, expires_at)
            VALUES (\(Signer.sha256Hex(code)), \(json), \(expiresAt))
            """, logger: logger)
        return (code, expiresAt)
    }

    /// The session of an unexpired, unused code, consuming it; `nil` otherwise.
    public func redeem(_ code: String, now: Date) async throws -> DashboardSession? {
        guard code.utf8.count <= 100 else { return nil }
        let rows = try await client.query("""
            DELETE FROM analytics.dashboard_login_codes WHERE code_hash = \(Signer.sha256Hex(code))
            RETURNING session, expires_at
            """, logger: logger)
        for try await (json, expiresAt) in rows.decode((String, Date).self) {
            guard expiresAt > now else { return nil }
            return try? LeadflowJSON.decode(DashboardSession.self, from: Array(json.utf8))
        }
        return nil
    }
}
