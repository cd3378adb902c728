import SalesModel
import SalesProto
import ServiceKit

/// Assembles the opportunities service from a runtime.
public enum OpportunitiesServer {
    public static let peers: [ServiceName] = []
    public static let migrations = OpportunitiesMigrations.all

    public static func components(_ runtime: ServiceRuntime) -> ServiceComponents {
        let database = runtime.database
        let pipelines = PipelineStore(database: database)
        let handler = OpportunityServiceHandler(
            store: OpportunityStore(database: database), pipelines: pipelines, changes: StageChangeStore(database: database),
            activities: ActivityStore(database: database))
        return ServiceComponents(services: [
            HostedService(Sales_Opportunities_V1_OpportunityService.descriptor, handler),
            HostedService(Sales_Opportunities_V1_PipelineService.descriptor, PipelineServiceHandler(store: pipelines)),
        ])
    }
}
