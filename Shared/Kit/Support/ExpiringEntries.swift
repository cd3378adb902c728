import Foundation
import Synchronization

/// Values that each carry their own expiry (a verified bearer token until its `exp`, a vendor's
/// access token until shortly before its end). An expired entry is dropped when it is asked for.
/// Bounded: when full, it starts over.
public final class ExpiringEntries<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private struct Entry {
        let value: Value
        let expiry: Date
    }

    private let capacity: Int
    private let entries = Mutex<[Key: Entry]>([:])

    public init(capacity: Int = 10_000) {
        self.capacity = capacity
    }

    /// The value if it has not expired at `now`.
    public func value(for key: Key, at now: Date = Date()) -> Value? {
        entries.withLock { entries in
            guard let entry = entries[key] else { return nil }
            guard entry.expiry > now else {
                entries[key] = nil
                return nil
            }
            return entry.value
        }
    }

    public func store(_ value: Value, for key: Key, until expiry: Date) {
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[key] = Entry(value: value, expiry: expiry)
        }
    }

    public func remove(_ key: Key) {
        _ = entries.withLock { $0.removeValue(forKey: key) }
    }
}
