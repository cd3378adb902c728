import Foundation
import GRPCCore
import PostgresNIO
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// Stage moves: every one through the gate of the stage it enters, in the deal's row lock, with
/// its history and its event in the same transaction.
extension OpportunityServiceHandler {
    func advanceStage(
        request: Sales_Opportunities_V1_AdvanceStageRequest, context: ServerContext
    ) async throws -> Sales_Opportunities_V1_AdvanceStageResponse {
        let move = try StageMove(request)
        let caller = try Self.caller(for: move)
        return try await Idempotency.run("AdvanceStage", request: request, database: store.database) { connection in
            try await mover.apply(move, by: caller, on: connection)
        }
    }

    /// A bulk update: every move through the same gate, in the request's order, in one
    /// transaction; a refused move is undone (its savepoint) and reported, and the others go on.
    func advanceStages(
        request: Sales_Opportunities_V1_AdvanceStagesRequest, context: ServerContext
    ) async throws -> Sales_Opportunities_V1_AdvanceStagesResponse {
        let caller = try RequestContext.caller()
        guard (1...Self.mostMovesAtOnce).contains(request.moves.count) else {
            throw ServiceError.invalidArgument(field: "moves", rule: "give 1 to \(Self.mostMovesAtOnce) moves, not \(request.moves.count)")
        }
        return try await Idempotency.run("AdvanceStages", request: request, database: store.database) { connection in
            // Moves apply in the request's order (a deal's moves follow one another), but its deals
            // are locked first in id order, as every other bulk update locks them.
            try await store.lockInOrder(request.moves.compactMap { UUID(uuidString: $0.opportunityID) }, tenant: caller.tenant, on: connection)
            var response = Sales_Opportunities_V1_AdvanceStagesResponse()
            for (index, item) in request.moves.enumerated() {
                var outcome = Sales_Opportunities_V1_AdvanceStageOutcome.with {
                    $0.index = Int32(index)
                    $0.opportunityID = item.opportunityID
                }
                do {
                    let move = try StageMove(item)
                    let mover = try Self.caller(for: move)
                    outcome.moved = try await store.database.savepoint(on: connection) { try await self.mover.apply(move, by: mover, on: connection) }
                    response.moved += 1
                } catch let error as ServiceError {
                    outcome.refused = .with {
                        $0.code = error.statusName
                        // A field is named by its place in the request: moves[3].feedback.
                        if case .invalidArgument(let field, let rule) = error {
                            $0.message = ServiceError.invalidArgument(field: "moves[\(index)].\(field)", rule: rule).rpcErrorMessage
                        } else {
                            $0.message = error.rpcErrorMessage
                        }
                    }
                    response.refused += 1
                }
                response.outcomes.append(outcome)
            }
            return response
        }
    }

    static let mostMovesAtOnce = 500

    var mover: DealMover {
        DealMover(store: store, pipelines: pipelines, changes: changes, activities: activities, contributions: contributions)
    }

    /// The caller, who must be an admin to override a gate.
    private static func caller(for move: StageMove) throws -> Caller {
        try move.overrideReason.isEmpty
            ? RequestContext.caller() : RequestContext.caller(allowedTo: .administer, "overriding a stage gate")
    }

    func listStageHistory(
        request: Sales_Opportunities_V1_ListStageHistoryRequest, context: ServerContext
    ) async throws -> Sales_Opportunities_V1_ListStageHistoryResponse {
        let caller = try RequestContext.caller()
        let id = try Require.uuid(request.opportunityID, field: "opportunity_id")
        _ = try await store.visible(id, for: caller)
        let history = try await changes.history(of: id, tenant: caller.tenant)
        return .with { $0.changes = history }
    }

    func listStageOverrides(
        request: Sales_Opportunities_V1_ListStageOverridesRequest, context: ServerContext
    ) async throws -> Sales_Opportunities_V1_ListStageOverridesResponse {
        let caller = try RequestContext.caller(allowedTo: .administer, "reading the stage overrides")
        let page = try Page(request.page)
        let (rows, next) = page.finish(try await changes.overrides(tenant: caller.tenant, page: page), seq: \.seq)
        return .with {
            $0.changes = rows.map(\.change)
            $0.page = next
        }
    }
}
