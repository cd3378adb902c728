import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import GRPCCore
import GRPCNIOTransportHTTP2
import Logging
import PostgresNIO
import SalesControl
import SalesModel
import SalesProto
import ServiceKit
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
            _ = try? await client.with(.storeSales) { grpc in
                try await Sales_Storesales_V1_StoreService.Client(wrapping: grpc).listStores(.init())
            }
            let url = URL(string: "http://127.0.0.1:\(ServiceName.storeSales.metricsPort(base: stack.plan.portBase))/metrics")!
            let (body, _) = try await URLSession.shared.data(from: url)
            let text = String(decoding: body, as: UTF8.self)
            #expect(text.contains(#"grpc_server_handled_total{method="sales.storesales.v1.StoreService/ListStores",code="unauthenticated"}"#))
            #expect(text.contains("grpc_server_handling_seconds_bucket"))
            #expect(text.contains("db_pool_connections_in_use"))
        }

        @Test func aServiceRoleCannotReadAnotherServicesSchema() async throws {
            let (_, database, _) = try await RunningStack.shared.get()
            let url = database.url(for: .leads)
            let connection = try await PostgresConnection.connect(
                on: PostgresClient.defaultEventLoopGroup.next(),
                configuration: .init(host: url.host, port: url.port, username: url.username, password: url.password,
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
                (["SALES_DATABASE_URL": "mysql://x@y/z", "SALES_JWT_SECRET": String(repeating: "k", count: 40)], "SALES_DATABASE_URL is not a usable Postgres URL"),
                (["SALES_DATABASE_URL": "postgres://leads@127.0.0.1/sales"], "SALES_JWT_SECRET is not set"),
                (["SALES_DATABASE_URL": "postgres://leads@127.0.0.1/sales", "SALES_JWT_SECRET": "short"], "SALES_JWT_SECRET is 5 bytes long"),
                (["SALES_DATABASE_URL": "postgres://leads@127.0.0.1/sales", "SALES_JWT_SECRET": String(repeating: "k", count: 40),
                  "SALES_OPPORTUNITIES_ADDR": "127.0.0.1:1", "SALES_GATEWAY_ADDR": "127.0.0.1:2", "SALES_GRPC_PORT": "seventy"],
                 "SALES_GRPC_PORT is \"seventy\""),
                (["SALES_DATABASE_URL": "postgres://leads@127.0.0.1/sales", "SALES_JWT_SECRET": String(repeating: "k", count: 40),
                  "SALES_GATEWAY_ADDR": "127.0.0.1:2"], "SALES_OPPORTUNITIES_ADDR is not set"),
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

        @Test func sigtermDrainsAndExitsCleanlyThenTheServiceComesBack() async throws {
            let (stack, _, tokens) = try await RunningStack.shared.get()
            await stack.kill(.storeSales, signal: SIGTERM)
            #expect(await stack.lastExitStatus(.storeSales) == 0)
            #expect(await HealthProbe.check(port: stack.plan.grpcPort(.storeSales)) != .serving)
            try await stack.start(.storeSales)
            try await stack.waitUntilHealthy(.storeSales)
            let client = StackClient(plan: stack.plan, tokens: tokens)
            let overview = try await client.with(.storeSales) { grpc in
                try await Sales_Storesales_V1_StoreService.Client(wrapping: grpc).getOverview(.init(), metadata: try await client.metadata(People.admin))
            }
            #expect(overview.stores >= 0)
        }
    }
}
