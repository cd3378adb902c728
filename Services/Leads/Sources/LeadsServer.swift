import Foundation
import LeadIntake
import Logging
import SalesModel
import SalesNotifications
import SalesProto
import ServiceKit

/// Assembles the leads service from a runtime.
public enum LeadsServer {
    public static let peers: [ServiceName] = [.opportunities]
    /// Called when reachable, never waited for: the gateway calls leads, and a start order
    /// cannot have a cycle. Only rule health's count of leads on managers, and the check that
    /// keeps managers off duty rosters, need it.
    public static let optionalPeers: [ServiceName] = [.gateway]
    public static let migrations = Notifications.migrations + LeadsMigrations.all

    /// `adapters` are the intake adapters the executable ships; SALES_LEADS_INTAKE picks the active ones.
    public static func components(_ runtime: ServiceRuntime, adapters: [any IntakeAdapter]) throws -> ServiceComponents {
        let environment = Environment()
        let active = environment.optional("SALES_LEADS_INTAKE")?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let database = runtime.database
        let calendar = try environment.workCalendar()
        // Each tenant's own calendar from the gateway's directory; this one for tenants without.
        let calendars = TenantCalendars(
            directory: .init(wrapping: runtime.peer(.gateway).grpc), tokens: runtime.tokens, service: .leads, fallback: calendar)
        let store = LeadStore(database: database)
        let fields = CustomFieldStore(database: database, recordType: "lead")
        let ruleSets = RuleSetStore(database: database)
        let mappingTables = MappingTableStore(database: database) { LeadRuleDomain.operators($0, calendar: calendar) }
        let ruleDomain = LeadRuleDomain(store: store, fields: fields, mappingTables: mappingTables)
        let activeRules = ActiveRuleSets(store: ruleSets, registry: mappingTables.registry(for:))
        let checkpoints = LeadCheckpoints(activeRules: activeRules, calendars: calendars)
        let pools = PoolStore(database: database)
        let desk = RoutingDeskStore(database: database, calendars: calendars)
        let notifications = try Notifications(runtime: runtime)
        let notifier = notifications.notifier
        let managers = TeamManagers(directory: .init(wrapping: runtime.peer(.gateway).grpc), tokens: runtime.tokens)
        let inspector = RuleInspector(
            store: store, domain: ruleDomain, activeRules: activeRules, checkpoints: checkpoints, desk: desk, managers: managers,
            calendars: calendars)
        let reports = RuleHealthArchive(database: database, inspector: inspector, notifier: notifier)
        let sweeper = PoolSweeper(
            database: database, store: store, pools: pools, notifier: notifier,
            watch: CheckpointWatch(database: database, store: store, fields: fields, checkpoints: checkpoints, notifier: notifier),
            reports: reports, calendars: calendars)
        let sweepSeconds = try environment.integer("SALES_LEADS_SWEEP_SECONDS", in: 1...86_400, default: 60)
        let companyRegistry = try CompanyRegistries.fromEnvironment(environment)
        if let companyRegistry { runtime.logger.info("company registry: \(companyRegistry.source)") }
        let phoneHasher = PhoneHasher(secret: runtime.configuration.jwtSecret)
        let writer = LeadWriter(store: store, desk: desk, notifier: notifier)
        let handler = LeadServiceHandler(
            store: store,
            customers: CustomerStore(database: database),
            chats: ChatArchiveStore(),
            deadLetters: DeadLetterStore(database: database),
            companyRegistry: companyRegistry,
            followUps: FollowUpStore(database: database),
            pools: pools,
            fields: fields,
            phoneHasher: phoneHasher,
            intake: try IntakeAdapters(adapters, active: active),
            activeRules: activeRules,
            checkpoints: checkpoints,
            sweeper: sweeper,
            unmaskAudit: UnmaskAudit(database: database),
            inspector: inspector,
            reports: reports,
            batcher: LeadBatcher(write: writer.writeBatch),
            writer: writer,
            opportunities: .init(wrapping: runtime.peer(.opportunities).grpc))
        let ruleSetService = RuleSetServiceHandler(store: ruleSets, domain: ruleDomain)
        return ServiceComponents(
            services: [
                HostedService(Sales_Leads_V1_LeadService.descriptor, handler),
                HostedService(Sales_Common_V1_RuleSetService.descriptor, ruleSetService),
                HostedService(Sales_Leads_V1_RoutingDeskService.descriptor, RoutingDeskHandler(desk: desk, managers: managers)),
                notifications.api,
            ],
            background: [
                sweeper.job(every: .seconds(sweepSeconds), health: runtime.health),
                notifications.worker(),
            ])
    }
}
