import SalesModel
import SalesProto
import ServiceKit

/// Assembles the store-sales service from a runtime.
public enum StoreSalesServer {
    public static let peers: [ServiceName] = []
    /// Called when reachable, never waited for: each tenant's time zone for the tills' local times.
    public static let optionalPeers: [ServiceName] = [.gateway]
    public static let migrations = StoreSalesMigrations.all

    /// `environment` holds the service's settings (how long a clerk's code lasts); tests pass their own.
    public static func components(_ runtime: ServiceRuntime, environment: Environment = Environment()) throws -> ServiceComponents {
        let database = runtime.database
        let shops = ShopStore(database: database)
        let clerks = ClerkStore(database: database)
        let hasher = PhoneHasher(secret: runtime.configuration.jwtSecret)
        let calendars = TenantCalendars(runtime: runtime, fallback: try environment.workCalendar())
        let signer = ClerkCodeSigner(
            secret: runtime.configuration.jwtSecret,
            lifetimeMinutes: Int64(try environment.integer("SALES_STORE_SALES_CLERK_CODE_MINUTES", in: 1...1_440, default: 10)))
        return ServiceComponents(services: [
            HostedService(Sales_Storesales_V1_StoreService.descriptor, StoreServiceHandler(store: shops, clerks: clerks)),
            HostedService(
                Sales_Storesales_V1_MemberService.descriptor,
                MemberServiceHandler(
                    members: MemberStore(database: database), clerks: clerks, shops: shops, signer: signer, hasher: hasher, calendars: calendars)),
            HostedService(
                Sales_Storesales_V1_ReceiptService.descriptor,
                ReceiptServiceHandler(
                    receipts: ReceiptStore(database: database), products: ProductStore(database: database), shops: shops, clerks: clerks,
                    hasher: hasher, calendars: calendars)),
        ])
    }
}
