import GRPCCore
import SalesProto
import ServiceKit
import SwiftProtobuf

/// sales.forecasting.v1.ForecastService.
struct ForecastServiceHandler: Sales_Forecasting_V1_ForecastService.SimpleServiceProtocol {
    let store: ForecastStore

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
}
