import Logging
import RulesEngine
import SalesModel
import SalesNotifications
import SalesProto
import ServiceKit

/// Assembles the store-sales service from a runtime.
public enum StoreSalesServer {
    public static let peers: [ServiceName] = []
    /// Called when reachable, never waited for: each tenant's time zone for the tills' local times,
    /// and the leads service for receipts' customers who ask for a business follow-up.
    public static let optionalPeers: [ServiceName] = [.gateway, .leads]
    public static let migrations = Notifications.migrations + StoreSalesMigrations.all

    /// `environment` holds the service's settings (how long a clerk's code lasts, the nudges'
    /// clocks); tests pass their own.
    public static func components(_ runtime: ServiceRuntime, environment: Environment = Environment()) throws -> ServiceComponents {
        let database = runtime.database
        let shops = ShopStore(database: database)
        let clerks = ClerkStore(database: database)
        let access = StoreAccess(shops: shops, clerks: clerks)
        let hasher = PhoneHasher(secret: runtime.configuration.jwtSecret)
        let calendars = TenantCalendars(runtime: runtime, fallback: try environment.workCalendar())
        let notifications = try Notifications(runtime: runtime)
        let signer = ClerkCodeSigner(
            secret: runtime.configuration.jwtSecret,
            lifetimeMinutes: Int64(try environment.integer("SALES_STORE_SALES_CLERK_CODE_MINUTES", in: 1...1_440, default: 10)))
        let sweeper = StoreSweeper(
            database: database, notifier: notifications.notifier, calendars: calendars,
            feedbackMinutes: try environment.integer("SALES_STORE_SALES_FEEDBACK_MINUTES", in: 1...1_440, default: 15),
            couponNudgeDays: try environment.integer("SALES_STORE_SALES_COUPON_NUDGE_DAYS", in: 1...90, default: 3))
        let sweepSeconds = try environment.integer("SALES_STORE_SALES_SWEEP_SECONDS", in: 1...86_400, default: 60)
        // The chain's "store-feedback" rules (what a clerk owes after a served purchase), kept by the kit's RuleSetService.
        let ruleSets = RuleSetStore(database: database)
        let mappingTables = MappingTableStore(database: database) { OperatorRegistry.domain(mappings: $0, calendar: calendars.fallback) }
        let feedback = FeedbackRules(
            activeRules: ActiveRuleSets(store: ruleSets, registry: mappingTables.registry(for:)), standardMinutes: sweeper.feedbackMinutes)
        let receipts = ReceiptStore(database: database)
        let comparing = StoreComparing(
            store: StoreComparisonStore(database: database), calendars: calendars, feedbackMinutes: sweeper.feedbackMinutes)
        return ServiceComponents(
            services: [
                HostedService(
                    Sales_Storesales_V1_StoreService.descriptor,
                    StoreServiceHandler(store: shops, clerks: clerks, comparison: comparing, sweeper: sweeper)),
                HostedService(
                    Sales_Storesales_V1_MemberService.descriptor,
                    MemberServiceHandler(
                        members: MemberStore(database: database), clerks: clerks, shops: shops, signer: signer, hasher: hasher,
                        calendars: calendars, suggester: Suggester(store: SuggestionStore(database: database)))),
                HostedService(
                    Sales_Storesales_V1_ReceiptService.descriptor,
                    ReceiptServiceHandler(
                        receipts: receipts, products: ProductStore(database: database), shops: shops, clerks: clerks,
                        hasher: hasher, calendars: calendars,
                        referrer: StoreLeadReferrer(leads: runtime.peers[.leads].map { .init(wrapping: $0.grpc) }, tokens: runtime.tokens),
                        feedback: feedback)),
                HostedService(
                    Sales_Common_V1_RuleSetService.descriptor,
                    RuleSetServiceHandler(
                        store: ruleSets, domain: StoreRuleDomain(receipts: receipts, mappingTables: mappingTables, calendars: calendars))),
                HostedService(
                    Sales_Storesales_V1_CouponService.descriptor, CouponServiceHandler(coupons: CouponStore(database: database), access: access)),
                HostedService(
                    Sales_Storesales_V1_StoreOperationsService.descriptor,
                    OperationsServiceHandler(
                        uploads: UploadStore(database: database), promotions: PromotionStore(database: database),
                        launches: LaunchStore(database: database), topics: ComplaintTopicStore(database: database),
                        products: ProductStore(database: database), board: OperationsBoardStore(database: database), access: access,
                        blobs: LocalFolderBlobStore(root: try environment.attachmentsFolder(logger: runtime.logger)),
                        notifier: notifications.notifier, calendars: calendars)),
                notifications.api,
            ],
            background: [
                PeriodicJob("store-nudges", schedule: .every(.seconds(sweepSeconds)), health: runtime.health, logger: runtime.logger) {
                    let (reminders, nudges) = try await sweeper.sweep(tenant: nil)
                    if reminders + nudges > 0 {
                        runtime.logger.info("stores swept", metadata: ["feedback_reminders": "\(reminders)", "coupon_nudges": "\(nudges)"])
                    }
                    return .idle
                },
                notifications.worker(),
            ])
    }
}
