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
            try await apply(move, by: caller, on: connection)
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
                    outcome.moved = try await store.database.savepoint(on: connection) { try await apply(move, by: mover, on: connection) }
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

    /// The caller, who must be an admin to override a gate.
    private static func caller(for move: StageMove) throws -> Caller {
        try move.overrideReason.isEmpty
            ? RequestContext.caller() : RequestContext.caller(allowedTo: .administer, "overriding a stage gate")
    }

    /// One move through the deal's gate, with its history, its events and (at a win) the frozen
    /// contribution matrix; throws the refusal naming every missing requirement.
    private func apply(_ move: StageMove, by caller: Caller, on connection: PostgresConnection) async throws
        -> Sales_Opportunities_V1_AdvanceStageResponse
    {
        let logger = RequestContext.logger
        let reads = try await store.lockedForMove(move.opportunityID, for: caller, pipelines: pipelines, on: connection)
        let deal = reads.deal
        if let from = move.fromStage, from != deal.stageKey {
            throw ServiceError.failedPrecondition("the deal is in \(deal.stageKey) now, not \(from): someone moved it; reload it")
        }
        guard move.toStage != deal.stageKey else { throw ServiceError.failedPrecondition("the deal is already in \(deal.stageKey)") }
        guard let pipeline = reads.savedPipeline ?? BuiltInPipeline.unsaved(deal.pipeline) else {
            throw ServiceError.failedPrecondition("the deal's pipeline \(deal.pipeline) is gone; an admin saves it again")
        }
        guard let target = pipeline.stage(move.toStage) else {
            throw ServiceError.invalidArgument(
                field: "to_stage",
                rule: "\(quoted: move.toStage) is not a stage of \(pipeline.name) v\(pipeline.version): "
                    + pipeline.stages.map(\.key).joined(separator: ", "))
        }
        let unknown = try await activities.unknown(move.evidenceIDs, of: deal.id, tenant: caller.tenant, on: connection)
        if let first = unknown.first, let index = move.evidenceIDs.firstIndex(of: first) {
            throw ServiceError.invalidArgument(field: "evidence_ids[\(index)]", rule: "\(first.apiString) is not an activity of this deal")
        }
        let missing = StageGate.unmet(
            move, deal: deal, pipeline: pipeline, target: target, previousFeedback: reads.lastFeedback, activities: reads.activities,
            at: Date())
        if !missing.isEmpty, move.overrideReason.isEmpty {
            throw ServiceError.failedPrecondition("entering \(target.key) needs: " + missing.joined(separator: "; "))
        }
        let moved = try await store.move(deal, to: target, of: pipeline, overrideReason: move.overrideReason, on: connection, logger: logger)
        let change = try await changes.append(move, deal: deal, to: moved, by: caller, on: connection, logger: logger)
        if moved.stage == .won { try await contributions.dealWon(moved, tenant: caller.tenant, on: connection, logger: logger) }
        try await Outbox.append(
            Sales_Opportunities_V1_OpportunityStageChanged.with {
                $0.opportunity = moved.message
                $0.change = change
            },
            tenant: caller.tenant, aggregateType: "opportunity", aggregateID: deal.id.apiString, on: connection, logger: logger)
        return .with {
            $0.opportunity = moved.message
            $0.change = change
        }
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
