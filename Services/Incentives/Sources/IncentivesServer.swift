import SalesModel
import SalesProto
import ServiceKit

/// Assembles the incentives service: its API and the consumer of the opportunities feed.
public enum IncentivesServer {
    public static let peers: [ServiceName] = [.opportunities]
    public static let migrations = IncentivesMigrations.all

    public static func components(_ runtime: ServiceRuntime) -> ServiceComponents {
        let store = PipelineCreditStore(database: runtime.database)
        let consumer = runtime.consumer(
            "incentives.pipeline-credit", of: Sales_Opportunities_V1_OpportunityCreated.self, from: .opportunities
        ) { created, event, connection in
            try await store.record(created.opportunity, tenant: event.tenantID, on: connection, logger: runtime.logger)
        }
        return ServiceComponents(
            services: [HostedService(Sales_Incentives_V1_IncentiveService.descriptor, IncentiveServiceHandler(store: store))],
            background: [consumer])
    }
}
