import Foundation
import GRPCCore
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// sales.forecasting.v1.ForecastService.
struct ForecastServiceHandler: Sales_Forecasting_V1_ForecastService.SimpleServiceProtocol {
    static let mostDealsAtOnce = 500

    let store: ForecastStore
    let signals: SignalCatalog
    let history: HistoryStore
    /// Signed contracts' instalments and payments, for the cash forecast.
    let cash: CashStore
    let models: ModelStore
    /// The month forecasts as made or replayed, for the ranges' dispersion.
    let records: MonthRecordStore
    let disputes: DisputeStore
    let calendars: TenantCalendars
    /// Days from a win to its cash, for wins without a signed contract and for expected wins.
    let cashDelayDays: Int
    /// How many times a team's usual loss rate flags it in the loss watch.
    let lossWatchRatio: Double

    func listTrackedOpportunities(
        request: Sales_Forecasting_V1_ListTrackedOpportunitiesRequest, context: ServerContext
    ) async throws -> Sales_Forecasting_V1_ListTrackedOpportunitiesResponse {
        let caller = try RequestContext.caller()
        let page = try Page(request.page)
        let opportunityID = request.opportunityID.isEmpty ? nil : try Require.uuid(request.opportunityID, field: "opportunity_id")
        let (rows, next) = page.finish(try await store.list(for: caller, opportunityID: opportunityID, page: page), seq: \.seq)
        return .with {
            $0.opportunities = rows.map(\.tracked)
            $0.page = next
        }
    }

    func getOverview(
        request: Sales_Forecasting_V1_GetOverviewRequest, context: ServerContext
    ) async throws -> Sales_Forecasting_V1_ForecastOverview {
        try await store.overview(for: try RequestContext.caller())
    }

    func listSignals(
        request: Sales_Forecasting_V1_ListForecastSignalsRequest, context: ServerContext
    ) async throws -> Sales_Forecasting_V1_ListForecastSignalsResponse {
        let list = try await signals.list(tenant: try RequestContext.caller().tenant)
        return .with { $0.signals = list }
    }

    func defineSignal(
        request: Sales_Forecasting_V1_DefineForecastSignalRequest, context: ServerContext
    ) async throws -> Sales_Forecasting_V1_ForecastSignal {
        let caller = try RequestContext.caller(allowedTo: .administer, "defining a signal")
        try TextCheck.validate(request)
        return try await signals.define(request.signal, by: caller)
    }

    func importHistory(
        request: Sales_Forecasting_V1_ImportHistoryRequest, context: ServerContext
    ) async throws -> Sales_Forecasting_V1_ImportHistoryResponse {
        let caller = try RequestContext.caller(allowedTo: .administer, "importing deal history")
        let batch = try HistoryBatch(request, catalog: try await signals.lookup(tenant: caller.tenant), now: Date())
        let logger = RequestContext.logger
        let written = try await Idempotency.run("ImportHistory", request: request, database: history.database) { connection in
            try await batch.write(to: history, tenant: caller.tenant, on: connection, logger: logger)
        }
        return batch.answer(written)
    }

    func streamHistory(
        request: RPCAsyncSequence<Sales_Forecasting_V1_ImportHistoryRequest, any Error>,
        response: RPCWriter<Sales_Forecasting_V1_ImportHistoryResponse>, context: ServerContext
    ) async throws {
        let caller = try RequestContext.caller(allowedTo: .administer, "importing deal history")
        let catalog = try await signals.lookup(tenant: caller.tenant)
        let logger = RequestContext.logger
        // Each batch in its own transaction, answered once committed: a put is keyed by the deal's
        // id, so a batch sent again after a cut answers unchanged instead of writing twice.
        for try await request in request {
            let batch = try HistoryBatch(request, catalog: catalog, now: Date())
            let written = try await history.database.transaction { connection in
                try await batch.write(to: history, tenant: caller.tenant, on: connection, logger: logger)
            }
            try await response.write(batch.answer(written))
        }
    }
}

/// Deals are checked one by one (`HistoryBatch`): one deal's bad text refuses that deal alone.
extension Sales_Forecasting_V1_ImportHistoryRequest: TextCheckedByItem {}
