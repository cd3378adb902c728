import Foundation
import GRPCCore
import LeadIntake
import Logging
import RulesEngine
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// Channel payloads through their intake adapters, and the dead letters kept when one is not understood.
extension LeadServiceHandler {
    /// A channel's payload through its adapter. An unknown shape is kept as a dead letter and
    /// answered as such (so the channel stops retrying); an unusable lead is INVALID_ARGUMENT.
    func ingestLead(request: Sales_Leads_V1_IngestLeadRequest, context: ServerContext) async throws -> Sales_Leads_V1_IngestLeadResponse {
        let caller = try RequestContext.caller()
        guard let adapter = intake.adapter(named: request.adapter) else {
            throw ServiceError.invalidArgument(
                field: "adapter", rule: "\(quoted: request.adapter) is not an active intake adapter; active: \(intake.names.joined(separator: ", "))")
        }
        let intakeLead: IntakeLead
        do {
            guard case .object(let payload) = try RuleValue(json: request.payloadJson) else {
                throw IntakeFailure.unknownShape("the payload is not a JSON object")
            }
            intakeLead = try adapter.read(payload)
        } catch let failure as IntakeFailure {
            switch failure {
            case .unusable(let field, let rule):
                throw ServiceError.invalidArgument(field: "payload_json.\(field)", rule: rule)
            case .unknownShape(let reason):
                return try await deadLetter(request, reason: reason, caller: caller)
            }
        } catch {
            return try await deadLetter(request, reason: "the payload is not JSON: \(error)", caller: caller)
        }
        let create = Sales_Leads_V1_CreateLeadRequest.with {
            $0.contactName = intakeLead.contactName
            $0.companyName = intakeLead.companyName
            $0.phone = intakeLead.phone
            $0.creditCode = intakeLead.creditCode
            $0.channel = adapter.channel
            $0.campaign = intakeLead.campaign
            $0.city = intakeLead.city
            $0.inquiry = intakeLead.inquiry
        }
        let tenantFields = try await tenantFields(for: caller)
        let lead: NewLead
        do {
            lead = try NewLead(create, fields: tenantFields.values)
        } catch {
            // Name the field in the channel's terms: it was missing from the channel's payload.
            guard case .invalidArgument(let field, let rule) = error else { throw error }
            throw ServiceError.invalidArgument(field: "payload_json (\(adapter.name) → \(field))", rule: rule)
        }
        let key = intakeLead.externalID.map { "intake:\(adapter.name):\($0)" }
        let created = try await self.create(lead, request: create, caller: caller, tenantFields: tenantFields, key: key)
        return .with { $0.lead = created.lead }
    }

    func listDeadLetters(request: Sales_Leads_V1_ListDeadLettersRequest, context: ServerContext) async throws
        -> Sales_Leads_V1_ListDeadLettersResponse
    {
        let caller = try RequestContext.caller()
        guard caller.seesWholeTenant else { throw ServiceError.permissionDenied("the dead letters are for admins") }
        let page = try Page(request.page)
        let (rows, next) = page.finish(try await deadLetters.list(tenant: caller.tenant, page: page), seq: \.seq)
        return .with {
            $0.deadLetters = rows.map(\.letter)
            $0.page = next
        }
    }

    private func deadLetter(
        _ request: Sales_Leads_V1_IngestLeadRequest, reason: String, caller: Caller
    ) async throws -> Sales_Leads_V1_IngestLeadResponse {
        let id = try await deadLetters.keep(adapter: request.adapter, payload: request.payloadJson, reason: reason, by: caller)
        RequestContext.logger.warning("intake payload kept as a dead letter", metadata: ["adapter": "\(request.adapter)", "reason": "\(reason)"])
        return .with {
            $0.deadLetterID = id.apiString
            $0.deadLetterReason = reason
        }
    }
}
