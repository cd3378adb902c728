import Foundation
import GRPCCore
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// sales.storesales.v1.StoreService.
struct StoreServiceHandler: Sales_Storesales_V1_StoreService.SimpleServiceProtocol {
    let store: ShopStore
    let clerks: ClerkStore
    let comparison: StoreComparing
    let sweeper: StoreSweeper

    func createStore(request: Sales_Storesales_V1_CreateStoreRequest, context: ServerContext) async throws -> Sales_Storesales_V1_Store {
        let caller = try RequestContext.caller(allowedTo: .runStores, "opening a store")
        let new = try NewStore(request)
        let logger = RequestContext.logger
        return try await Idempotency.run("CreateStore", request: request, database: store.database) { connection in
            let row = try await store.insert(new, by: caller, on: connection, logger: logger)
            try await Outbox.append(
                Sales_Storesales_V1_StoreOpened.with { $0.store = row.message },
                tenant: caller.tenant, aggregateType: "store", aggregateID: row.message.id, on: connection, logger: logger)
            return row.message
        }
    }

    func listStores(request: Sales_Storesales_V1_ListStoresRequest, context: ServerContext) async throws -> Sales_Storesales_V1_ListStoresResponse {
        let caller = try RequestContext.caller()
        let page = try Page(request.page)
        let (rows, next) = page.finish(try await store.list(for: caller, city: request.city, page: page), seq: \.seq)
        return .with {
            $0.stores = rows.map(\.message)
            $0.page = next
        }
    }

    func getOverview(request: Sales_Storesales_V1_GetOverviewRequest, context: ServerContext) async throws -> Sales_Storesales_V1_StoresOverview {
        try await store.overview(for: try RequestContext.caller())
    }

    func addClerk(request: Sales_Storesales_V1_AddClerkRequest, context: ServerContext) async throws -> Sales_Storesales_V1_Clerk {
        let caller = try RequestContext.caller(allowedTo: .runStores, "adding a clerk")
        let shop = try await managedStore(request.storeID, by: caller)
        let userID = try Require.text(request.userID, field: "user_id", maxLength: 100)
        let name = try Require.text(request.name, field: "name", maxLength: 50)
        let logger = RequestContext.logger
        return try await Idempotency.run("AddClerk", request: request, database: store.database) { connection in
            try await clerks.put(userID: userID, name: name, store: shop, tenant: caller.tenant, on: connection, logger: logger).message
        }
    }

    func listClerks(request: Sales_Storesales_V1_ListClerksRequest, context: ServerContext) async throws -> Sales_Storesales_V1_ListClerksResponse {
        let caller = try RequestContext.caller()
        let shop = try await managedStore(request.storeID, by: caller)
        let rows = try await clerks.inStore(shop)
        return .with { $0.clerks = rows.map(\.message) }
    }

    func sweepStores(request: Sales_Storesales_V1_SweepStoresRequest, context: ServerContext) async throws -> Sales_Storesales_V1_SweepStoresResponse
    {
        let caller = try RequestContext.caller(allowedTo: .administer, "sweeping the stores' reminders")
        let (reminders, nudges) = try await sweeper.sweep(tenant: caller.tenant)
        return .with {
            $0.feedbackReminders = Int32(reminders)
            $0.couponNudges = Int32(nudges)
        }
    }

    /// The store's id when `caller` may run it; NOT_FOUND otherwise (another chain's store, or one
    /// outside the caller's teams, is not told apart from none).
    private func managedStore(_ text: String, by caller: Caller) async throws -> UUID {
        let id = try Require.uuid(text, field: "store_id")
        guard try await store.managed(id, by: caller) != nil else { throw ServiceError.notFound(kind: "store", id: text) }
        return id
    }
}
