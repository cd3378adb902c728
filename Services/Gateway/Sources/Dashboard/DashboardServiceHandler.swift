import GRPCCore
import SalesProto
import ServiceKit

/// sales.gateway.v1.DashboardService.
struct DashboardServiceHandler: Sales_Gateway_V1_DashboardService.SimpleServiceProtocol {
    let aggregator: OverviewAggregator

    func getOverview(request: Sales_Gateway_V1_GetOverviewRequest, context: ServerContext) async throws -> Sales_Gateway_V1_Overview {
        await aggregator.overview(for: try RequestContext.caller())
    }
}
