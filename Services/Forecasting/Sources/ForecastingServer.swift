import AsyncHTTPClient
import Foundation
import Logging
import RulesEngine
import SalesModel
import SalesNotifications
import SalesProto
import ServiceKit

/// Assembles the forecasting service: its API, the consumers of the opportunities feed, the
/// scheduled retraining and the reading of the tenants' external signal sources.
public enum ForecastingServer {
    public static let peers: [ServiceName] = [.opportunities]
    /// Asked when reachable, never waited for: each tenant's time zone, for its months and quarters.
    public static let optionalPeers: [ServiceName] = [.gateway]
    public static let migrations = Notifications.migrations + ForecastingMigrations.all

    /// `environment` holds the service's settings (the retraining clock, the days from a win to
    /// its cash); tests pass their own.
    public static func components(_ runtime: ServiceRuntime, environment: Environment = Environment()) throws -> ServiceComponents {
        let parts = try Parts(runtime, environment: environment)
        let tracking = runtime.consumer(
            "forecasting.pipeline", of: Sales_Opportunities_V1_OpportunityCreated.self, from: .opportunities
        ) { created, event, connection in
            try await parts.store.track(created.opportunity, tenant: event.tenantID, on: connection, logger: runtime.logger)
        }
        let recorder = FeedRecorder(history: parts.history, signals: parts.sources, logger: runtime.logger)
        let cash = CashRecorder(cash: parts.handler.cash, logger: runtime.logger)
        let feed = EventConsumer(
            name: "forecasting.history", source: runtime.peer(.opportunities), database: runtime.database,
            eventTypes: FeedRecorder.eventTypes + CashRecorder.eventTypes, serviceToken: runtime.serviceToken, startsAfter: runtime.health
        ) { (events: [Sales_Common_V1_EventEnvelope], connection) in
            // The two keep tables of their own, so neither's order depends on the other's.
            for event in events { try await recorder.apply(event, on: connection) }
            try await cash.apply(events, on: connection)
        }
        let retrainHours = try environment.integer("SALES_FORECASTING_RETRAIN_HOURS", in: 1...720, default: 24)
        let retraining = PeriodicJob(
            "forecast-retraining", schedule: .every(.seconds(retrainHours * 3_600)), health: runtime.health, logger: runtime.logger
        ) {
            for tenant in try await parts.history.tenants() {
                do {
                    try await parts.handler.retrain(tenant)
                } catch let error as ServiceError {
                    // Too little history yet: the tenant's scores answer the same reason.
                    runtime.logger.debug("not retrained", metadata: ["tenant": "\(tenant)", "reason": "\(error.rpcErrorMessage)"])
                }
            }
            return .idle
        }
        let pollSeconds = try environment.integer("SALES_FORECASTING_SIGNAL_POLL_SECONDS", in: 10...86_400, default: 300)
        let signalSources = PeriodicJob(
            "signal-sources", schedule: .every(.seconds(pollSeconds)), health: runtime.health, logger: runtime.logger
        ) {
            for (tenant, name) in try await parts.sources.due() {
                do {
                    _ = try await parts.poller.poll(name, tenant: tenant)
                } catch let error as ServiceError {
                    // Kept on the source as its last error, for ListSignalSources.
                    runtime.logger.warning(
                        "signal source not read", metadata: ["tenant": "\(tenant)", "source": "\(name)", "reason": "\(error.rpcErrorMessage)"])
                }
            }
            return .idle
        }
        return ServiceComponents(
            services: parts.api, background: [tracking, feed, retraining, signalSources, parts.notifications.worker()])
    }

    /// The API alone, without the feed's consumers and schedules: what service tests host.
    public static func api(_ runtime: ServiceRuntime, environment: Environment = Environment()) throws -> ServiceComponents {
        ServiceComponents(services: try Parts(runtime, environment: environment).api)
    }

    private struct Parts {
        let store: ForecastStore
        let history: HistoryStore
        let handler: ForecastServiceHandler
        let notifications: Notifications
        let sources: SignalSourceStore
        let poller: SignalPoller
        let watch: SignalWatchServiceHandler

        init(_ runtime: ServiceRuntime, environment: Environment) throws {
            let database = runtime.database
            store = ForecastStore(database: database)
            history = HistoryStore(database: database)
            handler = ForecastServiceHandler(
                store: store, signals: SignalCatalog(database: database), history: history, cash: CashStore(database: database),
                models: ModelStore(database: database), records: MonthRecordStore(database: database),
                disputes: DisputeStore(database: database, history: history),
                calendars: TenantCalendars(runtime: runtime, fallback: try environment.workCalendar()),
                cashDelayDays: try environment.integer("SALES_FORECASTING_CASH_DELAY_DAYS", in: 0...365, default: 45),
                lossWatchRatio: Double(try environment.integer("SALES_FORECASTING_LOSS_WATCH_PERCENT", in: 100...1_000, default: 150)) / 100)
            notifications = try Notifications(runtime: runtime)
            sources = SignalSourceStore(
                database: database, sealing: SealedText(secret: runtime.configuration.jwtSecret, label: "sales.signal-sources.v1"))
            let watchStore = CompetitorWatchStore(database: database)
            let advisor = PlaybookAdvisor(
                playbook: runtime.peers[.opportunities].map { .init(wrapping: $0.grpc) }, tokens: runtime.tokens, logger: runtime.logger)
            poller = SignalPoller(
                sources: sources, watch: watchStore, advisor: advisor, history: history, catalog: handler.signals,
                notifier: notifications.notifier, dropFolder: try environment.signalDropFolder(logger: runtime.logger), http: .shared,
                logger: runtime.logger)
            watch = SignalWatchServiceHandler(sources: sources, watch: watchStore, poller: poller)
        }

        var api: [HostedService] {
            [
                HostedService(Sales_Forecasting_V1_ForecastService.descriptor, handler),
                HostedService(Sales_Forecasting_V1_SignalWatchService.descriptor, watch),
                notifications.api,
            ]
        }
    }
}
