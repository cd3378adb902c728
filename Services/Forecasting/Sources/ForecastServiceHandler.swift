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
        try ImportRows.checkCount(request.deals.count, most: Self.mostDealsAtOnce, field: "deals")
        let catalog = try await signals.lookup(tenant: caller.tenant)
        let now = Date()
        let (outcomes, deals) = try ImportRows.check(request.deals, line: \.line) { deal in
            try CheckedHistoryDeal(deal, signals: catalog, now: now)
        }
        let logger = RequestContext.logger
        let written = try await Idempotency.run("ImportHistory", request: request, database: history.database) { connection in
            var response = Sales_Forecasting_V1_ImportHistoryResponse()
            for (index, deal) in deals {
                let result = try await history.put(deal, origin: "import", tenant: caller.tenant, on: connection, logger: logger)
                response.deals.append(
                    .with {
                        $0.line = Int32(index)
                        $0.id = deal.deal.externalID
                        $0.result = result.rawValue
                    })
            }
            return response
        }
        return .with { $0.deals = ImportRows.merge(written.deals, into: outcomes) }
    }
}

/// Deals are checked one by one in `importHistory`: one deal's bad text refuses that deal alone.
extension Sales_Forecasting_V1_ImportHistoryRequest: TextCheckedByItem {}
