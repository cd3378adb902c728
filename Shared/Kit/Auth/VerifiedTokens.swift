import Foundation
import SalesModel
import Synchronization

/// Bearer tokens whose signature was checked, each with its caller and expiry. A token is
/// immutable, so a verified one stays good until its `exp`; an expired entry is dropped on sight
/// and the token is verified afresh (which refuses it). Bounded: when full, it starts over.
final class VerifiedTokens: Sendable {
    static let capacity = 10_000

    private struct Entry {
        let caller: Caller
        let expiry: Date
    }

    private let entries = Mutex<[String: Entry]>([:])

    func caller(for token: String, at now: Date) -> Caller? {
        entries.withLock { entries in
            guard let entry = entries[token] else { return nil }
            guard entry.expiry > now else {
                entries[token] = nil
                return nil
            }
            return entry.caller
        }
    }

    func keep(_ token: String, caller: Caller, until expiry: Date) {
        entries.withLock { entries in
            if entries.count >= Self.capacity { entries.removeAll(keepingCapacity: true) }
            entries[token] = Entry(caller: caller, expiry: expiry)
        }
    }
}
