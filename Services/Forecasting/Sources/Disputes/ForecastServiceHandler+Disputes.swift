import Foundation
import GRPCCore
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// A rep's disputes of their deals' scores.
extension ForecastServiceHandler {
    func disputeScore(request: Sales_Forecasting_V1_DisputeScoreRequest, context: ServerContext) async throws -> Sales_Forecasting_V1_ScoreDispute {
        let caller = try RequestContext.caller()
        try TextCheck.validate(request)
        let dealID = try Require.text(request.dealID, field: "deal_id", maxLength: 64)
        guard DisputeStore.reasons.contains(request.reason) else {
            throw ServiceError.invalidArgument(
                field: "reason", rule: "must be one of \(DisputeStore.reasons.joined(separator: ", ")) (got \(quoted: request.reason))")
        }
        let now = Date()
        let close = try Require.timestamp(request.newExpectedClose, isSet: request.hasNewExpectedClose, field: "new_expected_close")
        guard close > now else { throw ServiceError.invalidArgument(field: "new_expected_close", rule: "must be in the future") }
        let forecaster = try await makeForecaster(for: caller.tenant, at: (now, false))
        // Only the deal's owner disputes its score; anyone else reads it as not found.
        guard let deal = forecaster.deals.first(where: { $0.id == dealID && $0.ownerID == caller.userID }), let state = DealState(deal, at: now)
        else { throw ServiceError.notFound(kind: "open deal of yours", id: dealID) }
        let dispute = Sales_Forecasting_V1_ScoreDispute.with {
            $0.dealID = dealID
            $0.reason = request.reason
            $0.newExpectedClose = request.newExpectedClose
            $0.disputedBy = caller.userID
            $0.disputedAt = Google_Protobuf_Timestamp(date: now)
            $0.disputedWinThisMonth = forecaster.score(state).winThisMonth
        }
        let logger = RequestContext.logger
        return try await Idempotency.run("DisputeScore", request: request, database: history.database) { connection in
            try await disputes.record(dispute, tenant: caller.tenant, on: connection, logger: logger)
            return dispute
        }
    }

    func listDisputeReasons(
        request: Sales_Forecasting_V1_ListDisputeReasonsRequest, context: ServerContext
    ) async throws -> Sales_Forecasting_V1_ListDisputeReasonsResponse {
        _ = try RequestContext.caller()
        return .with { $0.reasons = DisputeStore.reasons }
    }
}
