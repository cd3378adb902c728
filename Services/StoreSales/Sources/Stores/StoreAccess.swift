import Foundation
import PostgresNIO
import SalesModel
import SalesProto
import ServiceKit

/// Which store a caller may act for at the counter (record a sale, redeem a coupon): a store
/// they run (its manager, a manager over it, an admin) or the store they clerk in.
struct StoreAccess: Sendable {
    let shops: ShopStore
    let clerks: ClerkStore

    /// The store's id; NOT_FOUND for another chain's store, one the caller may not act for, or none.
    func counter(_ code: String, for caller: Caller, on connection: PostgresConnection) async throws -> UUID {
        try await counterStore(code, for: caller, on: connection).id
    }

    /// The store itself (its manager, to tell), under the same rule.
    func counterStore(_ code: String, for caller: Caller, on connection: PostgresConnection) async throws -> (id: UUID, row: StoreRow) {
        let notFound = ServiceError.notFound(kind: "store", id: code)
        guard let row = try await shops.withCode(code, tenant: caller.tenant, on: connection, logger: RequestContext.logger),
            let id = UUID(uuidString: row.message.id)
        else { throw notFound }
        if try await shops.managed(id, by: caller) == nil {
            guard let clerk = try await clerks.byUser(caller.userID, tenant: caller.tenant, on: connection), clerk.storeID == id else {
                throw notFound
            }
        }
        return (id, row)
    }
}
