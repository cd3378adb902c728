import Foundation
import Logging
import PostgresNIO
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// The `chat_archive` table: WeChat messages kept under the customer, with the lead they came with.
struct ChatArchiveStore: Sendable {
    func archive(
        _ message: Sales_Leads_V1_ChatMessage, lead: Lead, by caller: Caller, on connection: PostgresConnection, logger: Logger
    ) async throws {
        let attachments = "[" + (try message.attachments.map { try $0.jsonString() }).joined(separator: ",") + "]"
        try await connection.query(
            """
            INSERT INTO chat_archive (tenant_id, customer_id, lead_id, sender, text, sent_at, attachments, archived_by)
            VALUES (\(caller.tenant.rawValue), \(lead.customerID), \(lead.id), \(message.from), \(message.text),
                    \(message.hasSentAt ? message.sentAt.date : Date()), \(attachments)::jsonb, \(caller.userID))
            """, logger: logger)
    }

    /// A merged customer's chats move to the survivor.
    func moveCustomer(_ merged: UUID, to surviving: UUID, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("UPDATE chat_archive SET customer_id = \(surviving) WHERE customer_id = \(merged)", logger: logger)
    }
}
