import Foundation
import Synchronization

/// Access tokens of WeCom and DingTalk apps, kept until shortly before they expire (both issue
/// tokens for 7,200 s and limit how often one may be fetched).
final class AccessTokens: Sendable {
    private struct Entry {
        let token: String
        let expires: Date
    }

    private let entries = Mutex<[String: Entry]>([:])

    func token(for key: String, now: Date = Date()) -> String? {
        entries.withLock { $0[key].flatMap { $0.expires > now ? $0.token : nil } }
    }

    func store(_ token: String, for key: String, lifetime: Double, now: Date = Date()) {
        entries.withLock { $0[key] = Entry(token: token, expires: now.addingTimeInterval(max(60, lifetime - 300))) }
    }

    func forget(_ key: String) {
        _ = entries.withLock { $0.removeValue(forKey: key) }
    }
}
