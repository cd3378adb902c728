import Foundation
import Logging
import PostgresNIO
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf
import Synchronization

/// Posts checked receipts for one caller, a batch at a time: finds the store (as `StoreAccess`
/// lets the caller), the SKUs in the catalogue, the clerk (the till's, else the member's scan),
/// the member and what the clerk owes, then writes the receipts once with their events. Stores
/// are looked up once per call; `prepare` reads the SKUs, members and clerks of all a batch's
/// receipts in three statements instead of three a receipt.
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
        try await post([receipt], on: connection)[0].get()
    }

    /// Records a batch: each receipt attributed (store, SKUs, clerk, member, what the clerk owes),
    /// then all written at once with their events. A receipt that cannot be is refused alone.
    func post(_ receipts: [CheckedReceipt], on connection: PostgresConnection) async throws -> [Result<ReceiptStore.Recorded, ServiceError>] {
        if batch.withLock({ $0 == nil }) { try await prepare(receipts, on: connection) }
        guard let prepared = batch.withLock({ $0 }) else { throw ServiceError.unavailable("the receipts could not be prepared; retry") }
        var outcomes: [Result<ReceiptStore.Recorded, ServiceError>?] = Array(repeating: nil, count: receipts.count)
        var attributed: [(index: Int, receipt: AttributedReceipt, store: StoreRow)] = []
        for (index, receipt) in receipts.enumerated() {
            do {
                let (store, shop) = try await self.store(receipt.storeCode, on: connection)
                if let line = receipt.items.firstIndex(where: { prepared.categories[$0.sku] == nil }) {
                    throw ServiceError.invalidArgument(
                        field: "items[\(line)].sku",
                        rule: "\(quoted: receipt.items[line].sku) is not in the catalogue; import it first (salesctl import products FILE)")
                }
                var clerkID: UUID?
                if !receipt.clerkUserID.isEmpty {
                    guard let clerk = prepared.clerks[receipt.clerkUserID] else {
                        throw ServiceError.invalidArgument(
                            field: "clerk_user_id",
                            rule: "\(quoted: receipt.clerkUserID) is no clerk of this chain; a store manager adds them with AddClerk")
                    }
                    clerkID = clerk.id
                }
                let memberID = receipt.memberPhone.flatMap { prepared.members[handler.hasher.hash($0)] }
                attributed.append(
                    (
                        index,
                        AttributedReceipt(
                            checked: receipt, storeID: store, clerkID: clerkID, clerkSource: clerkID == nil ? "none" : "till", memberID: memberID),
                        shop
                    ))
            } catch let error as ServiceError {
                outcomes[index] = .failure(error)
            }
        }
        // A member's sale without the till's clerk goes to the clerk whose code they scanned.
        let unserved = attributed.indices.filter { attributed[$0].receipt.clerkID == nil && attributed[$0].receipt.memberID != nil }
        let scanned = try await handler.receipts.scanningClerks(
            unserved.map { (attributed[$0].receipt.memberID!, attributed[$0].receipt.storeID, attributed[$0].receipt.checked.soldAt) },
            on: connection, logger: logger)
        for (position, at) in unserved.enumerated() {
            if let clerk = scanned[position] { (attributed[at].receipt.clerkID, attributed[at].receipt.clerkSource) = (clerk, "scan") }
        }
        let calendar = await handler.calendars.calendar(for: caller.tenant)
        for at in attributed.indices where attributed[at].receipt.clerkID != nil && attributed[at].receipt.memberID != nil {
            let (receipt, shop) = (attributed[at].receipt, attributed[at].store.message)
            let record = FeedbackRecord.value(
                storeCode: shop.code, district: shop.district, region: shop.region, total: receipt.checked.total,
                itemCount: receipt.checked.items.count, paymentMethod: receipt.checked.paymentMethod,
                categories: Set(receipt.checked.items.compactMap { prepared.categories[$0.sku] }).filter { !$0.isEmpty }.sorted(),
                clerkSource: receipt.clerkSource, soldAt: receipt.checked.soldAt, calendar: calendar)
            attributed[at].receipt.feedback = await handler.feedback.due(for: record, tenant: caller.tenant)
        }
        let written = try await handler.receipts.record(attributed.map(\.receipt), tenant: caller.tenant, on: connection, logger: logger)
        for (position, result) in written.enumerated() {
            outcomes[attributed[position].index] = result
            if case .success(.recorded(let stored)) = result {
                try await Outbox.append(
                    Sales_Storesales_V1_ReceiptRecorded.with { $0.receipt = stored }, tenant: caller.tenant, aggregateType: "receipt",
                    aggregateID: stored.id, on: connection, logger: logger)
            }
        }
        return outcomes.map { $0 ?? .failure(.unavailable("the receipt was not posted; retry")) }
    }

    private func store(_ code: String, on connection: PostgresConnection) async throws -> (id: UUID, row: StoreRow) {
        if let known = stores.withLock({ $0[code] }) { return known }
        let found = try await StoreAccess(shops: handler.shops, clerks: handler.clerks).counterStore(code, for: caller, on: connection)
        stores.withLock { $0[code] = found }
        return found
    }
}
