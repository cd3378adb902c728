import Foundation
import Logging
import SalesModel
import ServiceKit
import UnixSignals

/// `salesctl up` and `down`: a throwaway cluster (unless a database is given), the schemas and
/// roles, the six executables, health, optional demo data; everything stopped on Ctrl-C.
public struct LocalStack: Sendable {
    public var dataDirectory: String
    public var binDirectory: String
    /// A superuser URL of an existing server; nil starts a throwaway cluster.
    public var adminURL: DatabaseURL?
    public var databaseName = "sales"
    public var portBase = ServiceName.defaultPortBase
    public var clusterPort = 55432
    public var loadDemo = false

    public init(dataDirectory: String, binDirectory: String) {
        self.dataDirectory = dataDirectory
        self.binDirectory = binDirectory
    }

    public func up(print say: @escaping @Sendable (String) -> Void) async throws {
        if let state = StackState.load(from: dataDirectory), StackState.isAlive(state.supervisorPID) {
            say("the stack is already running (salesctl pid \(state.supervisorPID), gRPC from port \(state.portBase)); `salesctl down` stops it")
            return
        }
        let secrets = try StackSecrets.loadOrCreate(in: dataDirectory)
        var cluster: LocalCluster?
        let admin: DatabaseURL
        if let adminURL {
            admin = adminURL
        } else {
            let local = try LocalCluster(directory: clusterDirectory(), port: clusterPort, password: secrets.postgresPassword)
            say("postgres: \(local.isInitialised ? "reusing" : "creating") the cluster in \(local.directory)")
            try local.initialise()
            try local.start(log: dataDirectory + "/postgres.log")
            cluster = local
            admin = local.adminURL
        }
        var state = StackState(
            supervisorPID: getpid(), portBase: portBase, servicePIDs: [:],
            clusterDirectory: cluster?.directory, clusterPort: cluster?.port)
        try state.save(in: dataDirectory)

        let bootstrap = try StackBootstrap(admin: admin, database: databaseName, passwords: secrets.passwords)
        var plan = StackPlan(
            binDirectory: binDirectory,
            databaseURLs: Dictionary(uniqueKeysWithValues: ServiceName.allCases.map { ($0, bootstrap.url(for: $0)) }),
            portBase: portBase, jwtSecret: secrets.jwtSecret, logDirectory: dataDirectory + "/logs")
        plan.companyRegistry = try DemoCompanies.registryFile(in: dataDirectory)
        plan.creditBureau = try DemoCompanies.bureauFile(in: dataDirectory)
        plan.attachmentsDirectory = dataDirectory + "/attachments"
        plan.signalDropDirectory = dataDirectory + "/signals"
        plan.erpDirectory = dataDirectory + "/erp"
        let stack = Stack(plan: plan)
        do {
            try await bootstrap.run(logger: Logger(label: "salesctl"))
            say("postgres: database \(databaseName) with one schema and login role per service")
            try await stack.startAll()
            state.update(from: await stack.records)
            try state.save(in: dataDirectory)
            try await stack.waitUntilHealthy()
            if loadDemo {
                let summary = try await DemoLoader(plan: stack.plan, tokens: TokenAuthority(secret: secrets.jwtSecret)).load()
                say("demo: \(summary)")
            }
            say(endpoints(stack.plan))
            let supervision = Task { [state] in await supervise(stack, state: state, print: say) }
            await waitForStopSignal()
            supervision.cancel()
            await supervision.value
            say("stopping…")
        } catch {
            await shutdown(stack, cluster: cluster)
            throw error
        }
        await shutdown(stack, cluster: cluster)
        say("stopped")
    }

    /// Stops a stack started by `up` from another terminal (or one whose `up` was killed).
    public func down(print say: (String) -> Void) async throws {
        guard let state = StackState.load(from: dataDirectory) else {
            say("no stack is running from \(dataDirectory)")
            return
        }
        if StackState.isAlive(state.supervisorPID), state.supervisorPID != getpid() {
            kill(state.supervisorPID, SIGTERM)
            for _ in 0..<300 where StackState.isAlive(state.supervisorPID) { try await Task.sleep(for: .milliseconds(100)) }
        }
        // Whatever the supervisor left behind (it was SIGKILLed, say).
        for (_, pid) in state.servicePIDs where StackState.isAlive(pid) { kill(pid, SIGTERM) }
        try await Task.sleep(for: .milliseconds(500))
        for (_, pid) in state.servicePIDs where StackState.isAlive(pid) { kill(pid, SIGKILL) }
        if let directory = state.clusterDirectory, let port = state.clusterPort {
            try? LocalCluster(directory: directory, port: port, password: "").stop()
        }
        StackState.remove(from: dataDirectory)
        say("stopped")
    }

    /// Until cancelled: reaps and restarts services that exit on their own, saying so and keeping
    /// the state file (what `salesctl status` reads) current.
    private func supervise(_ stack: Stack, state: StackState, print say: @Sendable (String) -> Void) async {
        var state = state
        while !Task.isCancelled {
            let events = await stack.supervise()
            for event in events { say("supervisor: \(event)") }
            if !events.isEmpty {
                state.update(from: await stack.records)
                try? state.save(in: dataDirectory)
            }
            try? await Task.sleep(for: .milliseconds(500))
        }
    }

    private func shutdown(_ stack: Stack, cluster: LocalCluster?) async {
        await stack.stopAll()
        try? cluster?.stop()
        StackState.remove(from: dataDirectory)
    }

    /// The cluster lives in the data folder, unless we are root and the `postgres` user cannot
    /// reach it (a checkout under /root): then under /var/tmp, named after the data folder.
    private func clusterDirectory() -> String {
        let preferred = dataDirectory + "/pg"
        guard getuid() == 0 else { return preferred }
        let parent = dataDirectory
        if (try? Command.run("/usr/bin/test", ["-x", parent, "-a", "-r", parent], as: "postgres")) != nil { return preferred }
        // FNV-1a: stable across runs, unlike hashValue.
        let tag = String(parent.utf8.reduce(UInt64(0xcbf2_9ce4_8422_2325)) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }, radix: 16)
        return "/var/tmp/salesctl-pg-\(tag)"
    }

    private func waitForStopSignal() async {
        for await _ in await UnixSignalsSequence(trapping: .sigint, .sigterm) { return }
    }

    public func endpoints(_ plan: StackPlan) -> String {
        var lines = ["the stack is up (Ctrl-C or `salesctl down` stops it):"]
        for service in ServiceName.allCases {
            lines.append(
                "  \(service.rawValue.padding(toLength: 14, withPad: " ", startingAt: 0)) grpc 127.0.0.1:\(plan.grpcPort(service))   metrics http://127.0.0.1:\(service.metricsPort(base: plan.portBase))/metrics"
            )
        }
        lines.append("  dashboard JSON  http://127.0.0.1:\(plan.gatewayHTTPPort)/api/v1/overview (send a token from `salesctl token`)")
        lines.append("  logs            \(plan.logDirectory)")
        return lines.joined(separator: "\n")
    }
}
