import Foundation
import ServiceKit

/// Access tokens of WeCom and DingTalk apps, kept until shortly before they expire (both issue
/// tokens for 7,200 s and limit how often one may be fetched).
struct AccessTokens: Sendable {
    private let entries = ExpiringEntries<String, String>()

    func token(for key: String) -> String? { entries.value(for: key) }

    func store(_ token: String, for key: String, lifetime: Double, now: Date = Date()) {
        entries.store(token, for: key, until: now.addingTimeInterval(max(60, lifetime - 300)))
    }

    func forget(_ key: String) { entries.remove(key) }
}
