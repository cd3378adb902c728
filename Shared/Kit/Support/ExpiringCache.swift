import Synchronization

/// Values read from the database on the hot path (a tenant's field definitions, active rule set
/// versions, mapping tables), kept for `maximumAge`. The process that changes a value drops it
/// at once; another replica sees the change within `maximumAge`.
public final class ExpiringCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private struct Entry {
        let value: Value
        let fetched: ContinuousClock.Instant
    }

    private let maximumAge: Duration
    private let entries = Mutex<[Key: Entry]>([:])

    public init(maximumAge: Duration = .seconds(5)) {
        self.maximumAge = maximumAge
    }

    /// The kept value if it is fresh, else what `load` reads now (kept for next time).
    public func value(for key: Key, load: () async throws -> Value) async throws -> Value {
        let now = ContinuousClock.now
        if let hit = entries.withLock({ $0[key] }), now - hit.fetched < maximumAge { return hit.value }
        let value = try await load()
        entries.withLock { entries in
            if entries.count > 10_000 { entries.removeAll() }
            entries[key] = Entry(value: value, fetched: now)
        }
        return value
    }

    public func invalidate(_ key: Key) {
        _ = entries.withLock { $0.removeValue(forKey: key) }
    }
}
