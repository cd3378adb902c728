import Foundation
import GRPCCore
import PostgresNIO
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// WeChat conversations: archived on the customer with the customer's consent, and turned into a
/// draft follow-up the rep confirms (an off-system contact with a compliant trail).
extension LeadServiceHandler {
    func syncChat(request: Sales_Leads_V1_SyncChatRequest, context: ServerContext) async throws -> Sales_Leads_V1_SyncChatResponse {
        let caller = try RequestContext.caller()
        let id = try Require.uuid(request.leadID, field: "lead_id")
        guard request.customerConsented else {
            throw ServiceError.failedPrecondition("the customer has not consented to archiving the conversation: ask first, then sync")
        }
        guard !request.messages.isEmpty, request.messages.count <= 2_000 else {
            throw ServiceError.invalidArgument(field: "messages", rule: "give 1 to 2,000 messages")
        }
        for (index, message) in request.messages.enumerated() {
            guard message.from == "customer" || message.from == "rep" else {
                throw ServiceError.invalidArgument(field: "messages[\(index)].from", rule: "must be customer or rep")
            }
            guard !message.text.isEmpty || !message.attachments.isEmpty else {
                throw ServiceError.invalidArgument(field: "messages[\(index)].text", rule: "a message needs text or an attachment")
            }
        }
        let logger = RequestContext.logger
        let archived = try await Idempotency.run("SyncChat", request: request, database: database) { connection in
            guard let lead = try await store.find(id, for: caller, lock: true, on: connection, logger: logger) else {
                throw ServiceError.notFound(kind: "lead", id: id.apiString)
            }
            for message in request.messages {
                try await chats.archive(message, lead: lead, by: caller, on: connection, logger: logger)
            }
            return Sales_Leads_V1_SyncChatResponse.with { $0.archived = Int32(request.messages.count) }
        }
        let (draft, signals) = ChatDraft.draft(for: id.apiString, messages: request.messages, now: Date())
        return .with {
            $0.archived = archived.archived
            $0.draft = draft
            $0.signals = signals
        }
    }
}
