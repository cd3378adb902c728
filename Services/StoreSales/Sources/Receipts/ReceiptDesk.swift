import Foundation
import Logging
import PostgresNIO
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf
import Synchronization

/// Posts checked receipts for one caller: finds the store (as `StoreAccess` lets the caller), the
/// SKUs in the catalogue, the clerk (the till's, else the member's scan) and the member, writes
/// the receipt once and its event. Stores are looked up once per call.
final class ReceiptDesk: Sendable {
    private let handler: ReceiptServiceHandler
    private let caller: Caller
    private let logger: Logger
    private let stores = Mutex<[String: UUID]>([:])

    init(handler: ReceiptServiceHandler, caller: Caller, logger: Logger) {
        self.handler = handler
        self.caller = caller
        self.logger = logger
    }

    func post(_ receipt: CheckedReceipt, on connection: PostgresConnection) async throws -> ReceiptStore.Recorded {
        let store = try await storeID(receipt.storeCode, on: connection)
        let missing = try await handler.products.missing(Set(receipt.items.map(\.sku)), tenant: caller.tenant, on: connection, logger: logger)
        if let index = receipt.items.firstIndex(where: { missing.contains($0.sku) }) {
            throw ServiceError.invalidArgument(
                field: "items[\(index)].sku",
                rule: "\(quoted: receipt.items[index].sku) is not in the catalogue; import it first (salesctl import products FILE)")
        }
        var memberID: UUID?
        if let phone = receipt.memberPhone {
            memberID = try await handler.receipts.memberID(hash: handler.hasher.hash(phone), tenant: caller.tenant, on: connection, logger: logger)
        }
        var clerkID: UUID?
        var source = "none"
        if !receipt.clerkUserID.isEmpty {
            guard let clerk = try await handler.clerks.byUser(receipt.clerkUserID, tenant: caller.tenant, on: connection) else {
                throw ServiceError.invalidArgument(
                    field: "clerk_user_id", rule: "\(quoted: receipt.clerkUserID) is no clerk of this chain; a store manager adds them with AddClerk")
            }
            (clerkID, source) = (clerk.id, "till")
        } else if let memberID,
            let clerk = try await handler.receipts.scanningClerk(
                member: memberID, store: store, before: receipt.soldAt, on: connection, logger: logger)
        {
            (clerkID, source) = (clerk, "scan")
        }
        let attributed = AttributedReceipt(checked: receipt, storeID: store, clerkID: clerkID, clerkSource: source, memberID: memberID)
        let recorded = try await handler.receipts.record(attributed, tenant: caller.tenant, on: connection, logger: logger)
        if case .recorded(let stored) = recorded {
            try await Outbox.append(
                Sales_Storesales_V1_ReceiptRecorded.with { $0.receipt = stored }, tenant: caller.tenant, aggregateType: "receipt",
                aggregateID: stored.id, on: connection, logger: logger)
        }
        return recorded
    }

    private func storeID(_ code: String, on connection: PostgresConnection) async throws -> UUID {
        if let known = stores.withLock({ $0[code] }) { return known }
        let id = try await StoreAccess(shops: handler.shops, clerks: handler.clerks).counter(code, for: caller, on: connection)
        stores.withLock { $0[code] = id }
        return id
    }
}
