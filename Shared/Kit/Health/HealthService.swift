import GRPCCore
import SalesProto
import SwiftProtobuf

/// grpc.health.v1.Health over `HealthStatus`: Check answers at once, Watch streams changes.
struct HealthService: Grpc_Health_V1_Health.SimpleServiceProtocol {
    typealias Response = Grpc_Health_V1_HealthCheckResponse
    let status: HealthStatus

    func check(request: Grpc_Health_V1_HealthCheckRequest, context: ServerContext) async throws -> Response {
        guard let current = status.status(of: request.service) else {
            throw RPCError(code: .notFound, message: "unknown service \(quoted: request.service)")
        }
        return Self.response(current)
    }

    func watch(
        request: Grpc_Health_V1_HealthCheckRequest, response: RPCWriter<Response>, context: ServerContext
    ) async throws {
        for await current in status.watch(request.service) {
            try await response.write(current.map(Self.response) ?? .with { $0.status = .serviceUnknown })
        }
    }

    private static func response(_ status: HealthStatus.Status) -> Response {
        .with { $0.status = status == .serving ? .serving : .notServing }
    }
}
