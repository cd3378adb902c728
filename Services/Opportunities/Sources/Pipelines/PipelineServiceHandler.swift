import GRPCCore
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// sales.opportunities.v1.PipelineService: admins save pipelines; everyone in the tenant reads them.
struct PipelineServiceHandler: Sales_Opportunities_V1_PipelineService.SimpleServiceProtocol {
    let store: PipelineStore
    let signals: SignalCatalogStore

    func savePipeline(
        request: Sales_Opportunities_V1_SavePipelineRequest, context: ServerContext
    ) async throws -> Sales_Opportunities_V1_Pipeline {
        let caller = try RequestContext.caller(allowedTo: .administer, "saving a pipeline")
        guard request.hasPipeline else { throw ServiceError.invalidArgument(field: "pipeline", rule: "is required") }
        // Checked before the transaction, so a bad pipeline costs no lock.
        _ = try PipelineDefinition(request.pipeline, version: 1)
        return try await Idempotency.run("SavePipeline", request: request, database: store.database) { connection in
            try await store.save(request.pipeline, by: caller, on: connection)
        }
    }

    func getPipeline(
        request: Sales_Opportunities_V1_GetPipelineRequest, context: ServerContext
    ) async throws -> Sales_Opportunities_V1_Pipeline {
        let caller = try RequestContext.caller()
        guard request.version >= 0 else { throw ServiceError.invalidArgument(field: "version", rule: "must be 0 (the latest) or a version") }
        let name = try Require.text(request.name, field: "name", maxLength: 40)
        guard let pipeline = try await store.pipeline(name, version: request.version, tenant: caller.tenant) else {
            throw ServiceError.notFound(kind: "pipeline", id: request.version == 0 ? name : "\(name) v\(request.version)")
        }
        return pipeline.message
    }

    func listPipelines(
        request: Sales_Opportunities_V1_ListPipelinesRequest, context: ServerContext
    ) async throws -> Sales_Opportunities_V1_ListPipelinesResponse {
        let caller = try RequestContext.caller()
        let pipelines = try await store.latest(tenant: caller.tenant)
        return .with { $0.pipelines = pipelines }
    }

    func defineSignal(
        request: Sales_Opportunities_V1_DefineSignalRequest, context: ServerContext
    ) async throws -> Sales_Opportunities_V1_SignalType {
        let caller = try RequestContext.caller(allowedTo: .administer, "defining a signal")
        var signal = request.signal
        guard Identifier.isSignalKey(signal.key) else {
            throw ServiceError.invalidArgument(field: "signal.key", rule: "must be 2 to 40 lowercase letters, digits and '_', starting with a letter")
        }
        guard !ActivityKinds.builtInSignals.contains(where: { $0.key == signal.key }) else {
            throw ServiceError.invalidArgument(field: "signal.key", rule: "\(signal.key) is built in; choose another key")
        }
        signal.label = try Require.text(signal.label, field: "signal.label", maxLength: 40)
        signal.description_p = try Require.optionalText(signal.description_p, field: "signal.description", maxLength: 200)
        let checked = signal
        return try await Idempotency.run("DefineSignal", request: request, database: store.database) { connection in
            try await signals.define(checked, by: caller, on: connection)
        }
    }

    func listSignals(
        request: Sales_Opportunities_V1_ListSignalsRequest, context: ServerContext
    ) async throws -> Sales_Opportunities_V1_ListSignalsResponse {
        let caller = try RequestContext.caller()
        let catalog = try await signals.catalog(tenant: caller.tenant)
        return .with { $0.signals = catalog }
    }
}
