import SalesModel
import SalesProto
import ServiceKit

/// Assembles the forecasting service: its API and the consumer of the opportunities feed.
public enum ForecastingServer {
    public static let peers: [ServiceName] = [.opportunities]
    public static let migrations = ForecastingMigrations.all

    public static func components(_ runtime: ServiceRuntime) -> ServiceComponents {
        let store = ForecastStore(database: runtime.database)
        let consumer = runtime.consumer(
            "forecasting.pipeline", of: Sales_Opportunities_V1_OpportunityCreated.self, from: .opportunities
        ) { created, event, connection in
            try await store.track(created.opportunity, tenant: event.tenantID, on: connection, logger: runtime.logger)
        }
        return ServiceComponents(
            services: [HostedService(Sales_Forecasting_V1_ForecastService.descriptor, ForecastServiceHandler(store: store))],
            background: [consumer])
    }
}
