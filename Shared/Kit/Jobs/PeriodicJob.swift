import Foundation
import Logging
import ServiceLifecycle

/// Background work a service repeats: a sweep, a delivery queue, a weekly brief. It starts once
/// the service is serving (its tables exist), runs a round per schedule, logs a failed round and
/// goes on, skips rounds while the service is not serving (draining), and stops on shutdown.
public struct PeriodicJob: Service {
    /// What a round found: `busy` runs the next round at once (there may be more to do), `idle`
    /// waits for the schedule.
    public enum Round: Sendable { case idle, busy }

    public let name: String
    let schedule: JobSchedule
    let health: HealthStatus
    let logger: Logger
    let round: @Sendable () async throws -> Round

    public init(
        _ name: String, schedule: JobSchedule, health: HealthStatus, logger: Logger,
        round: @escaping @Sendable () async throws -> Round
    ) {
        self.name = name
        self.schedule = schedule
        self.health = health
        self.logger = logger
        self.round = round
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await Self.repeatRounds(name, schedule: schedule, health: health, logger: logger, round)
        }
    }

    /// The loop itself, for a job that keeps state across rounds in its caller's scope (a task
    /// group of deliveries in flight): `round` need not escape. Returns when the task is cancelled.
    public static func repeatRounds(
        _ name: String, schedule: JobSchedule, health: HealthStatus, logger: Logger,
        _ round: () async throws -> Round
    ) async {
        var logger = logger
        logger[metadataKey: "job"] = "\(name)"
        while !Task.isCancelled {
            guard health.isServing else {
                try? await Task.sleep(for: .milliseconds(50))
                continue
            }
            var outcome = Round.idle
            do { outcome = try await round() } catch {
                if Task.isCancelled { break }
                logger.warning("a round of a background job failed; it runs again on schedule", metadata: ["error": "\(error)"])
            }
            if outcome == .idle { try? await Task.sleep(for: schedule.delay(after: Date())) }
        }
    }
}
