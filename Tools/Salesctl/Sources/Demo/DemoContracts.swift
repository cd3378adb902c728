import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// The demo's cash: the deal in 商务谈判 meant to be won gets a green quote (terms within the
/// industry's 60 days) the customer accepts, and a contract on its terms signed 50 days before the
/// quote's date, which wins the deal through the gate: its 30% paid, its 60% 20 days overdue with
/// part paid and the invoice awaiting acceptance, its 10% due in 10 days. Then the deal's people
/// confirm their contribution. The ERP took the contract as its sales order; the late payment
/// comes back from the ERP's export.
enum DemoContracts {
    static let company = "上海康瑞医疗器械有限公司"
    static let signedDaysAgo = 50

    /// `erpFolder`: the file ERP's (SALES_ERP_DIR); the second payment then comes from its export.
    static func load(
        _ deal: DemoDeals.Deal, tokens: [String: String], financeToken: String, erpFolder: String?,
        client: GRPCClient<HTTP2ClientTransport.Posix>
    ) async throws {
        let quotes = Sales_Opportunities_V1_QuoteService.Client(wrapping: client)
        let contracts = Sales_Opportunities_V1_ContractService.Client(wrapping: client)
        let receivables = Sales_Opportunities_V1_ReceivableService.Client(wrapping: client)
        func asRep(_ step: String) -> Metadata { ["authorization": "Bearer \(deal.token)", "idempotency-key": "demo-contract-\(step)"] }
        let asFinance: Metadata = ["authorization": "Bearer \(financeToken)"]
        guard let company = DemoCompanies.all.first(where: { $0.name == company }) else { return }
        let quote = try await quotes.createQuote(
            .with {
                $0.opportunityID = deal.id
                $0.lines = [
                    .with {
                        $0.product = "腔镜手术系统（含三年维保）"
                        $0.quantity = 1
                        $0.unitListPrice = .init(minorUnits: 1_560_000_00, currency: "CNY")
                        $0.discountBasisPoints = 300
                        $0.unitCost = .init(minorUnits: 1_010_000_00, currency: "CNY")
                    }
                ]
                $0.paymentPlan = [(Int32(3_000), Int32(0)), (6_000, 30), (1_000, 60)].map { part in
                    .with {
                        $0.shareBasisPoints = part.0
                        $0.dueDays = part.1
                    }
                }
                $0.creditCode = company.code.rawValue
                $0.industry = company.industry
            }, metadata: asRep("quote"))
        _ = try await quotes.acceptQuote(.with { $0.id = quote.id }, metadata: asRep("accept"))
        // Dated from the quote (kept by its key), so a second load asks for the same contract.
        let signedAt = quote.createdAt.date.addingTimeInterval(-Double(signedDaysAgo) * 86_400)
        let signing = Self.day(signedAt)
        let draft = try await contracts.createContract(
            .with {
                $0.quoteID = quote.id
                $0.signingDate = signing
            }, metadata: asRep("create"))
        _ = try await contracts.submitContract(.with { $0.id = draft.id }, metadata: asRep("submit"))
        let signed = try await contracts.signContract(
            .with {
                $0.id = draft.id
                $0.document = Data("%PDF-1.7\n% 腔镜手术系统采购合同 · 签字盖章页\n%%EOF\n".utf8)
                $0.feedback = "合同已盖章，首付款三日内到账"
            }, metadata: asRep("sign"))
        try await DemoDeals.confirmContributions(of: deal, tokens: tokens, client: client)

        let instalments = try await receivables.getContractAccount(.with { $0.contractID = signed.id }, metadata: asFinance).instalments
        guard instalments.count == 3 else { return }
        // The first instalment in full three days after signing, by the API; 40% of the second,
        // late, from the ERP's export (the ERP took the contract as its order at signing).
        let first = Self.day(signedAt.addingTimeInterval(3 * 86_400))
        _ = try await receivables.recordPayment(
            .with {
                $0.contractID = signed.id
                $0.reference = "ICBC-DEMO-0001"
                $0.amount = .init(minorUnits: instalments[0].amount.minorUnits, currency: "CNY")
                $0.receivedOn = first
            }, metadata: asFinance)
        let (late, lateDay) = (instalments[1].amount.minorUnits * 4 / 10, Self.day(signedAt.addingTimeInterval(25 * 86_400)))
        if let erpFolder, !signed.erpOrderID.isEmpty {
            let payments = URL(fileURLWithPath: erpFolder).appendingPathComponent(DemoOrg.tenant).appendingPathComponent("payments")
            try FileManager.default.createDirectory(at: payments, withIntermediateDirectories: true)
            let line =
                #"{"order_id": "\#(signed.erpOrderID)", "reference": "ICBC-DEMO-0002", "amount_fen": \#(late), "currency": "CNY", "received_on": "\#(lateDay)"}"#
            try (line + "\n").write(to: payments.appendingPathComponent("erp-\(signed.id).jsonl"), atomically: true, encoding: .utf8)
            _ = try await receivables.syncErp(.init(), metadata: asFinance)
        } else {
            _ = try await receivables.recordPayment(
                .with {
                    $0.contractID = signed.id
                    $0.reference = "ICBC-DEMO-0002"
                    $0.amount = .init(minorUnits: late, currency: "CNY")
                    $0.receivedOn = lateDay
                }, metadata: asFinance)
        }
        for (index, step, number) in [
            (0, Sales_Opportunities_V1_InvoiceStep.accepted, "31000261100001"), (1, .delivered, "31000261100002"),
        ] {
            var metadata = asFinance
            metadata.addString("demo-invoice-\(index)-\(step.rawValue)", forKey: "idempotency-key")
            _ = try await receivables.recordInvoice(
                .with {
                    $0.instalmentID = instalments[index].instalmentID
                    $0.step = step
                    $0.invoiceNumber = number
                }, metadata: metadata)
        }
    }

    /// The calendar day of `instant` in the demo's zone (Shanghai), YYYY-MM-DD.
    static func day(_ instant: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Asia/Shanghai")!
        let parts = calendar.dateComponents([.year, .month, .day], from: instant)
        return String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
    }
}
