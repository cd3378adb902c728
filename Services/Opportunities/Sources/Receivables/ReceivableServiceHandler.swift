import Foundation
import GRPCCore
import PostgresNIO
import RulesEngine
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// sales.opportunities.v1.ReceivableService: the countdown board, invoices, payments and refunds
/// of signed contracts. Days are counted in the tenant's calendar.
struct ReceivableServiceHandler: Sales_Opportunities_V1_ReceivableService.SimpleServiceProtocol {
    let deals: OpportunityStore
    let contracts: ContractStore
    let receivables: ReceivableStore
    let sweeper: CollectionSweeper
    /// Nil when no ERP is linked.
    let erp: ErpSync?

    func listReceivables(
        request: Sales_Opportunities_V1_ListReceivablesRequest, context: ServerContext
    ) async throws -> Sales_Opportunities_V1_ListReceivablesResponse {
        let caller = try RequestContext.caller()
        let page = try BoardPage(request.page)
        var filter = ReceivableStore.Filter(openOnly: request.openOnly, minDaysOverdue: Int(request.minDaysOverdue))
        if !request.contractID.isEmpty { filter.contractID = try Require.uuid(request.contractID, field: "contract_id") }
        if !request.customerID.isEmpty { filter.customerID = try Require.uuid(request.customerID, field: "customer_id").apiString }
        if !request.ownerID.isEmpty { filter.ownerID = try Require.text(request.ownerID, field: "owner_id", maxLength: 128) }
        guard (0...3_650).contains(request.minDaysOverdue) else {
            throw ServiceError.invalidArgument(field: "min_days_overdue", rule: "must be 0 to 3650; got \(request.minDaysOverdue)")
        }
        let rows = try await receivables.board(
            filter, for: caller, today: await sweeper.calendars.today(for: caller.tenant), after: page.after, limit: page.fetchLimit)
        let (kept, next) = page.finish(rows)
        return .with {
            $0.receivables = kept
            $0.page = next
        }
    }

    func recordInvoice(
        request: Sales_Opportunities_V1_RecordInvoiceRequest, context: ServerContext
    ) async throws -> Sales_Opportunities_V1_Receivable {
        let caller = try RequestContext.caller(allowedTo: .keepAccounts, "recording an invoice")
        let id = try Require.uuid(request.instalmentID, field: "instalment_id")
        switch request.step {
        case .issued, .delivered, .inLegalReview, .accepted: break
        case .unspecified, .UNRECOGNIZED:
            throw ServiceError.invalidArgument(field: "step", rule: "is required: issued, delivered, in legal review or accepted")
        }
        let number = try Require.optionalText(request.invoiceNumber, field: "invoice_number", maxLength: 40)
        let today = await sweeper.calendars.today(for: caller.tenant)
        return try await Idempotency.run("RecordInvoice", request: request, database: receivables.database) { connection in
            guard var instalment = try await receivables.instalment(id, for: caller, today: today, on: connection) else {
                throw ServiceError.notFound(kind: "instalment", id: id.apiString)
            }
            guard request.step.rawValue >= instalment.invoiceStep.rawValue else {
                throw ServiceError.failedPrecondition(
                    "instalment \(instalment.number) of contract \(instalment.contractID) is past that step; invoice steps go forward only")
            }
            if !number.isEmpty, !instalment.invoiceNumber.isEmpty, number != instalment.invoiceNumber {
                throw ServiceError.failedPrecondition(
                    "instalment \(instalment.number) is invoiced as \(instalment.invoiceNumber); a different invoice is not recorded over it")
            }
            let kept = number.isEmpty ? instalment.invoiceNumber : number
            guard !kept.isEmpty else {
                throw ServiceError.invalidArgument(field: "invoice_number", rule: "is required: the instalment has no invoice number yet")
            }
            try await receivables.recordInvoice(id, step: request.step, number: kept, on: connection)
            instalment.invoiceNumber = kept
            instalment.invoiceStep = request.step
            if instalment.state != .paid { instalment.state = ReceivableState.of(paid: false, step: request.step) }
            return instalment
        }
    }

    func getContractAccount(
        request: Sales_Opportunities_V1_GetContractAccountRequest, context: ServerContext
    ) async throws -> Sales_Opportunities_V1_ContractAccount {
        let caller = try RequestContext.caller()
        let id = try Require.uuid(request.contractID, field: "contract_id")
        let contract = try await contracts.visible(id, for: caller, deals: deals).contract
        let instalments = try await receivables.instalments(of: id, tenant: caller.tenant, today: await sweeper.calendars.today(for: caller.tenant))
        let payments = try await receivables.payments(of: id, tenant: caller.tenant)
        let currency = contract.total.currency
        let paid = instalments.reduce(Int64(0)) { $0 + $1.paid.minorUnits }
        return .with {
            $0.contractID = contract.id
            $0.total = contract.total
            $0.paid = .init(minorUnits: paid, currency: currency)
            $0.outstanding = .init(minorUnits: contract.total.minorUnits - paid, currency: currency)
            $0.credit = .init(minorUnits: payments.reduce(0) { $0 + $1.credit }, currency: currency)
            $0.instalments = instalments
            $0.payments = payments.map(\.message)
        }
    }
}
