import Foundation
import SalesModel

/// The six executables running as child processes, each logging to its own file.
public actor Stack {
    public nonisolated let plan: StackPlan
    var processes: [ServiceName: ChildProcess] = [:]
    private var exitStatuses: [ServiceName: Int32] = [:]
    // Supervision (Supervision.swift): when each process started, its restarts, pending restarts.
    let policy: RestartPolicy
    var startedAt: [ServiceName: ContinuousClock.Instant] = [:]
    var quickFailures: [ServiceName: Int] = [:]
    var restartDue: [ServiceName: ContinuousClock.Instant] = [:]
    public internal(set) var records: [ServiceName: ServiceRecord] = [:]

    public init(plan: StackPlan, policy: RestartPolicy = RestartPolicy()) {
        self.plan = plan
        self.policy = policy
    }

    public var pids: [ServiceName: Int32] { processes.mapValues(\.pid) }

    public func startAll() throws {
        try FileManager.default.createDirectory(atPath: plan.logDirectory, withIntermediateDirectories: true)
        for service in ServiceName.allCases { try start(service) }
    }

    public func start(_ service: ServiceName) throws {
        if let running = processes[service], running.isRunning { return }
        let path = plan.binDirectory + "/" + service.rawValue
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw CommandError(description: "\(path) is missing: build first with `swift build`")
        }
        let logPath = plan.logDirectory + "/\(service.rawValue).log"
        let process = try ChildProcess(
            executable: path, arguments: [], environment: plan.environment(for: service), outputPath: logPath)
        processes[service] = process
        startedAt[service] = .now
        records[service, default: ServiceRecord(pid: process.pid)].pid = process.pid
    }

    /// Sends `signal` to one service (SIGKILL in fault tests) and waits for it to exit.
    public func kill(_ service: ServiceName, signal: Int32 = SIGKILL) async {
        guard let process = processes[service] else { return }
        process.signal(signal)
        await process.wait(timeout: .seconds(15))
        exitStatuses[service] = process.status
        processes[service] = nil
        restartDue[service] = nil
    }

    /// How the last process of `service` stopped by `kill` exited (128 + signal if signalled).
    public func lastExitStatus(_ service: ServiceName) -> Int32? { exitStatuses[service] }

    /// SIGTERM to all, gateway first; SIGKILL to any still running after the grace period.
    public func stopAll(grace: Duration = .seconds(10)) async {
        let order: [ServiceName] = [.gateway, .leads, .incentives, .forecasting, .storeSales, .opportunities]
        for service in order {
            processes[service]?.signal(SIGTERM)
        }
        for service in order {
            guard let process = processes[service] else { continue }
            if await !process.wait(timeout: grace) {
                process.signal(SIGKILL)
                await process.wait(timeout: .seconds(5))
            }
        }
        processes.removeAll()
        restartDue.removeAll()
    }

    /// Waits until every service reports SERVING; fails naming the ones that did not, and why.
    public func waitUntilHealthy(timeout: Duration = .seconds(120)) async throws {
        let deadline = ContinuousClock.now + timeout
        var pending = Set(ServiceName.allCases)
        var last: [ServiceName: HealthProbe.Result] = [:]
        while !pending.isEmpty {
            for service in pending {
                if let status = processes[service]?.status {
                    throw CommandError(
                        description: "\(service.rawValue) exited with status \(status); see \(plan.logDirectory)/\(service.rawValue).log")
                }
                let result = await HealthProbe.check(host: plan.host, port: plan.grpcPort(service))
                last[service] = result
                if result == .serving { pending.remove(service) }
            }
            if pending.isEmpty { break }
            guard ContinuousClock.now < deadline else {
                let detail = pending.map { "\($0.rawValue): \(last[$0].map { "\($0)" } ?? "no answer")" }.sorted().joined(separator: ", ")
                throw CommandError(description: "not healthy within \(timeout): \(detail)")
            }
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    /// Waits until one service reports SERVING.
    public func waitUntilHealthy(_ service: ServiceName, timeout: Duration = .seconds(60)) async throws {
        let deadline = ContinuousClock.now + timeout
        while await HealthProbe.check(host: plan.host, port: plan.grpcPort(service)) != .serving {
            guard ContinuousClock.now < deadline else { throw CommandError(description: "\(service.rawValue) not healthy within \(timeout)") }
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}
