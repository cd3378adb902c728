import Foundation
import GRPCCore
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// Why forecasts missed.
extension ForecastServiceHandler {
    func listMisses(request: Sales_Forecasting_V1_ListMissesRequest, context: ServerContext) async throws -> Sales_Forecasting_V1_ListMissesResponse {
        let caller = try RequestContext.caller()
        let dealID = try Require.optionalText(request.dealID, field: "deal_id", maxLength: 64)
        let calendar = await calendar(for: caller.tenant)
        let month = dealID.isEmpty ? try Period.parse(request.month, field: "month", in: calendar) : nil
        if let month, month.kind != .month { throw ServiceError.invalidArgument(field: "month", rule: "must be a month like 2026-09") }
        let forecaster = try await makeForecaster(for: caller.tenant, at: (Date(), false))
        let visibility = Visibility(caller)
        let closed = forecaster.deals.filter { deal in
            guard visibility.includes(ownerID: deal.ownerID, orgPath: deal.team), let at = deal.closedAt else { return false }
            if let month { return at >= month.start && at < month.end }
            return deal.id == dealID
        }
        if !dealID.isEmpty && closed.isEmpty { throw ServiceError.notFound(kind: "closed deal", id: dealID) }
        let finder = MissFinder(forecaster: forecaster)
        let misses = closed.compactMap(finder.miss).sorted { ($0.amount.minorUnits, $1.dealID) > ($1.amount.minorUnits, $0.dealID) }
        return .with {
            $0.misses = misses
            $0.teams = MissFinder.teams(misses)
        }
    }
}
