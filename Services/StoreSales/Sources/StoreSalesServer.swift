import SalesModel
import SalesProto
import ServiceKit

/// Assembles the store-sales service from a runtime.
public enum StoreSalesServer {
    public static let peers: [ServiceName] = []
    public static let migrations = StoreSalesMigrations.all

    public static func components(_ runtime: ServiceRuntime) -> ServiceComponents {
        let handler = StoreServiceHandler(store: ShopStore(database: runtime.database))
        return ServiceComponents(services: [HostedService(Sales_Storesales_V1_StoreService.descriptor, handler)])
    }
}
