import GRPCCore
import GRPCNIOTransportHTTP2
import SalesModel
import ServiceLifecycle

/// A gRPC client to another service of the platform, run as part of the service group.
/// Calls made while handling a request carry that request's bearer token and request id.
public struct PeerClient: Service {
    public let service: ServiceName
    public let address: PeerAddress
    public typealias Transport = HTTP2ClientTransport.Posix
    public let grpc: GRPCClient<Transport>

    public init(_ service: ServiceName, at address: PeerAddress) throws {
        self.service = service
        self.address = address
        var config = HTTP2ClientTransport.Posix.Config.defaults
        // Peers restart often on a local stack; reconnect within two seconds, not two minutes.
        config.backoff = .init(initial: .milliseconds(100), max: .seconds(2), multiplier: 1.6, jitter: 0.2)
        self.grpc = GRPCClient(
            transport: try .http2NIOPosix(
                target: .dns(host: address.host, port: address.port), transportSecurity: .plaintext, config: config),
            interceptors: [ForwardingInterceptor()])
    }

    public func run() async throws {
        try await withGracefulShutdownHandler {
            try await grpc.runConnections()
        } onGracefulShutdown: {
            grpc.beginGracefulShutdown()
        }
    }
}

/// Carries the current call's token and request id onto outgoing calls, unless the call sets its own.
struct ForwardingInterceptor: ClientInterceptor {
    func intercept<Input: Sendable, Output: Sendable>(
        request: StreamingClientRequest<Input>,
        context: ClientContext,
        next: (StreamingClientRequest<Input>, ClientContext) async throws -> StreamingClientResponse<Output>
    ) async throws -> StreamingClientResponse<Output> {
        var request = request
        if let current = RequestContext.current {
            if request.metadata[stringValues: "authorization"].first(where: { _ in true }) == nil, let token = current.bearerToken {
                request.metadata.addString("Bearer \(token)", forKey: "authorization")
            }
            if request.metadata[stringValues: "x-request-id"].first(where: { _ in true }) == nil {
                request.metadata.addString(current.requestID, forKey: "x-request-id")
            }
        }
        return try await next(request, context)
    }
}
