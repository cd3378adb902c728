import AsyncHTTPClient
import Foundation
import Logging
import SalesProto
import ServiceKit
import ServiceLifecycle
import Synchronization

/// Sends due deliveries, retrying failures with growing pauses (2 s, 10 s, 50 s, about 4 and
/// 21 minutes) and giving up after six attempts; what each attempt met is in the delivery log.
struct NotificationWorker: Sendable {
    let store: NotificationStore
    let senders: NotificationSenders
    let http: HTTPClient
    let logger: Logger

    static let maximumAttempts = 6

    static func pause(afterAttempt attempt: Int) -> Duration? {
        guard attempt < maximumAttempts else { return nil }
        return .seconds(min(2 * Int(pow(5.0, Double(attempt - 1))), 3_600))
    }

    /// Deliveries in flight at once, and of those at most this many for one tenant: one tenant's
    /// slow or unreachable endpoint never holds up another's notices.
    static let concurrency = 16
    static let perTenant = 4

    /// Takes what is due, as far as there is room, and starts each delivery in `group` without
    /// waiting for those already under way. Returns how many it started.
    func dispatchDue(in group: inout DiscardingTaskGroup, inFlight: InFlight) async throws -> Int {
        let room = Self.concurrency - inFlight.count
        guard room > 0 else { return 0 }
        let due = try await store.takeDue(limit: room, perTenant: Self.perTenant, lease: .seconds(60))
        for delivery in due {
            inFlight.add(1)
            group.addTask {
                defer { inFlight.add(-1) }
                do { try await attempt(delivery) } catch {
                    logger.warning(
                        "a notification attempt was not recorded; it is tried again when its lease ends",
                        metadata: ["delivery": "\(delivery.id)", "error": "\(error)"])
                }
            }
        }
        return due.count
    }

    /// How many deliveries are under way.
    final class InFlight: Sendable {
        private let value = Mutex(0)
        var count: Int { value.withLock { $0 } }
        func add(_ delta: Int) { value.withLock { $0 += delta } }
    }

    private func attempt(_ delivery: NotificationStore.Due) async throws {
        let result: DeliveryResult
        if let channel = try await store.channels(tenant: delivery.tenant, name: delivery.channel).first, channel.enabled {
            if let sender = senders.sender(for: channel.kind) {
                result = await sender.send(delivery.message, via: channel, http: http)
            } else {
                result = .failed("no plugin sends \(channel.kind) messages")
            }
        } else {
            result = .failed("the channel \(delivery.channel) was removed or disabled")
        }
        if case .delivered = result {
        } else {
            logger.warning(
                "notification attempt failed",
                metadata: [
                    "channel": "\(delivery.channel)", "attempt": "\(delivery.attempts)", "result": "\(result)",
                ])
        }
        try await store.record(delivery.id, result: result, retryAfter: Self.pause(afterAttempt: delivery.attempts))
    }
}

/// Runs the worker as a background job: due deliveries start as soon as there is room, and the
/// worker looks again every `interval` when nothing was due. Its HTTP client exists while it runs.
struct NotificationWorkerService: Service {
    let store: NotificationStore
    let senders: NotificationSenders
    let logger: Logger
    let interval: Duration
    let health: HealthStatus

    func run() async throws {
        let worker = NotificationWorker(store: store, senders: senders, http: Notifications.vendorClient(), logger: logger)
        await cancelWhenGracefulShutdown {
            let inFlight = NotificationWorker.InFlight()
            await withDiscardingTaskGroup { group in
                await PeriodicJob.repeatRounds("notifications", schedule: .every(interval), health: health, logger: logger) {
                    try await worker.dispatchDue(in: &group, inFlight: inFlight) > 0 ? .busy : .idle
                }
            }
        }
        try await worker.http.shutdown()
    }
}
