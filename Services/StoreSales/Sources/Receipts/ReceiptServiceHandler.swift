import Foundation
import GRPCCore
import Logging
import PostgresNIO
import RulesEngine
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// sales.storesales.v1.ReceiptService.
struct ReceiptServiceHandler: Sales_Storesales_V1_ReceiptService.SimpleServiceProtocol {
    let receipts: ReceiptStore
    let products: ProductStore
    let shops: ShopStore
    let clerks: ClerkStore
    let hasher: PhoneHasher
    let calendars: TenantCalendars
    let referrer: StoreLeadReferrer
    let feedback: FeedbackRules

    static let mostProductsAtOnce = 1_000
    static let mostLinesAtOnce = 5_000

    func importProducts(
        request: Sales_Storesales_V1_ImportProductsRequest, context: ServerContext
    ) async throws -> Sales_Storesales_V1_ImportProductsResponse {
        let caller = try RequestContext.caller(allowedTo: .runStores, "importing products")
        try ImportRows.checkCount(request.rows.count, most: Self.mostProductsAtOnce)
        let (outcomes, rows) = try ImportRows.check(request.rows, line: \.line) { row in try CheckedProduct(row) }
        let logger = RequestContext.logger
        let results = try await Idempotency.run("ImportProducts", request: request, database: products.database) { connection in
            var response = Sales_Storesales_V1_ImportProductsResponse()
            for (index, product) in rows {
                let result = try await products.upsert(product, tenant: caller.tenant, on: connection, logger: logger)
                response.outcomes.append(
                    .with {
                        $0.line = Int32(index)
                        $0.id = product.sku
                        $0.result = result.rawValue
                    })
            }
            return response
        }
        return .with { $0.outcomes = ImportRows.merge(results.outcomes, into: outcomes) }
    }

    func recordReceipt(
        request: Sales_Storesales_V1_RecordReceiptRequest, context: ServerContext
    ) async throws -> Sales_Storesales_V1_RecordReceiptResponse {
        let caller = try RequestContext.caller()
        let checked: CheckedReceipt
        do { checked = try CheckedReceipt(request.receipt, now: Date()) } catch { throw error.within("receipt") }
        let desk = ReceiptDesk(handler: self, caller: caller, logger: RequestContext.logger)
        return try await Idempotency.run("RecordReceipt", request: request, database: receipts.database) { connection in
            let recorded: ReceiptStore.Recorded
            do { recorded = try await desk.post(checked, on: connection) } catch let error as ServiceError { throw error.within("receipt") }
            return switch recorded {
            case .recorded(let receipt): Sales_Storesales_V1_RecordReceiptResponse.with { $0.receipt = receipt }
            case .alreadyRecorded(let receipt):
                Sales_Storesales_V1_RecordReceiptResponse.with {
                    $0.receipt = receipt
                    $0.alreadyRecorded = true
                }
            }
        }
    }

    func importReceipts(
        request: Sales_Storesales_V1_ImportReceiptsRequest, context: ServerContext
    ) async throws -> Sales_Storesales_V1_ImportReceiptsResponse {
        let caller = try RequestContext.caller(allowedTo: .runStores, "importing receipts")
        try ImportRows.checkCount(request.lines.count, most: Self.mostLinesAtOnce, field: "lines")
        let lines = request.lines
        let zone = await calendars.calendar(for: caller.tenant).timeZone
        let now = Date()
        var refused: [Sales_Common_V1_ImportRowOutcome] = []
        var ready: [(group: ReceiptLines.Group, receipt: CheckedReceipt)] = []
        let groups = ReceiptLines.group(lines, zone: zone)
        for group in groups {
            do {
                if let (_, error) = group.refusal { throw error }
                ready.append((group, try CheckedReceipt(group.input, now: now)))
            } catch let error as ServiceError {
                refused += Self.refusals(of: group, for: error, lines: lines)
            }
        }
        let posted = ready
        let desk = ReceiptDesk(handler: self, caller: caller, logger: RequestContext.logger)
        var response = try await Idempotency.run("ImportReceipts", request: request, database: receipts.database) { connection in
            var response = Sales_Storesales_V1_ImportReceiptsResponse()
            try await desk.prepare(posted.map(\.receipt), on: connection)
            let outcomes = try await desk.post(posted.map(\.receipt), on: connection)
            for ((group, _), outcome) in zip(posted, outcomes) {
                do {
                    let (stored, result) =
                        switch try outcome.get() {
                        case .recorded(let stored): (stored, "created")
                        case .alreadyRecorded(let stored): (stored, "unchanged")
                        }
                    if result == "created" { response.receiptsRecorded += 1 } else { response.receiptsAlreadyRecorded += 1 }
                    response.outcomes += group.indexes.map { index in
                        .with {
                            $0.line = Int32(index)
                            $0.id = stored.id
                            $0.result = result
                        }
                    }
                } catch let error as ServiceError {
                    response.receiptsRefused += 1
                    response.outcomes += Self.refusals(of: group, for: error, lines: lines)
                }
            }
            return response
        }
        response.receiptsRefused += Int32(groups.count - posted.count)
        let blank = lines.map { line in Sales_Common_V1_ImportRowOutcome.with { $0.line = line.line } }
        response.outcomes = ImportRows.merge(response.outcomes + refused, into: blank)
        return response
    }

    func referStoreLead(
        request: Sales_Storesales_V1_ReferStoreLeadRequest, context: ServerContext
    ) async throws -> Sales_Storesales_V1_ReferStoreLeadResponse {
        let caller = try RequestContext.caller()
        let referral = try StoreLeadReferrer.Referral(request)
        guard let found = try await receipts.forReferral(storeCode: referral.storeCode, number: referral.receiptNumber, tenant: caller.tenant)
        else { throw ServiceError.notFound(kind: "receipt", id: "\(referral.storeCode)/\(referral.receiptNumber)") }
        if let lead = found.lead {
            return .with {
                $0.leadID = lead
                $0.alreadyReferred = true
            }
        }
        let lead = try await referrer.refer(referral, receipt: found.receipt, city: found.city, tenant: caller.tenant)
        let kept = try await receipts.recordReferral(receipt: found.receipt, lead: lead)
        return .with {
            $0.leadID = kept
            $0.alreadyReferred = kept != lead
        }
    }

    /// A refused receipt's lines, by their index in the request: the line at fault with the
    /// field and reason, the others pointing at it.
    private static func refusals(
        of group: ReceiptLines.Group, for error: ServiceError, lines: [Sales_Storesales_V1_ReceiptLine]
    ) -> [Sales_Common_V1_ImportRowOutcome] {
        let culprit = group.refusal?.index ?? line(at: error, in: group)
        return group.indexes.map { index in
            .with {
                $0.line = Int32(index)
                $0.errorCode = error.statusName
                if index == culprit {
                    if case .invalidArgument(let field, _) = error { $0.field = field.replacing(/^items\[\d+\]\./, with: "") }
                    $0.reason = error.rpcErrorMessage
                } else {
                    $0.reason = "receipt \(lines[index].receiptNumber) was refused at line \(lines[culprit].line); nothing of it was recorded"
                }
            }
        }
    }

    /// The index of the line an error about `items[i]` points at; the receipt's first line otherwise.
    private static func line(at error: ServiceError, in group: ReceiptLines.Group) -> Int {
        guard case .invalidArgument(let field, _) = error, let match = field.firstMatch(of: /^items\[(\d+)\]/),
            let item = Int(match.1), group.indexes.indices.contains(item)
        else { return group.indexes[0] }
        return group.indexes[item]
    }
}

/// Rows are checked one by one in `importProducts` and `importReceipts`.
extension Sales_Storesales_V1_ImportProductsRequest: TextCheckedByItem {}
extension Sales_Storesales_V1_ImportReceiptsRequest: TextCheckedByItem {}
