import Foundation
import GRPCCore
import Logging
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// Two records of one customer (a mobile and, later, the company's credit code; a typo'd
/// number) made one. Nothing is lost: the merged customer stays as a record pointing at the
/// survivor, its leads with their follow-ups and its archived chats move over, and its key finds
/// the survivor from now on. The survivor keeps its owner (or takes the merged one's when it had
/// none), and the open leads follow: one customer, one owner.
extension LeadServiceHandler {
    func mergeCustomers(request: Sales_Leads_V1_MergeCustomersRequest, context: ServerContext) async throws -> Sales_Leads_V1_MergeCustomersResponse {
        let caller = try RequestContext.caller(allowedTo: .overseeTeams, "merging customers")
        let surviving = try Require.uuid(request.survivingCustomerID, field: "surviving_customer_id")
        let merged = try Require.uuid(request.mergedCustomerID, field: "merged_customer_id")
        guard surviving != merged else {
            throw ServiceError.invalidArgument(field: "merged_customer_id", rule: "must be another customer than surviving_customer_id")
        }
        let reason = try Require.text(request.reason, field: "reason", maxLength: 500)
        let logger = RequestContext.logger
        return try await Idempotency.run("MergeCustomers", request: request, database: database) { connection in
            let customers = try await self.customers.lock([surviving, merged], tenant: caller.tenant, on: connection, logger: logger)
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
            let moved = try await store.moveLeads(fromCustomer: merged, to: surviving, on: connection, logger: logger)
            let reassigned = try await store.followOwner(
                ofCustomer: surviving, owner: owner, orgPath: orgPath,
                reason: "customers merged (\(reason)): follows the customer's owner", on: connection, logger: logger)
            try await chats.moveCustomer(merged, to: surviving, on: connection, logger: logger)
            try await self.customers.merge(
                merged, into: surviving, owner: owner, orgPath: orgPath, reason: reason, movedLeads: moved, by: caller,
                on: connection, logger: logger)
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
}
