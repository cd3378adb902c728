import Foundation
import GRPCCore
import PostgresNIO
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// sales.opportunities.v1.OpportunityService.
struct OpportunityServiceHandler: Sales_Opportunities_V1_OpportunityService.SimpleServiceProtocol {
    let store: OpportunityStore
    let pipelines: PipelineStore
    let changes: StageChangeStore
    let activities: ActivityStore
    let sweeper: StaleDealSweeper
    let contacts: ContactStore
    let contributions: ContributionLedger
    let imports: OpportunityImportStore
    let playbook: Playbook
    let attachmentRecords: AttachmentStore
    let blobs: any BlobStore
    let signals: SignalCatalogStore

    func createOpportunity(
        request: Sales_Opportunities_V1_CreateOpportunityRequest, context: ServerContext
    ) async throws -> Sales_Opportunities_V1_Opportunity {
        let caller = try RequestContext.caller()
        let new = try NewOpportunity(request, caller: caller)
        let logger = RequestContext.logger
        return try await Idempotency.run("CreateOpportunity", request: request, database: store.database) { connection in
            let pipeline = try await pipelineForNew(new.pipeline, tenant: caller.tenant, field: "pipeline", on: connection)
            let stored = try await store.insert(new, pipeline: pipeline, tenant: caller.tenant, on: connection, logger: logger)
            try Self.checkStart(of: stored, in: pipeline, overrideReason: "")
            try await Outbox.append(
                Sales_Opportunities_V1_OpportunityCreated.with { $0.opportunity = stored.message },
                tenant: caller.tenant, aggregateType: "opportunity", aggregateID: stored.id.apiString,
                on: connection, logger: logger)
            return stored.message
        }
    }

    /// A new deal meets its first stage's requirements (on every path that creates one: the API, a
    /// lead's conversion, an import), unless an import overrides them; refused naming each, and the
    /// transaction with the insert rolls back.
    static func checkStart(of deal: Opportunity, in pipeline: PipelineDefinition, overrideReason: String) throws {
        let missing = StageGate.unmetRequirements(of: pipeline.first, record: StageGate.record(of: deal, activities: [], now: Date()))
        guard missing.isEmpty || !overrideReason.isEmpty else {
            throw ServiceError.failedPrecondition("starting in \(pipeline.first.key) needs: " + missing.joined(separator: "; "))
        }
    }

    /// The pipeline a new deal starts in: the named one, or the tenant's default for an empty name.
    func pipelineForNew(_ name: String, tenant: TenantID, field: String, on connection: PostgresConnection) async throws
        -> PipelineDefinition
    {
        if name.isEmpty { return try await pipelines.defaultPipeline(tenant: tenant, on: connection) }
        guard let named = try await pipelines.pipeline(name, tenant: tenant, on: connection) else {
            throw ServiceError.invalidArgument(field: field, rule: "\(quoted: name) is not one of the tenant's pipelines")
        }
        return named
    }

    func getOpportunity(
        request: Sales_Opportunities_V1_GetOpportunityRequest, context: ServerContext
    ) async throws -> Sales_Opportunities_V1_Opportunity {
        let caller = try RequestContext.caller()
        let id = try Require.uuid(request.id, field: "id")
        return try await store.visible(id, for: caller).message
    }

    func listOpportunities(
        request: Sales_Opportunities_V1_ListOpportunitiesRequest, context: ServerContext
    ) async throws -> Sales_Opportunities_V1_ListOpportunitiesResponse {
        let caller = try RequestContext.caller()
        let page = try Page(request.page)
        if case .UNRECOGNIZED(let raw) = request.stage {
            throw ServiceError.invalidArgument(field: "stage", rule: "\(raw) is not a pipeline stage")
        }
        let leadID = request.leadID.isEmpty ? nil : try Require.uuid(request.leadID, field: "lead_id")
        let (rows, next) = page.finish(
            try await store.list(for: caller, stage: request.stage, leadID: leadID, staleOnly: request.staleOnly, page: page), seq: \.seq)
        return .with {
            $0.opportunities = rows.map(\.message)
            $0.page = next
        }
    }

    func getOverview(
        request: Sales_Opportunities_V1_GetOverviewRequest, context: ServerContext
    ) async throws -> Sales_Opportunities_V1_OpportunitiesOverview {
        try await store.overview(for: try RequestContext.caller())
    }
}
