import Foundation
import PostgresNIO
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// Moves a deal through the gate of the stage it enters, in the deal's row lock, with its history,
/// its event and (at a win) the frozen contribution matrix, in the caller's transaction: for a
/// rep's move, a bulk update and a contract's signing alike.
struct DealMover: Sendable {
    let store: OpportunityStore
    let pipelines: PipelineStore
    let changes: StageChangeStore
    let activities: ActivityStore
    let contributions: ContributionLedger

    /// One move; throws the refusal naming every missing requirement.
    func apply(_ move: StageMove, by caller: Caller, on connection: PostgresConnection) async throws
        -> Sales_Opportunities_V1_AdvanceStageResponse
    {
        let (reads, pipeline) = try await locked(move.opportunityID, for: caller, on: connection)
        return try await apply(move, reads: reads, pipeline: pipeline, by: caller, on: connection)
    }

    /// Moves the deal to its pipeline's won stage (a signed contract), with `keyAction` (empty: the
    /// stage's only one) and `feedback`; nil when the deal is won already.
    func win(
        _ id: UUID, keyAction: String, feedback: String, by caller: Caller, on connection: PostgresConnection
    ) async throws -> Sales_Opportunities_V1_AdvanceStageResponse? {
        let (reads, pipeline) = try await locked(id, for: caller, on: connection)
        if pipeline.stage(reads.deal.stageKey)?.outcome == .won { return nil }
        guard let won = pipeline.stages.first(where: { $0.outcome == .won }) else {
            throw ServiceError.failedPrecondition("the pipeline \(pipeline.name) has no won stage; an admin adds one")
        }
        let move = try StageMove(
            Sales_Opportunities_V1_AdvanceStageRequest.with {
                $0.opportunityID = id.apiString
                $0.toStage = won.key
                $0.keyAction = keyAction.isEmpty && won.keyActions.count == 1 ? won.keyActions[0] : keyAction
                $0.feedback = feedback
            })
        return try await apply(move, reads: reads, pipeline: pipeline, by: caller, on: connection)
    }

    /// The deal locked (NOT_FOUND when the caller does not see it) with the pipeline it follows.
    private func locked(_ id: UUID, for caller: Caller, on connection: PostgresConnection) async throws
        -> (OpportunityStore.MoveReads, PipelineDefinition)
    {
        let reads = try await store.lockedForMove(id, for: caller, pipelines: pipelines, on: connection)
        guard let pipeline = reads.savedPipeline ?? BuiltInPipeline.unsaved(reads.deal.pipeline) else {
            throw ServiceError.failedPrecondition("the deal's pipeline \(reads.deal.pipeline) is gone; an admin saves it again")
        }
        return (reads, pipeline)
    }

    private func apply(
        _ move: StageMove, reads: OpportunityStore.MoveReads, pipeline: PipelineDefinition, by caller: Caller,
        on connection: PostgresConnection
    ) async throws -> Sales_Opportunities_V1_AdvanceStageResponse {
        let logger = RequestContext.logger
        let deal = reads.deal
        if let from = move.fromStage, from != deal.stageKey {
            throw ServiceError.failedPrecondition("the deal is in \(deal.stageKey) now, not \(from): someone moved it; reload it")
        }
        guard move.toStage != deal.stageKey else { throw ServiceError.failedPrecondition("the deal is already in \(deal.stageKey)") }
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
        var missing = StageGate.unmet(
            move, deal: deal, pipeline: pipeline, target: target, previousFeedback: reads.lastFeedback, activities: reads.activities,
            at: Date())
        // A renewal waits while a major complaint of its customer is open (CustomerHealthService).
        if deal.dealType == .renewal, let paused = deal.risks.first(where: { $0.hasPrefix(OpportunityStore.ticketRiskPrefix) }) {
            missing.insert("the customer's major complaint resolved (\(paused.dropFirst(OpportunityStore.ticketRiskPrefix.count)))", at: 0)
        }
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
}
