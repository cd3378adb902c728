import Foundation
import GRPCCore
import PostgresNIO
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// Deals from another system: created at their own start, their stage changes kept as history at
/// their own times, each change through the gate of the stage it enters (the path and the
/// requirements, as AdvanceStage judges them). A change that misses its gate is refused, naming
/// each missing requirement, unless the import carries an override reason, which is then kept on
/// that change and listed in the overrides audit.
extension OpportunityServiceHandler {
    func importOpportunity(
        request: Sales_Opportunities_V1_ImportOpportunityRequest, context: ServerContext
    ) async throws -> Sales_Opportunities_V1_ImportOpportunityResponse {
        let caller = try RequestContext.caller(allowedTo: .administer, "importing opportunities")
        return try await Idempotency.run("ImportOpportunity", request: request, database: store.database) { connection in
            try await importOne(request, caller: caller, on: connection)
        }
    }

    func importOpportunities(
        request: Sales_Opportunities_V1_ImportOpportunitiesRequest, context: ServerContext
    ) async throws -> Sales_Opportunities_V1_ImportOpportunitiesResponse {
        let caller = try RequestContext.caller(allowedTo: .administer, "importing opportunities")
        guard request.rows.count <= 500 else {
            throw ServiceError.invalidArgument(field: "rows", rule: "at most 500 rows per call; got \(request.rows.count)")
        }
        var results: [Sales_Opportunities_V1_ImportRowResult] = []
        for row in request.rows {
            do {
                // Each row in its own transaction: one refused row leaves the others in.
                let imported = try await store.database.transaction { connection in try await importOne(row, caller: caller, on: connection) }
                results.append(
                    .with {
                        $0.opportunityID = imported.opportunity.id
                        $0.alreadyImported = imported.alreadyImported
                    })
            } catch let error as ServiceError {
                results.append(
                    .with {
                        $0.errorCode = "\(error.rpcErrorCode)"
                        $0.errorMessage = error.rpcErrorMessage
                    })
            }
        }
        return .with { $0.results = results }
    }

    private func importOne(
        _ request: Sales_Opportunities_V1_ImportOpportunityRequest, caller: Caller, on connection: PostgresConnection
    ) async throws -> Sales_Opportunities_V1_ImportOpportunityResponse {
        let imported = try ImportedDeal(request, caller: caller)
        let logger = RequestContext.logger
        if let existing = try await imports.deal(importedAs: imported.externalID, tenant: caller.tenant, on: connection),
            let deal = try await store.row(existing, tenant: caller.tenant, on: connection)
        {
            return .with {
                $0.opportunity = deal.message
                $0.alreadyImported = true
            }
        }
        let pipeline = try await pipelineForNew(imported.deal.pipeline, tenant: caller.tenant, field: "opportunity.pipeline", on: connection)
        var deal = try await store.insert(
            imported.deal, id: imported.id, pipeline: pipeline, tenant: caller.tenant, createdAt: imported.createdAt, on: connection,
            logger: logger)
        try Self.checkStart(of: deal, in: pipeline, overrideReason: imported.overrideReason)
        var history: [Sales_Opportunities_V1_StageChange] = []
        var previousFeedback: String?
        for (index, step) in imported.history.enumerated() {
            guard let target = pipeline.stage(step.move.toStage) else {
                throw ServiceError.invalidArgument(
                    field: "history[\(index)].to_stage",
                    rule: "\(quoted: step.move.toStage) is not a stage of \(pipeline.name) v\(pipeline.version): "
                        + pipeline.stages.map(\.key).joined(separator: ", "))
            }
            guard target.key != deal.stageKey else {
                throw ServiceError.invalidArgument(field: "history[\(index)].to_stage", rule: "the deal is in \(target.key) already")
            }
            // The same gate AdvanceStage applies; an imported deal has no activities yet, and its previous
            // feedback is the step before's, so nothing needs reading back.
            let missing = StageGate.unmet(
                step.move, deal: deal, pipeline: pipeline, target: target, previousFeedback: previousFeedback, activities: [], at: step.at)
            if !step.move.feedback.isEmpty { previousFeedback = step.move.feedback }
            if !missing.isEmpty, imported.overrideReason.isEmpty {
                throw ServiceError.failedPrecondition(
                    "history[\(index)]: entering \(target.key) needs: " + missing.joined(separator: "; ")
                        + " (or import with an override reason, recorded on each change it lets through)")
            }
            let overrideReason = missing.isEmpty ? "" : imported.overrideReason
            let moved = try await store.move(
                deal, to: target, of: pipeline, overrideReason: overrideReason, at: step.at, on: connection, logger: logger)
            let move = StageMove(importing: step.move, overrideReason: overrideReason)
            history.append(
                try await changes.append(
                    move, deal: deal, to: moved, by: caller, changedBy: step.changedBy, at: step.at, on: connection, logger: logger))
            deal = moved
        }
        try await imports.record(imported.externalID, deal: deal.id, source: imported.source, by: caller, on: connection, logger: logger)
        if deal.stage != .won, deal.stage != .lost {
            // A deal still open joins the live pipeline as a new one would (incentives' credit, the
            // forecast); closed history goes only with OpportunityImported.
            try await Outbox.append(
                Sales_Opportunities_V1_OpportunityCreated.with { $0.opportunity = deal.message },
                tenant: caller.tenant, aggregateType: "opportunity", aggregateID: deal.id.apiString, on: connection, logger: logger)
        }
        try await Outbox.append(
            Sales_Opportunities_V1_OpportunityImported.with {
                $0.opportunity = deal.message
                $0.history = history
                $0.externalID = imported.externalID
            },
            tenant: caller.tenant, aggregateType: "opportunity", aggregateID: deal.id.apiString, on: connection, logger: logger)
        return .with {
            $0.opportunity = deal.message
            $0.history = history
        }
    }
}
