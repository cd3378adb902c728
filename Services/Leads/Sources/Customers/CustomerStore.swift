import Foundation
import Logging
import PostgresNIO
import SalesModel
import ServiceKit

/// The `customers` table and its merge history (`customer_merges`). A new customer's row is
/// written with its first lead, in the lead insert's one statement (`SingleLeadInsert`,
/// `BatchLeadInsert`).
struct CustomerStore: Sendable {
    let database: Database

    /// A customer already on file, with what it asked in its latest leads.
    struct KnownCustomer: Sendable {
        let id: UUID
        /// Empty while the customer is in a public pool.
        let ownerID: String
        let orgPath: String
        let earlierInquiries: String
    }

    func customer(_ key: CustomerKey, tenant: TenantID) async throws -> KnownCustomer? {
        let rows = try await database.query(
            """
            SELECT c.id, c.owner_id, c.org_path,
                   coalesce((SELECT string_agg(inquiry, ' / ') FROM (
                       SELECT l.inquiry FROM leads l WHERE l.customer_id = c.id AND l.inquiry <> ''
                       ORDER BY l.seq DESC LIMIT 20) recent), '')
            FROM customers keyed
            JOIN customers c ON c.id = coalesce(keyed.merged_into, keyed.id)
            WHERE keyed.tenant_id = \(tenant.rawValue) AND keyed.key_kind = \(key.kind) AND keyed.key_value = \(key.value)
            """)
        for try await (id, owner, path, inquiries) in rows.decode((UUID, String, String, String).self) {
            return KnownCustomer(id: id, ownerID: owner, orgPath: path, earlierInquiries: inquiries)
        }
        return nil
    }

    struct LockedCustomer {
        let id: UUID
        let owner: String
        let orgPath: String
        let mergedInto: UUID?
    }

    /// The tenant's customers among `ids`, locked in id order (two merges at once never deadlock).
    func lock(_ ids: [UUID], tenant: TenantID, on connection: PostgresConnection, logger: Logger) async throws -> [UUID: LockedCustomer] {
        let rows = try await connection.query(
            """
            SELECT id, owner_id, org_path, merged_into FROM customers
            WHERE tenant_id = \(tenant.rawValue) AND id = ANY(\(ids)) ORDER BY id FOR UPDATE
            """, logger: logger)
        var found: [UUID: LockedCustomer] = [:]
        for try await (id, owner, path, mergedInto) in rows.decode((UUID, String, String, UUID?).self) {
            found[id] = LockedCustomer(id: id, owner: owner, orgPath: path, mergedInto: mergedInto)
        }
        return found
    }

    /// `merged` becomes a record pointing at `surviving`, which takes `owner`; the merge is logged.
    func merge(
        _ merged: UUID, into surviving: UUID, owner: String, orgPath: String, reason: String, movedLeads: Int, by caller: Caller,
        on connection: PostgresConnection, logger: Logger
    ) async throws {
        try await connection.query("UPDATE customers SET owner_id = \(owner), org_path = \(orgPath) WHERE id = \(surviving)", logger: logger)
        try await connection.query("UPDATE customers SET merged_into = \(surviving) WHERE id = \(merged)", logger: logger)
        try await connection.query(
            """
            INSERT INTO customer_merges (tenant_id, surviving_id, merged_id, reason, moved_leads, merged_by)
            VALUES (\(caller.tenant.rawValue), \(surviving), \(merged), \(reason), \(movedLeads), \(caller.userID))
            """, logger: logger)
    }
}
