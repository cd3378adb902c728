import Foundation
import PostgresNIO
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// The record of full phone numbers shown (PIPL): written whenever a response carries one.
struct UnmaskAudit: Sendable {
    let database: Database

    /// Records that `caller` was shown the phones of `leads`, if the caller may unmask at all.
    func record(_ leads: [Lead], for caller: Caller, method: String) async throws {
        let shown = leads.filter { $0.phone != nil }.map(\.id)
        guard caller.mayUnmaskPII, !shown.isEmpty else { return }
        try await database.query(
            """
            INSERT INTO unmask_audit (tenant_id, user_id, lead_id, method)
            SELECT \(caller.tenant.rawValue), \(caller.userID), unnest(\(shown)::uuid[]), \(method)
            """)
    }

    func list(tenant: TenantID, page: Page) async throws -> [(seq: Int64, entry: Sales_Leads_V1_UnmaskAuditEntry)] {
        let rows = try await database.query(
            """
            SELECT seq, user_id, lead_id, method, at FROM unmask_audit
            WHERE tenant_id = \(tenant.rawValue) AND seq < \(page.before) ORDER BY seq DESC LIMIT \(page.fetchLimit)
            """)
        var result: [(Int64, Sales_Leads_V1_UnmaskAuditEntry)] = []
        for try await (seq, user, lead, method, at) in rows.decode((Int64, String, UUID, String, Date).self) {
            result.append(
                (
                    seq,
                    .with {
                        $0.userID = user
                        $0.leadID = lead.apiString
                        $0.method = method
                        $0.at = Google_Protobuf_Timestamp(date: at)
                    }
                ))
        }
        return result
    }
}
