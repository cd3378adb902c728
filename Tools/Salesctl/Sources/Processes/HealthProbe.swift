import GRPCCore
import GRPCNIOTransportHTTP2
import SalesProto

/// Asks a service's grpc.health.v1 endpoint for its overall status.
public enum HealthProbe {
    public enum Result: Sendable, Equatable {
        case serving
        case notServing
        case unreachable(String)
    }

    public static func check(host: String = "127.0.0.1", port: Int, timeout: Duration = .seconds(2)) async -> Result {
        do {
            return try await withGRPCClient(
                transport: .http2NIOPosix(target: .ipv4(address: host, port: port), transportSecurity: .plaintext)
            ) { client in
                var options = CallOptions.defaults
                options.timeout = timeout
                let response = try await Grpc_Health_V1_Health.Client(wrapping: client).check(.init(), options: options)
                return response.status == .serving ? .serving : .notServing
            }
        } catch let error as RPCError {
            return .unreachable("\(error.code)")
        } catch {
            return .unreachable("\(error)")
        }
    }
}
