import Foundation
import GRPCCore
import SalesControl
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf
import TestSupport
import Testing

extension EndToEnd {
    /// `salesctl import payments` against the running stack over gRPC: a bank file's rows recorded
    /// against a signed contract, a bad amount and an unknown contract reported with their line and
    /// column, and the same file again recorded once.
    @Suite struct PaymentImportTests {
        @Test func aBankFileIsRecordedOnceWithItsBadRowsReported() async throws {
            let (stack, _, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            let tenant = TenantID("pay-\(UInt32.random(in: 0...UInt32.max))")!
            let admin = Caller(tenant: tenant, userID: "admin", roles: [.admin], orgPath: "/")
            let rep = Caller(tenant: tenant, userID: "li.na", roles: [.rep], orgPath: "/east")
            let finance = Caller(tenant: tenant, userID: "fang.cai", roles: [.finance], orgPath: "/hq")
            let contract = try await client.with(.opportunities) { grpc in
                // A pipeline without gates, so the contract is the only step to the win.
                _ = try await Sales_Opportunities_V1_PipelineService.Client(wrapping: grpc).savePipeline(
                    .with {
                        $0.pipeline = .with {
                            $0.name = "simple"
                            $0.isDefault = true
                            $0.allowSkipping = true
                            $0.stages = [("Open", Int32(20), Sales_Opportunities_V1_StageOutcome.open), ("Won", 100, .won), ("Lost", 0, .lost)]
                                .map { key, probability, outcome in
                                    .with {
                                        $0.key = key
                                        $0.defaultProbability = probability
                                        $0.outcome = outcome
                                    }
                                }
                        }
                    }, metadata: try await client.metadata(admin))
                let asRep = try await client.metadata(rep)
                let deal = try await Sales_Opportunities_V1_OpportunityService.Client(wrapping: grpc).createOpportunity(
                    .with {
                        $0.name = "年度维保"; $0.customerName = "瑞金医院"; $0.amount = .init(minorUnits: 10_000, currency: "CNY")
                        $0.expectedClose = Google_Protobuf_Timestamp(date: Date().addingTimeInterval(30 * 86_400))
                    }, metadata: asRep)
                let quotes = Sales_Opportunities_V1_QuoteService.Client(wrapping: grpc)
                let quote = try await quotes.createQuote(
                    .with {
                        $0.opportunityID = deal.id
                        $0.lines = [
                            .with {
                                $0.product = "年度维保"; $0.quantity = 1; $0.unitListPrice = .init(minorUnits: 10_000, currency: "CNY")
                            }
                        ]
                        $0.paymentPlan = [(Int32(5_000), Int32(0)), (5_000, 30)].map { share, days in
                            .with {
                                $0.shareBasisPoints = share
                                $0.dueDays = days
                            }
                        }
                    }, metadata: asRep)
                _ = try await quotes.acceptQuote(.with { $0.id = quote.id }, metadata: asRep)
                let contracts = Sales_Opportunities_V1_ContractService.Client(wrapping: grpc)
                let draft = try await contracts.createContract(
                    .with {
                        $0.quoteID = quote.id
                        $0.signingDate = "2026-09-01"
                    }, metadata: asRep)
                _ = try await contracts.submitContract(.with { $0.id = draft.id }, metadata: asRep)
                return try await contracts.signContract(
                    .with {
                        $0.id = draft.id
                        $0.document = Data("%PDF-1.7\n签字页\n%%EOF\n".utf8)
                    }, metadata: asRep)
            }
            #expect(contract.state == .signed)

            let file = NSTemporaryDirectory() + "payments-\(UUID().uuidString).csv"
            try """
            合同编号,流水号,金额,到账日期
            \(contract.id),ICBC-1,60.00,2026/9/3
            \(contract.id),ICBC-1,60.00,2026/9/3
            \(contract.id),ICBC-2,12.345,2026-09-10
            \(UUID().uuidString),ICBC-3,1.00,2026-09-10
            \(contract.id),ICBC-4,"1,000.00",2026-09-20

            """.write(toFile: file, atomically: true, encoding: .utf8)
            let importer = PaymentImport(port: stack.plan.grpcPort(.opportunities), token: try await client.token(finance))
            let first = try await importer.run(file: file)
            #expect(first.rows == 5 && first.recorded == 2 && first.alreadyRecorded == 1, "\(first)")
            #expect(first.refused.map(\.line) == [4, 5])
            #expect(first.refused.map(\.column) == ["amount", "contract_id"])
            #expect(first.refused[1].reason.contains("not found"))
            let again = try await importer.run(file: file)
            #expect(again.recorded == 0 && again.alreadyRecorded == 3 && again.refused.count == 2)

            let account = try await client.with(.opportunities) { grpc in
                try await Sales_Opportunities_V1_ReceivableService.Client(wrapping: grpc).getContractAccount(
                    .with { $0.contractID = contract.id }, metadata: try await client.metadata(finance))
            }
            // 60.00 then 1,000.00 against 100.00: both instalments paid, 960.00 kept as credit.
            #expect(account.paid.minorUnits == 10_000 && account.credit.minorUnits == 96_000 && account.payments.count == 2)
            #expect(account.payments.allSatisfy { $0.source == "file" })
            // The file's rows go grouped by contract, each contract's in the file's order: the
            // 60.00 listed first paid the first instalment, though another contract's row came between.
            let listedFirst = account.payments.first { $0.reference == "ICBC-1" }
            #expect(listedFirst?.allocations.map(\.number) == [1, 2], "\(account.payments)")
            #expect(listedFirst?.allocations.map(\.amount.minorUnits) == [5_000, 1_000])
        }
    }
}
