import Crypto
import Foundation
import SalesProto
import ServiceKit
import Synchronization

/// Access tokens of WeCom and DingTalk apps, kept until shortly before they expire (both issue
/// tokens for 7,200 s and limit how often one may be fetched).
///
/// A token is kept under everything that identifies the credential it was issued for (the
/// vendor's address, the app id and the secret), never under a channel's name: two tenants'
/// channels of the same name and app id but their own secrets or vendors get their own tokens.
/// Notices that need the same token at once share one fetch.
final class AccessTokens: Sendable {
    /// The credential a token belongs to, as a digest (the secret is not kept in memory twice).
    struct Key: Hashable, Sendable {
        let digest: String

        init(base: String, channel: Sales_Notifications_V1_NotificationChannel) {
            var hasher = SHA256()
            for part in [base, channel.appID, channel.secret] {
                hasher.update(data: Data(part.utf8))
                hasher.update(data: Data([0]))
            }
            digest = hasher.finalize().hexEncoded
        }
    }

    /// What one fetch gave: a token with its lifetime in seconds, or why there is none.
    enum Fetched: Sendable {
        case token(String, lifetime: Double)
        case refused(DeliveryResult)
    }

    private let entries = ExpiringEntries<Key, String>()
    private let fetching = Mutex<[Key: Task<Fetched, any Error>]>([:])

    /// The kept token, or the one `fetch` brings: started once for all who ask while it runs.
    func token(for key: Key, now: Date = Date(), fetch: @escaping @Sendable () async throws -> Fetched) async throws -> Result<String, Refusal> {
        if let kept = entries.value(for: key, at: now) { return .success(kept) }
        let task = fetching.withLock { running in
            if let task = running[key] { return task }
            let task = Task { try await fetch() }
            running[key] = task
            return task
        }
        let fetched: Fetched
        do {
            fetched = try await task.value
        } catch {
            fetching.withLock { if $0[key] == task { $0[key] = nil } }
            throw error
        }
        fetching.withLock { if $0[key] == task { $0[key] = nil } }
        switch fetched {
        case .token(let token, let lifetime):
            entries.store(token, for: key, until: now.addingTimeInterval(max(60, lifetime - 300)))
            return .success(token)
        case .refused(let result):
            return .failure(Refusal(result: result))
        }
    }

    func forget(_ key: Key) { entries.remove(key) }

    struct Refusal: Error {
        let result: DeliveryResult
    }
}
