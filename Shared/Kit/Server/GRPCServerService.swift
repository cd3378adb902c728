import GRPCCore
import GRPCNIOTransportHTTP2
import Logging
import ServiceLifecycle

/// Runs the gRPC server as part of the service group. Opens the port first (health answers
/// NOT_SERVING), runs `prepare` (migrations), then turns SERVING. On SIGTERM: NOT_SERVING for
/// `drainNotice` (watchers and load balancers see it while the server still answers), then
/// streams told to end, in-flight calls finished, and the server returns.
struct GRPCServerService: Service {
    let server: GRPCServer<HTTP2ServerTransport.Posix>
    let health: HealthStatus
    let drain: DrainSignal
    let logger: Logger
    let drainNotice: Duration
    let prepare: @Sendable () async throws -> Void

    func run() async throws {
        try await withGracefulShutdownHandler {
            try await withThrowingDiscardingTaskGroup { group in
                group.addTask { try await server.serve() }
                guard let address = try await server.listeningAddress else {
                    throw RPCError(code: .unavailable, message: "the gRPC server stopped before it was listening")
                }
                logger.info("gRPC listening", metadata: ["address": "\(address)"])
                try await prepare()
                health.setAll(.serving)
                logger.info("serving")
            }
        } onGracefulShutdown: {
            logger.info("draining")
            health.setAll(.notServing)
            Task {
                try? await Task.sleep(for: drainNotice)
                drain.drain()
                health.finishWatchers()
                server.beginGracefulShutdown()
            }
        }
    }
}
