import Foundation
import Logging
import PostgresNIO
import RulesEngine
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// The ERP link at work for a tenant. Signed contracts the ERP has not taken are placed as its
/// sales orders. Then the payments the ERP recorded are read after the tenant's cursor and posted
/// as RecordPayment posts one (source "erp", each reference recorded once however it came in).
/// A page is posted in one transaction with the cursor moving past it, under the tenant's row
/// lock: a sync cut short resumes where it stopped, and two at once take turns.
struct ErpSync: Sendable {
    static let pageSize = 500
    static let mostPagesASync = 20
    static let mostOrdersASync = 200

    let erp: any ErpLink
    let contracts: ContractStore
    let links: ErpLinkStore
    let receivables: ReceivableStore
    let calendars: TenantCalendars

    private var logger: Logger { contracts.database.logger }

    /// Every tenant that signed a contract or read its ERP before, as the service itself.
    func syncAll() async throws -> (placed: Int, recorded: Int) {
        var total = (placed: 0, recorded: 0)
        for tenant in Set(try await links.tenants() + contracts.tenantsWaitingForErp()) {
            do {
                let synced = try await sync(tenant: tenant, by: .service(.opportunities, tenant: tenant))
                total = (total.placed + Int(synced.ordersPlaced), total.recorded + Int(synced.paymentsRecorded))
            } catch is ServiceError {
                // One tenant's ERP out of reach is kept on its link; the other tenants sync on.
                continue
            }
        }
        return total
    }

    /// One tenant's sync. What could not be done is kept on the link (`GetErpLink`): the ERP
    /// unreachable, or the payments it reported that could not be posted.
    func sync(tenant: TenantID, by caller: Caller) async throws -> Sales_Opportunities_V1_SyncErpResponse {
        var response = Sales_Opportunities_V1_SyncErpResponse()
        do {
            response.ordersPlaced = Int32(try await placeOrders(tenant: tenant).filter { !$0.erpOrderID.isEmpty }.count)
            response.ordersWaiting = Int32(try await contracts.countWaitingForErp(tenant: tenant))
            try await readPayments(tenant: tenant, by: caller, into: &response)
        } catch let error as ServiceError {
            try await links.finished(tenant: tenant, error: error.rpcErrorMessage)
            throw error
        }
        let count = response.refused.count
        let refused = response.refused.first.map { "\(count) payment\(count == 1 ? "" : "s") could not be posted; the first: \($0.reason)" }
        try await links.finished(tenant: tenant, error: refused ?? "")
        return response
    }

    /// Places the orders the ERP has not taken (or only `contract`'s), each kept with the ERP's
    /// answer: its order id, or why it has none (`erp_error`). The contracts as kept.
    func placeOrders(tenant: TenantID, contract: UUID? = nil) async throws -> [Sales_Opportunities_V1_Contract] {
        var kept: [Sales_Opportunities_V1_Contract] = []
        for order in try await contracts.waitingForErp(tenant: tenant, only: contract, limit: Self.mostOrdersASync) {
            guard let id = UUID(uuidString: order.contract.id) else { continue }
            var (orderID, problem): (String?, String) = (nil, "")
            do throws(ServiceError) {
                let answer = try await erp.placeOrder(order, tenant: tenant)
                try TextCheck.validate(answer, field: "order_id")
                guard !answer.isEmpty, answer.count <= 80 else {
                    throw ServiceError.unavailable("the ERP answered an order id of \(answer.count) characters; 1 to 80 expected")
                }
                orderID = answer
            } catch {
                problem = error.rpcErrorMessage
            }
            if let contract = try await contracts.recordErpOrder(id, orderID: orderID, error: problem, tenant: tenant, logger: logger) {
                kept.append(contract)
            }
        }
        return kept
    }

    private func readPayments(tenant: TenantID, by caller: Caller, into response: inout Sales_Opportunities_V1_SyncErpResponse) async throws {
        let posting = PaymentPosting(receivables: receivables)
        for _ in 0..<Self.mostPagesASync {
            let today = await calendars.today(for: tenant)
            let (page, tally) = try await receivables.database.transaction { connection in
                let cursor = try await links.lockedCursor(tenant: tenant, on: connection, logger: logger)
                let page = try await erp.payments(after: cursor, limit: Self.pageSize, tenant: tenant)
                let orders = try await contracts.contracts(ofErpOrders: Array(Set(page.items.map(\.orderID))), tenant: tenant, on: connection)
                var tally = Tally(moved: page.cursor != cursor, more: page.more)
                var lines: [(payment: ErpPayment, line: PaymentPosting.Line)] = []
                for payment in page.items {
                    do throws(ServiceError) {
                        lines.append((payment, try Self.line(payment, orders: orders, today: today)))
                    } catch {
                        tally.refused.append(Self.refusal(payment, error))
                    }
                }
                for (entry, outcome) in zip(lines, try await posting.post(lines.map(\.line), source: "erp", by: caller, on: connection)) {
                    switch outcome {
                    case .recorded: tally.recorded += 1
                    case .alreadyRecorded: tally.already += 1
                    case .refused(let error, _): tally.refused.append(Self.refusal(entry.payment, error))
                    }
                }
                try await links.advance(tenant: tenant, cursor: page.cursor, recorded: tally.recorded, on: connection, logger: logger)
                return (page, tally)
            }
            response.paymentsRead += Int32(page.items.count)
            response.paymentsRecorded += Int32(tally.recorded)
            response.paymentsAlreadyRecorded += Int32(tally.already)
            response.refused += tally.refused
            guard tally.more, tally.moved else { return }
        }
    }

    private struct Tally: Sendable {
        var moved: Bool
        var more: Bool
        var recorded = 0
        var already = 0
        var refused: [Sales_Opportunities_V1_ImportPaymentOutcome] = []
    }

    /// The payment as RecordPayment would take it, for the contract whose order it names.
    private static func line(_ payment: ErpPayment, orders: [String: UUID], today: LocalDate) throws(ServiceError) -> PaymentPosting.Line {
        if let problem = payment.problem { throw problem }
        try TextCheck.validate(payment.orderID, field: "order_id")
        guard !payment.orderID.isEmpty else {
            throw .invalidArgument(field: "order_id", rule: "is required: the ERP's sales order the payment is for")
        }
        guard let contract = orders[payment.orderID] else {
            throw .notFound(kind: "ERP order", id: payment.orderID)
        }
        try TextCheck.validate(payment.reference, field: "reference")
        return try PaymentPosting.Line(
            contractID: contract.apiString, reference: payment.reference, amount: payment.amount, receivedOn: payment.receivedOn, today: today)
    }

    private static func refusal(_ payment: ErpPayment, _ error: ServiceError) -> Sales_Opportunities_V1_ImportPaymentOutcome {
        .with {
            $0.line = Int32(payment.line)
            $0.errorCode = error.statusName
            if case .invalidArgument(let field, _) = error { $0.field = field }
            $0.reason = "\(payment.place): \(error.rpcErrorMessage)"
        }
    }
}
