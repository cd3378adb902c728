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

    /// Default gRPC port on the local stack.
    public var defaultGRPCPort: Int {
        switch self {
        case .gateway: 50050
        case .leads: 50051
        case .opportunities: 50052
        case .incentives: 50053
        case .forecasting: 50054
        case .storeSales: 50055
        }
    }

    /// Default Prometheus metrics port on the local stack.
    public var defaultMetricsPort: Int { defaultGRPCPort - 50050 + 9150 }
}
