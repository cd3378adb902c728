import Foundation
import Logging
import RulesEngine
import SalesModel
import SalesNotifications
import SalesProto
import ServiceKit
import ServiceLifecycle

/// Assembles the opportunities service from a runtime.
public enum OpportunitiesServer {
    public static let peers: [ServiceName] = []
    /// Called when reachable, never waited for: each tenant's work calendar for the stale-deal clocks.
    public static let optionalPeers: [ServiceName] = [.gateway]
    public static let migrations = Notifications.migrations + OpportunitiesMigrations.all

    /// `environment` holds the plugins' settings (the credit bureau); tests pass their own.
    public static func components(_ runtime: ServiceRuntime, environment: Environment = Environment()) throws -> ServiceComponents {
        let database = runtime.database
        let store = OpportunityStore(database: database)
        let pipelines = PipelineStore(database: database)
        let notifications = try Notifications(runtime: runtime)
        let calendars = TenantCalendars(runtime: runtime, fallback: try environment.workCalendar())
        let sweeper = StaleDealSweeper(store: store, pipelines: pipelines, notifier: notifications.notifier, calendars: calendars)
        let sweepSeconds = try environment.integer("SALES_OPPORTUNITIES_SWEEP_SECONDS", in: 1...86_400, default: 300)
        let activities = ActivityStore(database: database)
        let quotes = QuoteStore(database: database)
        let signals = SignalCatalogStore(database: database)
        let playbook = Playbook(store: PlaybookStore(database: database))
        let contributions = ContributionLedger(
            store: ContributionStore(database: database), activities: activities, notifier: notifications.notifier)
        let handler = OpportunityServiceHandler(
            store: store, pipelines: pipelines, changes: StageChangeStore(database: database),
            activities: activities, sweeper: sweeper, contacts: ContactStore(database: database), contributions: contributions,
            imports: OpportunityImportStore(database: database), playbook: playbook, attachmentRecords: AttachmentStore(database: database),
            blobs: LocalFolderBlobStore(root: try environment.attachmentsFolder(logger: runtime.logger)), signals: signals)
        let contracts = ContractStore(database: database)
        let receivables = ReceivableStore(database: database)
        let collections = CollectionSweeper(
            tasks: CollectionTaskStore(database: database), notifier: notifications.notifier, calendars: calendars)
        let erp = try ErpLinks.fromEnvironment(environment, logger: runtime.logger).map {
            ErpSync(erp: $0, contracts: contracts, links: ErpLinkStore(database: database), receivables: receivables, calendars: calendars)
        }
        let erpSeconds = try environment.integer("SALES_OPPORTUNITIES_ERP_SECONDS", in: 1...86_400, default: 300)
        // The tenant's "customer-health" formula, kept by the kit's RuleSetService.
        let ruleSets = RuleSetStore(database: database)
        let mappingTables = MappingTableStore(database: database) { OperatorRegistry.domain(mappings: $0, calendar: calendars.fallback) }
        let health = HealthStore(database: database)
        let scorer = HealthScorer(
            store: health, activeRules: ActiveRuleSets(store: ruleSets, registry: mappingTables.registry(for:)), calendars: calendars)
        let erpJobs: [any Service] =
            erp.map { erp in
                [
                    PeriodicJob("erp-link", schedule: .every(.seconds(erpSeconds)), health: runtime.health, logger: runtime.logger) {
                        let (placed, recorded) = try await erp.syncAll()
                        if placed + recorded > 0 {
                            runtime.logger.info("ERP synced", metadata: ["orders_placed": "\(placed)", "payments_recorded": "\(recorded)"])
                        }
                        return .idle
                    }
                ]
            } ?? []
        return ServiceComponents(
            services: [
                HostedService(Sales_Opportunities_V1_OpportunityService.descriptor, handler),
                HostedService(Sales_Opportunities_V1_PipelineService.descriptor, PipelineServiceHandler(store: pipelines, signals: signals)),
                HostedService(
                    Sales_Opportunities_V1_ContributionService.descriptor, ContributionServiceHandler(deals: store, ledger: contributions)),
                HostedService(Sales_Opportunities_V1_PlaybookService.descriptor, PlaybookServiceHandler(deals: store, playbook: playbook)),
                HostedService(
                    Sales_Opportunities_V1_QuoteService.descriptor,
                    QuoteServiceHandler(
                        deals: store, quotes: quotes, bureau: try CreditBureaus.fromEnvironment(environment), receivables: receivables,
                        calendars: calendars)),
                HostedService(
                    Sales_Opportunities_V1_ContractService.descriptor,
                    ContractServiceHandler(
                        deals: store, quotes: quotes, contracts: contracts, mover: handler.mover,
                        signer: LocalContractSigner(secret: runtime.configuration.jwtSecret), receivables: receivables, erp: erp)),
                HostedService(
                    Sales_Opportunities_V1_ReceivableService.descriptor,
                    ReceivableServiceHandler(deals: store, contracts: contracts, receivables: receivables, sweeper: collections, erp: erp)),
                HostedService(
                    Sales_Opportunities_V1_CustomerHealthService.descriptor,
                    CustomerHealthServiceHandler(
                        deals: store, touches: TouchStore(database: database), tickets: ServiceTicketStore(database: database), health: health,
                        journeys: JourneyStore(database: database), scorer: scorer, notifier: notifications.notifier)),
                HostedService(
                    Sales_Common_V1_RuleSetService.descriptor,
                    RuleSetServiceHandler(
                        store: ruleSets, domain: HealthRuleDomain(store: health, calendars: calendars, mappingTables: mappingTables))),
                notifications.api,
            ],
            background: [
                PeriodicJob("stale-deals", schedule: .every(.seconds(sweepSeconds)), health: runtime.health, logger: runtime.logger) {
                    let flagged = try await sweeper.sweep(tenant: nil)
                    if flagged > 0 { runtime.logger.info("stale deals flagged", metadata: ["deals": "\(flagged)"]) }
                    let (held, noted) = try await contributions.sweep(tenant: nil, deals: store)
                    if held + noted > 0 {
                        runtime.logger.info("contributions swept", metadata: ["held": "\(held)", "low_parts_noted": "\(noted)"])
                    }
                    let (tasks, escalated) = try await collections.sweep(tenant: nil)
                    if tasks + escalated > 0 {
                        runtime.logger.info("receivables swept", metadata: ["tasks": "\(tasks)", "escalated": "\(escalated)"])
                    }
                    // Deals, activities and payments change scores too: customers not scored for an hour are rescored.
                    for (tenant, customer) in try await health.stale(before: Date().addingTimeInterval(-3_600), limit: 500) {
                        _ = try await scorer.score(customer, tenant: tenant)
                    }
                    return .idle
                },
                notifications.worker(),
            ] + erpJobs)
    }
}
