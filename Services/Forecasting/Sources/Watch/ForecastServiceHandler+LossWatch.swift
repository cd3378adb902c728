import Foundation
import GRPCCore
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// The teams whose losses ran high.
extension ForecastServiceHandler {
    func getLossWatch(request: Sales_Forecasting_V1_GetLossWatchRequest, context: ServerContext) async throws
        -> Sales_Forecasting_V1_GetLossWatchResponse
    {
        let caller = try RequestContext.caller(allowedTo: .overseeTeams, "watching teams' losses")
        let moment = try asOf(request.asOf, isSet: request.hasAsOf)
        let visibility = Visibility(caller)
        let deals = try await history.deals(tenant: caller.tenant, knownAt: moment.date).filter {
            visibility.includes(ownerID: $0.ownerID, orgPath: $0.team)
        }
        let teams = LossWatch(ratio: lossWatchRatio, asOf: moment.date).teams(deals)
        return .with {
            $0.teams = teams
            $0.threshold = lossWatchRatio
        }
    }
}
