import Foundation
import GRPCCore
import RulesEngine
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// Stages and tenant-defined fields: moving a lead on, filling its fields, defining them.
extension LeadServiceHandler {
    func advanceLead(request: Sales_Leads_V1_AdvanceLeadRequest, context: ServerContext) async throws -> Sales_Leads_V1_Lead {
        let caller = try RequestContext.caller()
        let id = try Require.uuid(request.leadID, field: "lead_id")
        guard request.stage == .contacted || request.stage == .qualified else {
            throw ServiceError.invalidArgument(field: "stage", rule: "must be contacted or qualified; conversion goes through ConvertLead")
        }
        let tenantFields = try await tenantFields(for: caller)
        let definitions = tenantFields.values
        try definitions.validate(request.customFields)
        let logger = RequestContext.logger
        return try await Idempotency.run("AdvanceLead", request: request, database: database) { connection in
            guard let lead = try await store.find(id, for: caller, lock: true, on: connection, logger: logger) else {
                throw ServiceError.notFound(kind: "lead", id: id.apiString)
            }
            guard let from = LeadStages.rank(lead.status), let to = LeadStages.rank(request.stage), to > from else {
                throw ServiceError.failedPrecondition(
                    "lead \(id.apiString) is \(LeadStages.name(lead.status)); it can only move forward, not to \(LeadStages.name(request.stage))")
            }
            let values = Self.merging(lead.customFields, request.customFields)
            try definitions.requireForStage(LeadStages.name(request.stage), values: values)
            var updated = lead
            updated.customFields = values
            try await checkpoints.requireNoneMissed(updated, tenant: caller.tenant, catalog: tenantFields.catalog)
            let moved = try await store.update(id, stage: request.stage, customFields: values, on: connection, logger: logger)
            try await Outbox.append(
                Sales_Leads_V1_LeadStageChanged.with {
                    $0.lead = moved.message(for: Self.eventReader(caller))
                    $0.from = lead.status
                },
                tenant: caller.tenant, aggregateType: "lead", aggregateID: id.apiString, on: connection, logger: logger)
            return moved.message(for: caller)
        }
    }

    func updateLeadFields(request: Sales_Leads_V1_UpdateLeadFieldsRequest, context: ServerContext) async throws -> Sales_Leads_V1_Lead {
        let caller = try RequestContext.caller()
        let id = try Require.uuid(request.leadID, field: "lead_id")
        let definitions = try await tenantFields(for: caller).values
        try definitions.validate(request.customFields)
        let logger = RequestContext.logger
        return try await database.transaction { connection in
            guard let lead = try await store.find(id, for: caller, lock: true, on: connection, logger: logger) else {
                throw ServiceError.notFound(kind: "lead", id: id.apiString)
            }
            let values = Self.merging(lead.customFields, request.customFields)
            // What the current stage requires cannot be cleared afterwards.
            try definitions.requireForStage(LeadStages.name(lead.status), values: values)
            try definitions.requireForCreation(values)
            return try await store.update(id, stage: lead.status, customFields: values, on: connection, logger: logger)
                .message(for: caller)
        }
    }

    func defineLeadField(request: Sales_Leads_V1_DefineLeadFieldRequest, context: ServerContext) async throws -> Sales_Common_V1_FieldDefinition {
        let caller = try RequestContext.caller(allowedTo: .administer, "defining lead fields")
        guard request.hasDefinition else { throw ServiceError.invalidArgument(field: "definition", rule: "is required") }
        let definition = try FieldDefinitionCheck.validated(
            request.definition, stages: LeadStages.names, builtInFields: LeadStages.builtInFields)
        return try await fields.save(definition, tenant: caller.tenant)
    }

    func listLeadFields(request: Sales_Leads_V1_ListLeadFieldsRequest, context: ServerContext) async throws -> Sales_Leads_V1_ListLeadFieldsResponse {
        let caller = try RequestContext.caller()
        let definitions = try await fields.definitions(tenant: caller.tenant)
        return .with {
            $0.fields = definitions
            $0.stages = LeadStages.names
        }
    }

    /// `updates` over `current`; an update without a value clears the field.
    static func merging(
        _ current: [String: Sales_Common_V1_FieldValue], _ updates: [String: Sales_Common_V1_FieldValue]
    ) -> [String: Sales_Common_V1_FieldValue] {
        var merged = current
        for (key, value) in updates { merged[key] = value.kind == nil ? nil : value }
        return merged
    }
}
