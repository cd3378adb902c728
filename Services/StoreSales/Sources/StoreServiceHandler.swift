import GRPCCore
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// sales.storesales.v1.StoreService.
struct StoreServiceHandler: Sales_Storesales_V1_StoreService.SimpleServiceProtocol {
    let store: ShopStore

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
}
