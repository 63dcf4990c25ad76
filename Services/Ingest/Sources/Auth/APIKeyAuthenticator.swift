import Foundation
import HTTPTypes
import Hummingbird
import LeadServiceKit
import Synchronization

/// Authenticates intake requests by their `X-API-Key` header: a key of one source, stored
/// hashed, revocable, and rotatable (old and new key both work during the grace period).
/// The caller becomes an `integration_source` principal scoped to that source.
///
/// Lookups are cached for a few seconds per instance; a revocation through this instance takes
/// effect at once, through another one within the cache time.
final class APIKeyAuthenticator: RequestAuthenticator {
    private struct Cached {
        var credential: APIKeyCredential?
        var fetchedAt: Date
    }

    private let store: SourceStore
    private let cacheTime: TimeInterval
    private let clock: @Sendable () -> Date
    private let cache = Mutex<[String: Cached]>([:])
    private let rates = Mutex<[String: Int]>([:])

    init(store: SourceStore, cacheTime: TimeInterval, clock: @escaping @Sendable () -> Date) {
        self.store = store
        self.cacheTime = cacheTime
        self.clock = clock
    }

    static let header = HTTPField.Name("X-API-Key")!

    func authenticate(_ request: Request) async throws(AuthenticationFailure) -> Principal? {
        guard let presented = request.headers[Self.header] else { return nil }
        guard let key = APIKey.parse(presented) else {
            throw AuthenticationFailure(.invalidAPIKey, "the API key is not valid")
        }
        let now = clock()
        let credential: APIKeyCredential?
        do {
            credential = try await lookup(key.keyId, now: now)
        } catch {
            throw AuthenticationFailure(.invalidAPIKey, "the API key could not be checked; retry")
        }
        guard let credential, APIKey.matches(key.hash, stored: credential.secretHash) else {
            throw AuthenticationFailure(.invalidAPIKey, "the API key is not valid")
        }
        guard credential.record.isActive(at: now) else {
            throw AuthenticationFailure(.invalidAPIKey, "the API key was revoked or has expired")
        }
        guard !credential.sourceDisabled else {
            throw AuthenticationFailure(.invalidAPIKey, "the API key's source is disabled")
        }
        let sourceId = credential.record.sourceId
        rates.withLock { $0[sourceId] = credential.rateLimitPerMinute }
        return Principal(id: sourceId, role: .integrationSource, scope: AccessScope(sourceIds: [sourceId]))
    }

    /// The per-minute rate configured for `sourceId`, when one was seen.
    func rateLimit(of sourceId: String) -> Int? {
        rates.withLock { $0[sourceId] ?? nil }
    }

    /// Forgets cached lookups (after a revocation or rotation through this instance).
    func invalidate() {
        cache.withLock { $0.removeAll() }
    }

    private func lookup(_ keyId: String, now: Date) async throws -> APIKeyCredential? {
        if let cached = cache.withLock({ $0[keyId] }), now.timeIntervalSince(cached.fetchedAt) < cacheTime {
            return cached.credential
        }
        let credential = try await store.credential(keyId: keyId)
        if cacheTime > 0 {
            cache.withLock { table in
                if table.count > 10_000 { table.removeAll() }
                table[keyId] = Cached(credential: credential, fetchedAt: now)
            }
        }
        return credential
    }
}
