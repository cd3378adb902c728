import GRPCCore
import SalesProto
import ServiceKit
import SwiftProtobuf

/// sales.incentives.v1.IncentiveService.
struct IncentiveServiceHandler: Sales_Incentives_V1_IncentiveService.SimpleServiceProtocol {
    let store: PipelineCreditStore

    func listPipelineCredits(
        request: Sales_Incentives_V1_ListPipelineCreditsRequest, context: ServerContext
    ) async throws -> Sales_Incentives_V1_ListPipelineCreditsResponse {
        let caller = try RequestContext.caller()
        let page = try Page(request.page)
        let opportunityID = request.opportunityID.isEmpty ? nil : try Require.uuid(request.opportunityID, field: "opportunity_id")
        let (rows, next) = page.finish(try await store.list(for: caller, opportunityID: opportunityID, page: page), seq: \.seq)
        return .with {
            $0.credits = rows.map(\.credit)
            $0.page = next
        }
    }

    func getOverview(
        request: Sales_Incentives_V1_GetOverviewRequest, context: ServerContext
    ) async throws -> Sales_Incentives_V1_IncentivesOverview {
        try await store.overview(for: try RequestContext.caller())
    }
}
