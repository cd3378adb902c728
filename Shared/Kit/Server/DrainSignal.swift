import Synchronization

/// Set when graceful shutdown begins, so long-lived streams (event feeds) end and let the
/// server finish draining instead of holding it open forever.
public final class DrainSignal: Sendable {
    private let drained = Atomic<Bool>(false)

    public init() {}

    public var isDraining: Bool { drained.load(ordering: .acquiring) }

    public func drain() { drained.store(true, ordering: .releasing) }
}
