import Foundation
import GRPCCore
import GRPCInProcessTransport
import Logging
import PostgresNIO
import SalesControl
import SalesModel
import ServiceKit

/// One service hosted in the test process: its handlers behind the production interceptors on
/// grpc-swift's in-process transport, its own schema (kit and service migrations) in the service
/// tests' database of the run's Postgres. Tests keep apart by tenant. Service tests need no other
/// executable, so a service can be tested on its own, in milliseconds a call.
package enum ServiceHarness {
    /// The service tests' database, created once per run (roles are cluster-wide: bootstraps must not race).
    private actor SharedDatabase {
        private var bootstrap: Task<StackBootstrap, any Error>?

        func get() async throws -> StackBootstrap {
            if bootstrap == nil { bootstrap = Task { try await TestEnvironment.freshDatabase(prefix: "services") } }
            return try await bootstrap!.value
        }
    }

    private static let shared = SharedDatabase()

    package static func with<Result: Sendable>(
        _ service: ServiceName, migrations: [Migration],
        build: @Sendable (ServiceRuntime) async throws -> ServiceComponents,
        _ body: @Sendable (GRPCClient<InProcessTransport.Client>, TokenAuthority) async throws -> Result
    ) async throws -> Result {
        try await with(service, migrations: migrations, build: build) { client, tokens, _ in try await body(client, tokens) }
    }

    /// The same, with the service's database for a test that arranges rows directly (a deal that
    /// entered its stage a week ago).
    package static func with<Result: Sendable>(
        _ service: ServiceName, migrations: [Migration],
        build: @Sendable (ServiceRuntime) async throws -> ServiceComponents,
        _ body: @Sendable (GRPCClient<InProcessTransport.Client>, TokenAuthority, Database) async throws -> Result
    ) async throws -> Result {
        let bootstrap = try await shared.get()
        var logger = Logger(label: "harness.\(service.rawValue)")
        logger.logLevel = .warning
        let database = Database(url: bootstrap.url(for: service), schema: service.schema, logger: logger)
        let tokens = await TokenAuthority(secret: TestEnvironment.jwtSecret)
        let configuration = ServiceConfiguration(
            service: service, grpcPort: 0, metricsPort: 0, database: bootstrap.url(for: service), jwtSecret: TestEnvironment.jwtSecret)
        let runtime = ServiceRuntime(
            configuration: configuration, logger: logger, database: database, tokens: tokens,
            health: HealthStatus(serviceName: service.rawValue), drain: DrainSignal(), peers: [:])
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await database.client.run() }
            defer { group.cancelAll() }
            try await Migrator(schema: service.schema, migrations: KitMigrations.all + migrations).run(on: database)
            let components = try await build(runtime)
            let transport = InProcessTransport()
            let server = GRPCServer(
                transport: transport.server, services: ServiceMain.hostedServices(components, runtime: runtime),
                interceptors: ServiceMain.interceptors(runtime: runtime, publicMethods: components.publicMethods))
            group.addTask { try await server.serve() }
            runtime.health.setAll(.serving)
            defer { server.beginGracefulShutdown() }
            return try await withGRPCClient(transport: transport.client) { client in try await body(client, tokens, database) }
        }
    }
}
