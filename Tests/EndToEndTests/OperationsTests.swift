import Foundation
import FoundationNetworking
import GRPCCore
import GRPCNIOTransportHTTP2
import LeadsService
import Logging
import PostgresNIO
import SalesControl
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf
import Synchronization
import TestSupport
import Testing

extension EndToEnd {
    /// Health, metrics, configuration failures, schema isolation and graceful shutdown.
    @Suite struct OperationsTests {
        @Test func everyServiceAnswersHealthCheckAndWatch() async throws {
            let (stack, _, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            for service in ServiceName.allCases {
                try await client.with(service) { grpc in
                    let health = Grpc_Health_V1_Health.Client(wrapping: grpc)
                    #expect(try await health.check(.init()).status == .serving, "\(service)")
                    let first = try await health.watch(.init()) { response in
                        for try await status in response.messages { return status.status }
                        return .unknown
                    }
                    #expect(first == .serving)
                    let unknown = await #expect(throws: RPCError.self) { try await health.check(.with { $0.service = "no.such.Service" }) }
                    #expect(unknown?.code == .notFound)
                }
            }
        }

        @Test func metricsCountCallsByMethodAndCode() async throws {
            let (stack, _, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            let url = URL(string: "http://127.0.0.1:\(ServiceName.storeSales.metricsPort(base: stack.plan.portBase))/metrics")!
            let series = #"grpc_server_handled_total{method="sales.storesales.v1.StoreService/ListStores",code="unauthenticated"}"#
            func scrape() async throws -> (text: String, refused: Double) {
                let (body, _) = try await URLSession.shared.data(from: url)
                let text = String(decoding: body, as: UTF8.self)
                let line = text.split(separator: "\n").first { $0.hasPrefix(series + " ") }
                return (text, line.flatMap { Double($0.split(separator: " ").last ?? "") } ?? 0)
            }
            let before = try await scrape().refused
            for _ in 0..<3 {
                let refused = await #expect(throws: RPCError.self) {
                    try await client.with(.storeSales) { grpc in try await Sales_Storesales_V1_StoreService.Client(wrapping: grpc).listStores(.init())
                    }
                }
                #expect(refused?.code == .unauthenticated)
            }
            let after = try await scrape()
            #expect(after.refused - before == 3, "three refused calls counted once each: \(before) → \(after.refused)")
            #expect(after.text.contains(#"grpc_server_handling_seconds_bucket{method="sales.storesales.v1.StoreService/ListStores""#))
            #expect(after.text.contains("db_pool_connections_in_use"))
        }

        @Test func aServiceRoleCannotReadAnotherServicesSchema() async throws {
            let (_, database, _) = try await RunningStack.shared.get()
            let url = database.url(for: .leads)
            let connection = try await PostgresConnection.connect(
                on: PostgresClient.defaultEventLoopGroup.next(),
                configuration: .init(
                    host: url.host, port: url.port, username: url.username, password: url.password,
                    database: url.database, tls: .disable),
                id: 1, logger: Logger(label: "test"))
            defer { Task { try? await connection.close() } }
            // Its own schema: fine.
            _ = try await connection.query("SELECT count(*) FROM leads.leads", logger: Logger(label: "test")).collect()
            for table in ["opportunities.opportunities", "incentives.pipeline_credits", "gateway.users", "store_sales.stores"] {
                let error = await #expect(throws: PSQLError.self) {
                    _ = try await connection.query(PostgresQuery(unsafeSQL: "SELECT * FROM \(table)"), logger: Logger(label: "test")).collect()
                }
                #expect(error?.serverInfo?[.sqlState] == "42501", "\(table) must be off limits to the leads role")
            }
        }

        @Test func aMissingOrBadVariableStopsTheServiceNamingIt() async throws {
            let bin = try TestEnvironment.binDirectory()
            let cases: [([String: String], String)] = [
                (["SALES_JWT_SECRET": String(repeating: "k", count: 40)], "SALES_DATABASE_URL is not set"),
                (
                    ["SALES_DATABASE_URL": "mysql://x@y/z", "SALES_JWT_SECRET": String(repeating: "k", count: 40)],
                    "SALES_DATABASE_URL is not a usable Postgres URL"
                ),
                (["SALES_DATABASE_URL": "postgres://leads@127.0.0.1/sales"], "SALES_JWT_SECRET is not set"),
                (["SALES_DATABASE_URL": "postgres://leads@127.0.0.1/sales", "SALES_JWT_SECRET": "short"], "SALES_JWT_SECRET is 5 bytes long"),
                (
                    [
                        "SALES_DATABASE_URL": "postgres://leads@127.0.0.1/sales", "SALES_JWT_SECRET": String(repeating: "k", count: 40),
                        "SALES_OPPORTUNITIES_ADDR": "127.0.0.1:1", "SALES_GATEWAY_ADDR": "127.0.0.1:2", "SALES_GRPC_PORT": "seventy",
                    ],
                    "SALES_GRPC_PORT is \"seventy\""
                ),
                (
                    [
                        "SALES_DATABASE_URL": "postgres://leads@127.0.0.1/sales", "SALES_JWT_SECRET": String(repeating: "k", count: 40),
                        "SALES_GATEWAY_ADDR": "127.0.0.1:2",
                    ], "SALES_OPPORTUNITIES_ADDR is not set"
                ),
            ]
            for (environment, message) in cases {
                let output = NSTemporaryDirectory() + "config-\(UUID().uuidString).log"
                let child = try ChildProcess(executable: bin + "/leads", arguments: [], environment: environment, outputPath: output)
                #expect(await child.wait(timeout: .seconds(30)))
                #expect(child.status == 2, "\(message)")
                let printed = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
                #expect(printed.contains(message), "expected “\(message)” in: \(printed)")
            }
        }

        /// SIGTERM while callers are busy: the health Watch turns NOT_SERVING before the process
        /// exits, an open event feed ends cleanly, no call fails with anything but UNAVAILABLE
        /// (refused once draining, or nobody listening after the exit), and the exit is clean.
        @Test func sigtermDrainsAndExitsCleanlyThenTheServiceComesBack() async throws {
            let (stack, _, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            let admin = try await client.metadata(People.admin)
            let feedReader = try await client.metadata(Caller(tenant: People.tenant, userID: "svc:test", roles: [.service], orgPath: "/"))
            let stopped = StopFlag()
            let (statuses, exitedAt, feedEnd, codes) = try await client.with(.storeSales) { grpc in
                let health = Grpc_Health_V1_Health.Client(wrapping: grpc)
                let stores = Sales_Storesales_V1_StoreService.Client(wrapping: grpc)
                async let watched = health.watch(.init()) { response in
                    var seen: [(Grpc_Health_V1_HealthCheckResponse.ServingStatus, ContinuousClock.Instant)] = []
                    do { for try await status in response.messages { seen.append((status.status, .now)) } } catch {}
                    return seen
                }
                async let feed: String = {
                    do {
                        try await Sales_Common_V1_EventFeed.Client(wrapping: grpc).subscribe(.init(), metadata: feedReader) { response in
                            for try await _ in response.messages {}
                        }
                        return "ended cleanly"
                    } catch let error as RPCError {
                        return "\(error.code): \(error.message)"
                    }
                }()
                async let outcomes = withTaskGroup(of: [String: Int].self) { group in
                    for _ in 0..<4 {
                        group.addTask {
                            var codes: [String: Int] = [:]
                            while !stopped.isSet {
                                do {
                                    _ = try await stores.getOverview(.init(), metadata: admin)
                                    codes["ok", default: 0] += 1
                                } catch let error as RPCError {
                                    codes["\(error.code)", default: 0] += 1
                                    try? await Task.sleep(for: .milliseconds(20))
                                } catch {
                                    codes["\(error)", default: 0] += 1
                                }
                            }
                            return codes
                        }
                    }
                    return await group.reduce(into: [String: Int]()) { total, codes in total.merge(codes, uniquingKeysWith: +) }
                }
                try await Task.sleep(for: .milliseconds(500))
                await stack.kill(.storeSales, signal: SIGTERM)
                let exitedAt = ContinuousClock.now
                try await Task.sleep(for: .milliseconds(200))
                stopped.set()
                return (try await watched, exitedAt, try await feed, await outcomes)
            }
            #expect(await stack.lastExitStatus(.storeSales) == 0)
            #expect(statuses.first?.0 == .serving)
            let notServing = statuses.first { $0.0 == .notServing }
            #expect(notServing.map { $0.1 < exitedAt } == true, "the Watch said NOT_SERVING before the exit: \(statuses.map(\.0))")
            #expect(feedEnd == "ended cleanly", "\(feedEnd)")
            #expect(codes["ok", default: 0] > 0, "\(codes)")
            #expect(Set(codes.keys).isSubset(of: ["ok", "\(RPCError.Code.unavailable)"]), "\(codes)")

            try await stack.start(.storeSales)
            try await stack.waitUntilHealthy(.storeSales)
            let overview = try await client.with(.storeSales) { grpc in
                try await Sales_Storesales_V1_StoreService.Client(wrapping: grpc).getOverview(.init(), metadata: admin)
            }
            #expect(overview.stores >= 0, "it serves again after the restart")
        }
    }
}

extension EndToEnd.OperationsTests {
    /// Two replicas of a service starting at once on a new schema: the advisory lock makes them
    /// take turns, so both come up serving and every migration is applied once.
    @Test func twoReplicasStartingAtOnceMigrateOnce() async throws {
        let database = try await TestEnvironment.freshDatabase(prefix: "replicas")
        let logs = NSTemporaryDirectory() + "replicas-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
        let plan = StackPlan(
            binDirectory: try TestEnvironment.binDirectory(),
            databaseURLs: Dictionary(uniqueKeysWithValues: ServiceName.allCases.map { ($0, database.url(for: $0)) }),
            // Above the stacks' blocks (21000–31499) and below the kernel's ephemeral ports (32768
            // and up), where an outgoing connection's local port once took a replica's.
            portBase: 31_500 + Int(getpid() % 40) * 30, jwtSecret: TestEnvironment.jwtSecret, logDirectory: logs)
        var replicas: [(ChildProcess, Int)] = []
        for replica in 0..<2 {
            var environment = plan.environment(for: .leads)
            let port = plan.grpcPort(.leads) + replica * 15
            environment["SALES_GRPC_PORT"] = "\(port)"
            environment["SALES_METRICS_PORT"] = "\(ServiceName.leads.metricsPort(base: plan.portBase) + replica * 15)"
            replicas.append(
                (
                    try ChildProcess(
                        executable: plan.binDirectory + "/leads", arguments: [], environment: environment,
                        outputPath: logs + "/leads-\(replica).log"), port
                ))
        }
        defer { for (process, _) in replicas { process.signal(SIGTERM) } }
        for (process, port) in replicas {
            let deadline = ContinuousClock.now + .seconds(60)
            while await HealthProbe.check(host: plan.host, port: port) != .serving {
                #expect(process.isRunning, "a replica stopped; see \(logs)")
                guard process.isRunning, ContinuousClock.now < deadline else { return }
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        let applied = try await TestEnvironment.withAdminConnection(to: database.url(for: .leads)) { connection in
            try await connection.query("SELECT id FROM leads.schema_migrations ORDER BY id", logger: Logger(label: "test"))
                .collect().map { try $0.decode(String.self) }
        }
        #expect(applied == (KitMigrations.all + LeadsServer.migrations).map(\.id).sorted())
    }
}

/// Tells busy loops to stop.
final class StopFlag: Sendable {
    private let flag = Mutex(false)
    var isSet: Bool { flag.withLock { $0 } }
    func set() { flag.withLock { $0 = true } }
}
