import Foundation
import GRPCCore
import RulesEngine
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// Follow-ups of a lead.
extension LeadServiceHandler {
    func logFollowUp(request: Sales_Leads_V1_LogFollowUpRequest, context: ServerContext) async throws -> Sales_Leads_V1_FollowUp {
        let caller = try RequestContext.caller()
        let new = try NewFollowUp(request)
        let logger = RequestContext.logger
        return try await Idempotency.run("LogFollowUp", request: request, database: database) { connection in
            guard try await store.find(new.leadID, for: caller, lock: true, on: connection, logger: logger) != nil else {
                throw ServiceError.notFound(kind: "lead", id: new.leadID.apiString)
            }
            let stored = try await followUps.insert(new, author: caller, on: connection, logger: logger)
            try await Outbox.append(
                stored, tenant: caller.tenant, aggregateType: "lead", aggregateID: new.leadID.apiString, on: connection, logger: logger)
            return stored
        }
    }

    func listFollowUps(request: Sales_Leads_V1_ListFollowUpsRequest, context: ServerContext) async throws -> Sales_Leads_V1_ListFollowUpsResponse {
        let caller = try RequestContext.caller()
        let id = try Require.uuid(request.leadID, field: "lead_id")
        let logger = RequestContext.logger
        let list = try await database.withConnection { connection in
            guard try await store.find(id, for: caller, on: connection, logger: logger) != nil else {
                throw ServiceError.notFound(kind: "lead", id: id.apiString)
            }
            return try await followUps.list(lead: id, on: connection, logger: logger)
        }
        return .with { $0.followUps = list }
    }
}
