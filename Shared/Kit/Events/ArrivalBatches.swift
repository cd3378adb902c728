import Synchronization

/// Elements handed from a producer task to a consumer in batches: `next(limit:)` returns all that
/// arrived while the consumer was busy (up to `limit`) and waits only when nothing has. The
/// producer waits while `capacity` are unread, so a long backlog streams through in bounded memory.
/// An event consumer uses it to apply a burst of events in one transaction instead of one each.
public final class ArrivalBatches<Element: Sendable>: Sendable {
    private struct State {
        var items: [Element] = []
        var end: Result<Void, any Error>?
        var closed = false
        var consumer: CheckedContinuation<Void, Never>?
        var producer: CheckedContinuation<Void, Never>?
    }

    private enum Taken {
        case batch([Element], producer: CheckedContinuation<Void, Never>?)
        case end(Result<Void, any Error>)
        case wait
    }

    private let state = Mutex(State())
    private let capacity: Int

    public init(capacity: Int) {
        precondition(capacity > 0, "a buffer holds at least one element")
        self.capacity = capacity
    }

    /// Adds `element`, waiting while the buffer is full; false once the consumer has closed it
    /// (the producer should stop).
    public func push(_ element: Element) async -> Bool {
        await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
            let hasRoom = state.withLock { state in
                guard !state.closed, state.items.count >= capacity else { return true }
                state.producer = waiter
                return false
            }
            if hasRoom { waiter.resume() }
        }
        let (accepted, consumer) = state.withLock { state -> (Bool, CheckedContinuation<Void, Never>?) in
            guard !state.closed else { return (false, nil) }
            state.items.append(element)
            defer { state.consumer = nil }
            return (true, state.consumer)
        }
        consumer?.resume()
        return accepted
    }

    /// The producer is done: the consumer gets what is left, then nil (or `error`).
    public func finish(throwing error: (any Error)? = nil) {
        let consumer = state.withLock { state in
            state.end = error.map { .failure($0) } ?? .success(())
            defer { state.consumer = nil }
            return state.consumer
        }
        consumer?.resume()
    }

    /// The consumer is done: a waiting or later `push` returns false.
    public func close() {
        let producer = state.withLock { state in
            state.closed = true
            state.items.removeAll()
            defer { state.producer = nil }
            return state.producer
        }
        producer?.resume()
    }

    /// Up to `limit` elements in arrival order, waiting for the first; nil when the producer
    /// finished and everything was taken, or its error.
    public func next(limit: Int) async throws -> [Element]? {
        while true {
            let taken = state.withLock { state -> Taken in
                if !state.items.isEmpty {
                    let batch = Array(state.items.prefix(limit))
                    state.items.removeFirst(batch.count)
                    defer { state.producer = nil }
                    return .batch(batch, producer: state.producer)
                }
                if let end = state.end { return .end(end) }
                return .wait
            }
            switch taken {
            case .batch(let batch, let producer):
                producer?.resume()
                return batch
            case .end(let end):
                try end.get()
                return nil
            case .wait:
                await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
                    let ready = state.withLock { state in
                        guard state.items.isEmpty, state.end == nil else { return true }
                        state.consumer = waiter
                        return false
                    }
                    if ready { waiter.resume() }
                }
            }
        }
    }
}
