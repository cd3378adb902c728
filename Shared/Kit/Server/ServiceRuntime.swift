import GRPCCore
import Logging
import PostgresNIO
import SalesModel
import SalesProto
import ServiceLifecycle
import SwiftProtobuf

/// What a service's handlers are built from: its configuration, pool, token authority and
/// clients to the peers it calls.
public struct ServiceRuntime: Sendable {
    public let configuration: ServiceConfiguration
    public let logger: Logger
    public let database: Database
    public let tokens: TokenAuthority
    public let health: HealthStatus
    public let drain: DrainSignal
    public let peers: [ServiceName: PeerClient]

    public init(
        configuration: ServiceConfiguration, logger: Logger, database: Database, tokens: TokenAuthority, health: HealthStatus,
        drain: DrainSignal, peers: [ServiceName: PeerClient]
    ) {
        self.configuration = configuration
        self.logger = logger
        self.database = database
        self.tokens = tokens
        self.health = health
        self.drain = drain
        self.peers = peers
    }

    public func peer(_ name: ServiceName) -> PeerClient {
        guard let client = peers[name] else {
            preconditionFailure("\(configuration.service.rawValue) calls \(name.rawValue) without declaring it as a peer")
        }
        return client
    }

    /// A token for calls this service makes on its own behalf (event feeds, directory look-ups).
    public func serviceToken() async throws -> String {
        try await tokens.serviceToken(for: configuration.service)
    }
}

/// The gRPC services a process hosts, and what else runs beside them (event consumers, HTTP).
public struct ServiceComponents: Sendable {
    public var services: [HostedService]
    public var background: [any Service]
    /// "package.Service/Method" names callable without a token.
    public var publicMethods: Set<String>

    public init(
        services: [HostedService], background: [any Service] = [],
        publicMethods: Set<String> = []
    ) {
        self.services = services
        self.background = background
        self.publicMethods = publicMethods
    }
}

/// A gRPC service implementation with the name health checks report it under.
public struct HostedService: Sendable {
    public let descriptor: ServiceDescriptor
    public let implementation: any RegistrableRPCService

    public init(_ descriptor: ServiceDescriptor, _ implementation: any RegistrableRPCService) {
        self.descriptor = descriptor
        self.implementation = implementation
    }
}

extension ServiceRuntime {
    /// A consumer of one event type from a peer's feed, starting once this service is serving.
    /// `apply` gets the decoded payload and runs inside the consumer's transaction.
    public func consumer<Payload: SwiftProtobuf.Message>(
        _ name: String, of _: Payload.Type, from source: ServiceName,
        apply: @escaping @Sendable (Payload, Sales_Common_V1_EventEnvelope, PostgresConnection) async throws -> Void
    ) -> EventConsumer {
        EventConsumer(
            name: name, source: peer(source), database: database, eventTypes: [Payload.protoMessageName],
            serviceToken: serviceToken, startsAfter: health
        ) { event, connection in
            try await apply(try event.payload(as: Payload.self), event, connection)
        }
    }
}
