import AsyncHTTPClient
import Foundation
import Logging
import SalesProto
import ServiceKit
import ServiceLifecycle

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

    /// One round: sends what is due, a few at a time. Returns how many were attempted.
    func dispatchDue() async throws -> Int {
        let due = try await store.takeDue(limit: 20, lease: .seconds(60))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, delivery) in due.enumerated() {
                if index >= 4 { try await group.next() }
                group.addTask { try await attempt(delivery) }
            }
            try await group.waitForAll()
        }
        return due.count
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
        if case .delivered = result {} else {
            logger.warning("notification attempt failed", metadata: [
                "channel": "\(delivery.channel)", "attempt": "\(delivery.attempts)", "result": "\(result)"])
        }
        try await store.record(delivery.id, result: result, retryAfter: Self.pause(afterAttempt: delivery.attempts))
    }
}

/// Runs the worker every `interval` while the service is serving; a full round goes again at once.
struct NotificationWorkerService: Service {
    let worker: NotificationWorker
    let interval: Duration
    let health: HealthStatus

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                var sent = 0
                if health.isServing {
                    do { sent = try await worker.dispatchDue() } catch {
                        worker.logger.warning("notification round failed; retrying", metadata: ["error": "\(error)"])
                    }
                }
                if sent < 20 { try? await Task.sleep(for: interval) }
            }
        }
        try await worker.http.shutdown()
    }
}
