import GRPCCore
import Synchronization

/// The serving status of a process and each service it hosts, with watchers for health's Watch.
/// "" is the whole process. Everything starts NOT_SERVING until migrations ran and the port is open.
public final class HealthStatus: Sendable {
    public enum Status: Sendable { case serving, notServing }

    public let serviceName: String
    private struct State {
        var statuses: [String: Status] = [:]
        var watchers: [Int: (service: String, continuation: AsyncStream<Status?>.Continuation)] = [:]
        var nextWatcher = 0
    }
    private let state = Mutex(State())

    public init(serviceName: String) {
        self.serviceName = serviceName
        state.withLock { $0.statuses[""] = .notServing }
    }

    /// Adds services by their fully qualified names, NOT_SERVING until `setAll(.serving)`.
    public func register(_ services: [String]) {
        state.withLock { state in
            for service in services where state.statuses[service] == nil { state.statuses[service] = .notServing }
        }
    }

    public var isServing: Bool { status(of: "") == .serving }

    public func status(of service: String) -> Status? {
        state.withLock { $0.statuses[service] }
    }

    /// Sets every known service to `status` and tells the watchers.
    public func setAll(_ status: Status) {
        state.withLock { state in
            for key in state.statuses.keys { state.statuses[key] = status }
            for (_, watcher) in state.watchers { watcher.continuation.yield(state.statuses[watcher.service]) }
        }
    }

    /// A stream of the service's status: the current one first, then every change.
    func watch(_ service: String) -> AsyncStream<Status?> {
        let (stream, continuation) = AsyncStream.makeStream(of: Status?.self, bufferingPolicy: .bufferingNewest(1))
        let id = state.withLock { state in
            let id = state.nextWatcher
            state.nextWatcher += 1
            state.watchers[id] = (service, continuation)
            continuation.yield(state.statuses[service])
            return id
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.watchers.removeValue(forKey: id) }
        }
        return stream
    }

    /// Ends every Watch stream, so a draining server is not held open by health watchers.
    func finishWatchers() {
        // Finish outside the lock: finishing runs onTermination, which takes the lock itself.
        let continuations = state.withLock { state in state.watchers.values.map(\.continuation) }
        for continuation in continuations { continuation.finish() }
    }
}
