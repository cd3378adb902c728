import Foundation
import GRPCCore
import Logging
import PostgresNIO
import SalesModel
import SalesProto
import ServiceKit

/// Two records of one customer (a mobile and, later, the company's credit code; a typo'd
/// number) made one. Nothing is lost: the merged customer stays as a record pointing at the
/// survivor, its leads with their follow-ups and its archived chats move over, and its key finds
/// the survivor from now on. The survivor keeps its owner (or takes the merged one's when it had
/// none), and the open leads follow: one customer, one owner.
extension LeadServiceHandler {
    func mergeCustomers(request: Sales_Leads_V1_MergeCustomersRequest, context: ServerContext) async throws -> Sales_Leads_V1_MergeCustomersResponse {
        let caller = try RequestContext.caller()
        guard caller.roles.contains(.admin) || caller.managedSubtree != nil else {
            throw ServiceError.permissionDenied("merging customers is for admins and managers")
        }
        let surviving = try Require.uuid(request.survivingCustomerID, field: "surviving_customer_id")
        let merged = try Require.uuid(request.mergedCustomerID, field: "merged_customer_id")
        guard surviving != merged else {
            throw ServiceError.invalidArgument(field: "merged_customer_id", rule: "must be another customer than surviving_customer_id")
        }
        let reason = try Require.text(request.reason, field: "reason", maxLength: 500)
        let logger = RequestContext.logger
        return try await Idempotency.run("MergeCustomers", request: request, database: database) { connection in
            let customers = try await Self.lockCustomers([surviving, merged], tenant: caller.tenant, on: connection, logger: logger)
            guard let keep = customers[surviving] else { throw ServiceError.notFound(kind: "customer", id: surviving.apiString) }
            guard let gone = customers[merged] else { throw ServiceError.notFound(kind: "customer", id: merged.apiString) }
            for (customer, field) in [(keep, "surviving_customer_id"), (gone, "merged_customer_id")] {
                if let target = customer.mergedInto {
                    throw ServiceError.failedPrecondition("\(field) \(customer.id.apiString) was already merged into \(target.apiString)")
                }
                guard caller.seesWholeTenant || caller.managedSubtree?.contains(customer.orgPath) == true else {
                    throw ServiceError.notFound(kind: "customer", id: customer.id.apiString)
                }
            }
            let (owner, orgPath) = keep.owner.isEmpty ? (gone.owner, gone.orgPath) : (keep.owner, keep.orgPath)
            let movedRows = try await connection.query(
                "UPDATE leads SET customer_id = \(surviving), updated_at = now() WHERE customer_id = \(merged) RETURNING 1", logger: logger)
            var moved = 0
            for try await _ in movedRows { moved += 1 }
            let reassignedRows = try await connection.query(
                """
                UPDATE leads SET owner_id = \(owner), org_path = \(orgPath), updated_at = now(),
                                 assigned_at = now(), return_warned_at = NULL,
                                 assignment_reason = \("customers merged (\(reason)): follows the customer's owner")
                WHERE customer_id = \(surviving) AND status <> \(Int16(Sales_Leads_V1_LeadStatus.converted.rawValue))
                  AND (owner_id <> \(owner) OR org_path <> \(orgPath))
                RETURNING 1
                """, logger: logger)
            var reassigned = 0
            for try await _ in reassignedRows { reassigned += 1 }
            try await connection.query("UPDATE chat_archive SET customer_id = \(surviving) WHERE customer_id = \(merged)", logger: logger)
            try await connection.query(
                "UPDATE customers SET owner_id = \(owner), org_path = \(orgPath) WHERE id = \(surviving)", logger: logger)
            try await connection.query("UPDATE customers SET merged_into = \(surviving) WHERE id = \(merged)", logger: logger)
            try await connection.query(
                """
                INSERT INTO customer_merges (tenant_id, surviving_id, merged_id, reason, moved_leads, merged_by)
                VALUES (\(caller.tenant.rawValue), \(surviving), \(merged), \(reason), \(moved), \(caller.userID))
                """, logger: logger)
            try await Outbox.append(
                Sales_Leads_V1_CustomersMerged.with {
                    $0.survivingCustomerID = surviving.apiString
                    $0.mergedCustomerID = merged.apiString
                    $0.reason = reason
                    $0.mergedBy = caller.userID
                },
                tenant: caller.tenant, aggregateType: "customer", aggregateID: surviving.apiString, on: connection, logger: logger)
            return .with {
                $0.customerID = surviving.apiString
                $0.movedLeads = Int32(moved)
                $0.reassignedLeads = Int32(reassigned)
            }
        }
    }

    struct LockedCustomer {
        let id: UUID
        let owner: String
        let orgPath: String
        let mergedInto: UUID?
    }

    /// The tenant's customers among `ids`, locked in id order (two merges at once never deadlock).
    static func lockCustomers(_ ids: [UUID], tenant: TenantID, on connection: PostgresConnection, logger: Logger) async throws -> [UUID: LockedCustomer] {
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
}
