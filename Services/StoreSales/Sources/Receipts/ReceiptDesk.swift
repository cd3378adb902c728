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
/// the receipt once and its event. Stores are looked up once per call; for a batch, `prepare`
/// reads the SKUs, members and clerks of all its receipts in three statements instead of three
/// a receipt.
final class ReceiptDesk: Sendable {
    private let handler: ReceiptServiceHandler
    private let caller: Caller
    private let logger: Logger
    private let stores = Mutex<[String: (id: UUID, row: StoreRow)]>([:])
    private let batch = Mutex<Batch?>(nil)

    /// What `prepare` read for a batch's receipts.
    private struct Batch {
        /// The catalogue's category of each SKU it has; a SKU it lacks is absent.
        var categories: [String: String]
        var members: [String: UUID]
        var clerks: [String: ClerkRow]
    }

    init(handler: ReceiptServiceHandler, caller: Caller, logger: Logger) {
        self.handler = handler
        self.caller = caller
        self.logger = logger
    }

    /// Reads what the receipts of a batch refer to, each kind in one statement.
    func prepare(_ receipts: [CheckedReceipt], on connection: PostgresConnection) async throws {
        let tenant = caller.tenant
        let categories = try await handler.products.categories(
            of: Set(receipts.flatMap { $0.items.map(\.sku) }), tenant: tenant, on: connection, logger: logger)
        let hashes = Set(receipts.compactMap { $0.memberPhone.map(handler.hasher.hash) })
        let members = try await handler.receipts.memberIDs(hashes: Array(hashes), tenant: tenant, on: connection, logger: logger)
        let users = Set(receipts.map(\.clerkUserID).filter { !$0.isEmpty })
        let clerks = try await handler.clerks.byUsers(Array(users), tenant: tenant, on: connection)
        batch.withLock { $0 = Batch(categories: categories, members: members, clerks: clerks) }
    }

    /// Records one receipt; a desk not prepared for a batch prepares for this receipt alone.
    func post(_ receipt: CheckedReceipt, on connection: PostgresConnection) async throws -> ReceiptStore.Recorded {
        let (store, shop) = try await self.store(receipt.storeCode, on: connection)
        if batch.withLock({ $0 == nil }) { try await prepare([receipt], on: connection) }
        guard let prepared = batch.withLock({ $0 }) else { throw ServiceError.unavailable("the receipt could not be prepared; retry") }
        if let index = receipt.items.firstIndex(where: { prepared.categories[$0.sku] == nil }) {
            throw ServiceError.invalidArgument(
                field: "items[\(index)].sku",
                rule: "\(quoted: receipt.items[index].sku) is not in the catalogue; import it first (salesctl import products FILE)")
        }
        let memberID = receipt.memberPhone.flatMap { prepared.members[handler.hasher.hash($0)] }
        var clerkID: UUID?
        var source = "none"
        if !receipt.clerkUserID.isEmpty {
            guard let clerk = prepared.clerks[receipt.clerkUserID] else {
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
        var attributed = AttributedReceipt(checked: receipt, storeID: store, clerkID: clerkID, clerkSource: source, memberID: memberID)
        if clerkID != nil && memberID != nil {
            let record = FeedbackRecord.value(
                storeCode: shop.message.code, district: shop.message.district, region: shop.message.region, total: receipt.total,
                itemCount: receipt.items.count, paymentMethod: receipt.paymentMethod,
                categories: Set(receipt.items.compactMap { prepared.categories[$0.sku] }).filter { !$0.isEmpty }.sorted(), clerkSource: source,
                soldAt: receipt.soldAt, calendar: await handler.calendars.calendar(for: caller.tenant))
            attributed.feedback = await handler.feedback.due(for: record, tenant: caller.tenant)
        }
        let recorded = try await handler.receipts.record(attributed, tenant: caller.tenant, on: connection, logger: logger)
        if case .recorded(let stored) = recorded {
            try await Outbox.append(
                Sales_Storesales_V1_ReceiptRecorded.with { $0.receipt = stored }, tenant: caller.tenant, aggregateType: "receipt",
                aggregateID: stored.id, on: connection, logger: logger)
        }
        return recorded
    }

    private func store(_ code: String, on connection: PostgresConnection) async throws -> (id: UUID, row: StoreRow) {
        if let known = stores.withLock({ $0[code] }) { return known }
        let found = try await StoreAccess(shops: handler.shops, clerks: handler.clerks).counterStore(code, for: caller, on: connection)
        stores.withLock { $0[code] = found }
        return found
    }
}
