import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Logging
import NIOCore
import NIOPosix
import SalesModel
import SalesProto
import ServiceLifecycle
import UnixSignals

/// The whole life of a service executable: read the environment (failing fast with the
/// variable's name), set up logs and metrics, open the pool, serve gRPC with health, metrics,
/// auth and the event feed, migrate, and shut down gracefully on SIGTERM or SIGINT.
public enum ServiceMain {
    /// Called from the executable's top-level code, on the main thread, before anything else runs.
    @MainActor
    public static func run(
        _ service: ServiceName,
        peers: [ServiceName] = [],
        migrations: [Migration],
        build: @Sendable (ServiceRuntime) async throws -> ServiceComponents
    ) async -> Never {
        // Swift concurrency runs its jobs on NIO's event loops, the threads gRPC and Postgres do
        // their I/O on, instead of a pool of its own: a handler's work and its reads and writes no
        // longer wake threads in two pools for every hop (CreateLead: about 1,100 to 1,350-1,470
        // leads/s in scripts/bench-leads.sh). Nothing in the services blocks a thread while
        // serving; the two files read at start-up are read before serving begins.
        _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        let configuration: ServiceConfiguration
        do {
            configuration = try ServiceConfiguration.fromEnvironment(service, peers: peers)
        } catch {
            FileHandle.standardError.write(Data("\(service.rawValue): \(error)\n".utf8))
            exit(2)
        }
        if ProcessInfo.processInfo.environment["SALES_EXIT_WITH_PARENT"] == "1" { exitWithParent() }
        do {
            try await serve(configuration, migrations: migrations, build: build)
            leave(0)
        } catch let error as ConfigurationError {
            // A service's own variables (read while building its components) fail like the kit's.
            FileHandle.standardError.write(Data("\(service.rawValue): \(error)\n".utf8))
            leave(2)
        } catch {
            FileHandle.standardError.write(Data("\(service.rawValue): stopped: \(error)\n".utf8))
            leave(1)
        }
    }

    /// Ends the process now. Everything it ran has stopped; `exit`'s atexit handlers were seen to
    /// hang on event-loop threads still parked after a failed start (a service whose port was
    /// taken printed "stopped" and never exited, so its supervisor could not restart it).
    static func leave(_ status: Int32) -> Never {
        fflush(nil)
        _exit(status)
    }

    public static func serve(
        _ configuration: ServiceConfiguration,
        migrations: [Migration],
        build: @Sendable (ServiceRuntime) async throws -> ServiceComponents
    ) async throws {
        LoggingSetup.bootstrap(format: configuration.logFormat, level: configuration.logLevel)
        let registry = MetricsSetup.bootstrap()
        let service = configuration.service
        var logger = Logger(label: "sales.\(service.rawValue)")
        logger.logLevel = Logger.Level(rawValue: configuration.logLevel) ?? .info

        let database = Database(url: configuration.database, schema: service.schema, logger: logger)
        let tokens = await TokenAuthority(secret: configuration.jwtSecret)
        let drain = DrainSignal()
        var peers: [ServiceName: PeerClient] = [:]
        for (name, address) in configuration.peers { peers[name] = try PeerClient(name, at: address) }

        let health = HealthStatus(serviceName: service.rawValue)
        let runtime = ServiceRuntime(
            configuration: configuration, logger: logger, database: database, tokens: tokens,
            health: health, drain: drain, peers: peers)
        let components = try await build(runtime)
        let server = GRPCServer(
            transport: .http2NIOPosix(
                address: .ipv4(host: configuration.host, port: configuration.grpcPort),
                transportSecurity: .plaintext),
            services: hostedServices(components, runtime: runtime),
            interceptors: interceptors(runtime: runtime, publicMethods: components.publicMethods))
        let schema = service.schema
        let grpcService = GRPCServerService(
            server: server, health: health, drain: drain, logger: logger, drainNotice: configuration.drainNotice
        ) {
            try await withStartupDeadline(
                .seconds(60), what: "migrating schema \(schema) at \(configuration.database.host):\(configuration.database.port)"
            ) {
                try await Migrator(schema: schema, migrations: KitMigrations.all + migrations).run(on: database)
            }
        }
        let metrics = MetricsServer.make(
            host: configuration.host, port: configuration.metricsPort, registry: registry, logger: logger)

        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: database.client)]
                    + peers.values.map { .init(service: $0) }
                    + [.init(service: metrics)]
                    + components.background.map { .init(service: $0) }
                    + [.init(service: grpcService, successTerminationBehavior: .gracefullyShutdownGroup)],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        try await group.run()
    }

    /// What a service's server hosts: its own services, its event feed and health, each
    /// registered with health (NOT_SERVING until the caller turns it SERVING).
    public static func hostedServices(_ components: ServiceComponents, runtime: ServiceRuntime) -> [any RegistrableRPCService] {
        let feed = EventFeedService(database: runtime.database, draining: runtime.drain)
        runtime.health.register(
            components.services.map(\.descriptor.fullyQualifiedService)
                + [Sales_Common_V1_EventFeed.descriptor.fullyQualifiedService])
        return components.services.map(\.implementation) + [feed, HealthService(status: runtime.health)]
    }

    /// Every server's interceptors, outermost first: request id, logs, metrics and the final
    /// status; the bearer token; the edge check of every request's text. The service tests host
    /// handlers behind the same chain.
    public static func interceptors(runtime: ServiceRuntime, publicMethods: Set<String>) -> [any ServerInterceptor] {
        [
            ObservabilityInterceptor(logger: runtime.logger, health: runtime.health),
            AuthInterceptor(
                authority: runtime.tokens,
                exemptServices: [Grpc_Health_V1_Health.descriptor.fullyQualifiedService],
                exemptMethods: publicMethods),
            TextCheckInterceptor(),
        ]
    }

    /// A supervisor (salesctl, the tests) that dies without stopping its children must leave no
    /// process behind: when this process is re-parented, it shuts itself down gracefully.
    static func exitWithParent() {
        let parent = getppid()
        Task.detached {
            while getppid() == parent { try? await Task.sleep(for: .milliseconds(500)) }
            kill(getpid(), SIGTERM)
        }
    }

    static func withStartupDeadline(
        _ limit: Duration, what: String, _ body: @escaping @Sendable () async throws -> Void
    ) async throws {
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                try await body(); return true
            }
            group.addTask {
                try await Task.sleep(for: limit); return false
            }
            let finished = try await group.next()!
            group.cancelAll()
            if !finished {
                throw ServiceError.unavailable("gave up after \(limit) \(what): is the database up and the login right?")
            }
        }
    }
}
