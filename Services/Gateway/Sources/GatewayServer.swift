import GRPCCore
import SalesModel
import SalesProto
import ServiceKit

/// Assembles the gateway: the directory, the dashboard over gRPC, and the dashboard over HTTP.
public enum GatewayServer {
    public static let peers: [ServiceName] = [.leads, .opportunities, .incentives, .forecasting, .storeSales]
    public static let migrations = GatewayMigrations.all

    public static func components(_ runtime: ServiceRuntime) throws -> ServiceComponents {
        let configuration = runtime.configuration
        let httpPort = try Environment().port("SALES_HTTP_PORT", default: ServiceName.gatewayHTTPPort())
        let aggregator = OverviewAggregator(peers: runtime.peer)
        let directory = DirectoryServiceHandler(
            store: DirectoryStore(database: runtime.database),
            calendars: WorkCalendarStore(database: runtime.database, fallback: try Environment().workCalendar()), tokens: runtime.tokens,
            developmentMode: configuration.developmentMode)
        let http = DashboardHTTP.make(
            host: configuration.host, port: httpPort, tokens: runtime.tokens, aggregator: aggregator, logger: runtime.logger)
        return ServiceComponents(
            services: [
                HostedService(Sales_Gateway_V1_DirectoryService.descriptor, directory),
                HostedService(Sales_Gateway_V1_DashboardService.descriptor, DashboardServiceHandler(aggregator: aggregator)),
            ],
            background: [http],
            publicMethods: [Sales_Gateway_V1_DirectoryService.Method.IssueToken.descriptor.fullyQualifiedMethod])
    }
}
