import Foundation
import PostgresNIO
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// The `intake_dead_letters` table: payloads no adapter could read, kept whole with the reason.
struct DeadLetterStore: Sendable {
    let database: Database

    func keep(adapter: String, payload: String, reason: String, by caller: Caller) async throws -> UUID {
        let id = UUID.random()
        try await database.query(
            """
            INSERT INTO intake_dead_letters (id, tenant_id, adapter, payload, reason, received_by)
            VALUES (\(id), \(caller.tenant.rawValue), \(adapter), \(payload), \(reason), \(caller.userID))
            """)
        return id
    }

    func list(tenant: TenantID, page: Page) async throws -> [(seq: Int64, letter: Sales_Leads_V1_DeadLetter)] {
        let rows = try await database.query(
            """
            SELECT seq, id, adapter, payload, reason, received_at FROM intake_dead_letters
            WHERE tenant_id = \(tenant.rawValue) AND seq < \(page.before)
            ORDER BY seq DESC LIMIT \(page.fetchLimit)
            """)
        var result: [(Int64, Sales_Leads_V1_DeadLetter)] = []
        for try await (seq, id, adapter, payload, reason, received) in rows.decode((Int64, UUID, String, String, String, Date).self) {
            result.append(
                (
                    seq,
                    .with {
                        $0.id = id.apiString
                        $0.adapter = adapter
                        $0.payloadJson = payload
                        $0.reason = reason
                        $0.receivedAt = Google_Protobuf_Timestamp(date: received)
                    }
                ))
        }
        return result
    }
}
