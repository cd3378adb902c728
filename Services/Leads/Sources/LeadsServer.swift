import SalesModel
import SalesProto
import ServiceKit

/// Assembles the leads service from a runtime.
public enum LeadsServer {
    public static let peers: [ServiceName] = [.opportunities]
    public static let migrations = LeadsMigrations.all

    public static func components(_ runtime: ServiceRuntime) -> ServiceComponents {
        let handler = LeadServiceHandler(
            store: LeadStore(database: runtime.database),
            fields: CustomFieldStore(database: runtime.database, recordType: "lead"),
            phoneHasher: PhoneHasher(secret: runtime.configuration.jwtSecret),
            opportunities: .init(wrapping: runtime.peer(.opportunities).grpc))
        return ServiceComponents(services: [HostedService(Sales_Leads_V1_LeadService.descriptor, handler)])
    }
}
