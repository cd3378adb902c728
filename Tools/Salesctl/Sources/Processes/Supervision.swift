import Foundation
import SalesModel

/// How `salesctl up` restarts a service that exits on its own: after a pause that doubles with
/// each quick failure (0.5 s, 1 s, 2 s … up to 30 s), back to the first pause once it has run
/// for a minute, so a crash loop neither spins nor waits long after a one-off crash.
public struct RestartPolicy: Sendable {
    public var firstPause: Duration = .milliseconds(500)
    public var longestPause: Duration = .seconds(30)
    public var stableAfter: Duration = .seconds(60)

    public init() {}

    public func pause(afterQuickFailures count: Int) -> Duration {
        var pause = firstPause
        for _ in 1..<max(1, count) where pause < longestPause { pause *= 2 }
        return min(pause, longestPause)
    }
}

/// What the supervisor knows of one service, kept in the state file for `salesctl status`.
public struct ServiceRecord: Codable, Sendable, Equatable {
    public var pid: Int32
    public var restarts = 0
    /// How the last process exited (128 + signal when signalled), if one has.
    public var lastExitStatus: Int32?
    /// Set while a restart is pending: when it is due.
    public var restartDue: Date?

    /// "status 3", or "signal 9" for a process ended by a signal.
    public static func describe(exit status: Int32) -> String {
        status > 128 ? "signal \(status - 128)" : "status \(status)"
    }
}

extension Stack {
    /// One look at every service: reaps any that exited (no zombies), schedules its restart with
    /// backoff, and starts those whose pause is over. Returns what happened, one line each, for
    /// the log. Services stopped on purpose (`kill`, `stopAll`) are not looked at.
    public func supervise(now: ContinuousClock.Instant = .now) -> [String] {
        var events: [String] = []
        for (service, process) in processes {
            guard let status = process.status else { continue }
            let ranFor = now - (startedAt[service] ?? now)
            quickFailures[service] = ranFor >= policy.stableAfter ? 1 : (quickFailures[service] ?? 0) + 1
            let pause = policy.pause(afterQuickFailures: quickFailures[service]!)
            processes[service] = nil
            restartDue[service] = now + pause
            records[service, default: ServiceRecord(pid: process.pid)].lastExitStatus = status
            records[service]?.restartDue = Date().addingTimeInterval(pause.seconds)
            events.append(
                "\(service.rawValue) (pid \(process.pid)) exited (\(ServiceRecord.describe(exit: status))) after \(ranFor.seconds.rounded())s; restarting in \(pause)"
            )
        }
        for (service, due) in restartDue where due <= now {
            do {
                try start(service)
                restartDue[service] = nil
                records[service]?.restarts += 1
                records[service]?.restartDue = nil
                events.append("\(service.rawValue) restarted (pid \(processes[service]!.pid), restart \(records[service]!.restarts))")
            } catch {
                restartDue[service] = now + policy.longestPause
                events.append("\(service.rawValue) could not be restarted: \(error); trying again in \(policy.longestPause)")
            }
        }
        return events
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
