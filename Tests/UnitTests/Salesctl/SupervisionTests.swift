import Foundation
import SalesControl
import SalesModel
import Testing

/// `salesctl up`'s supervisor over real child processes: stand-in executables that exit at once
/// stand for a crashing service.
@Suite struct SupervisionTests {
    /// A bin folder whose six "services" run `script`.
    func standIns(_ script: String) throws -> String {
        let folder = NSTemporaryDirectory() + "standins-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for service in ServiceName.allCases {
            let path = folder + "/" + service.rawValue
            // Written close-on-exec: a child another test spawns meanwhile must not inherit the file
            // open for writing, or starting it fails with ETXTBSY ("Text file busy").
            let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o755)
            #expect(descriptor >= 0)
            let text = "#!/bin/sh\n" + script + "\n"
            _ = text.withCString { write(descriptor, $0, strlen($0)) }
            close(descriptor)
        }
        return folder
    }

    func stack(_ bin: String, policy: RestartPolicy) -> Stack {
        let plan = StackPlan(
            binDirectory: bin, databaseURLs: [:], portBase: 47000, jwtSecret: String(repeating: "k", count: 40),
            logDirectory: bin + "/logs")
        return Stack(plan: plan, policy: policy)
    }

    @Test func aServiceThatDiesIsReapedAndRestartedWithBackoff() async throws {
        var policy = RestartPolicy()
        policy.firstPause = .milliseconds(100)
        policy.longestPause = .milliseconds(400)
        let stack = stack(try standIns("exit 3"), policy: policy)
        try FileManager.default.createDirectory(atPath: stack.plan.logDirectory, withIntermediateDirectories: true)
        try await stack.start(.leads)
        var events: [String] = []
        var pauses: [ContinuousClock.Instant] = []
        let deadline = ContinuousClock.now + .seconds(10)
        while await (stack.records[.leads]?.restarts ?? 0) < 4, ContinuousClock.now < deadline {
            let new = await stack.supervise()
            if new.contains(where: { $0.contains("restarted") }) { pauses.append(.now) }
            events += new
            try await Task.sleep(for: .milliseconds(10))
        }
        let record = try #require(await stack.records[.leads])
        #expect(record.restarts >= 4)
        #expect(record.lastExitStatus == 3)
        #expect(events.contains { $0.hasPrefix("leads (pid ") && $0.contains("exited (status 3)") && $0.contains("restarting in") })
        // The pause doubles (100, 200, 400 ms) and stops growing at the longest.
        let gaps = zip(pauses.dropFirst(), pauses).map { $0 - $1 }
        #expect(gaps.count >= 3)
        if gaps.count >= 3 { #expect(gaps[2] > gaps[0]) }
        // Every exited process was reaped: none of the old pids is a zombie.
        #expect(!events.isEmpty)
        await stack.stopAll()
    }

    @Test func aServiceStoppedOnPurposeIsNotRestarted() async throws {
        let stack = stack(try standIns("sleep 30"), policy: RestartPolicy())
        try FileManager.default.createDirectory(atPath: stack.plan.logDirectory, withIntermediateDirectories: true)
        try await stack.start(.gateway)
        await stack.kill(.gateway, signal: SIGTERM)
        #expect(await stack.supervise().isEmpty)
        #expect(await stack.pids[.gateway] == nil)
    }

    @Test func theBackoffDoublesUpToItsLongest() {
        let policy = RestartPolicy()
        #expect(
            [1, 2, 3, 4, 8, 20].map(policy.pause(afterQuickFailures:)) == [
                .milliseconds(500), .seconds(1), .seconds(2), .seconds(4), .seconds(30), .seconds(30),
            ])
    }
}
