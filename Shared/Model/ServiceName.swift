/// The six executables of the platform and the facts every one of them, and the stack, agree on.
public enum ServiceName: String, Sendable, CaseIterable {
    case gateway
    case leads
    case opportunities
    case incentives
    case forecasting
    case storeSales = "store-sales"

    /// The Postgres schema and login role the service owns.
    public var schema: String {
        switch self {
        case .storeSales: "store_sales"
        default: rawValue
        }
    }

    /// Prefix of the environment variables naming this service's address, e.g. SALES_STORE_SALES_ADDR.
    public var environmentKey: String { "SALES_" + schema.uppercased() }

    /// The service's place in a block of ports: gRPC at base + offset, metrics at base + 10 + offset.
    public var portOffset: Int {
        switch self {
        case .gateway: 0
        case .leads: 1
        case .opportunities: 2
        case .incentives: 3
        case .forecasting: 4
        case .storeSales: 5
        }
    }

    /// The local stack's default block: gRPC 50050–50055, metrics 50060–50065, gateway HTTP 50070.
    public static let defaultPortBase = 50050

    public func grpcPort(base: Int = defaultPortBase) -> Int { base + portOffset }
    public func metricsPort(base: Int = defaultPortBase) -> Int { base + 10 + portOffset }
    public static func gatewayHTTPPort(base: Int = defaultPortBase) -> Int { base + 20 }

    public var defaultGRPCPort: Int { grpcPort() }
    public var defaultMetricsPort: Int { metricsPort() }
}
