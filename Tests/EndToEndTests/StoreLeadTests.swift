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
    /// A receipt's customer who asks for a business follow-up becomes a lead in the leads
    /// service, over real gRPC between the two, once a receipt.
    @Suite struct StoreLeadTests {
        let tenant = TenantID("chain-\(UInt32.random(in: 0...UInt32.max))")!
        var admin: Caller { Caller(tenant: tenant, userID: "hq", roles: [.admin], orgPath: "/") }
        var miniProgram: Caller { Caller(tenant: tenant, userID: "mini-program", roles: [.rep], orgPath: "/") }
        var stranger: Caller {
            Caller(tenant: TenantID("chain-other-\(UInt32.random(in: 0...UInt32.max))")!, userID: "hq", roles: [.admin], orgPath: "/")
        }

        @Test func aReceiptsCustomerBecomesALeadOnce() async throws {
            let (stack, _, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            let mobile = "135" + String(format: "%08d", Int.random(in: 0..<100_000_000))
            let (first, again, refusals) = try await client.with(.storeSales) { grpc in
                let stores = Sales_Storesales_V1_StoreService.Client(wrapping: grpc)
                let receipts = Sales_Storesales_V1_ReceiptService.Client(wrapping: grpc)
                let asAdmin = try await client.metadata(admin)
                _ = try await stores.createStore(
                    .with {
                        $0.code = "HZ-001"; $0.name = "杭州西湖店"; $0.city = "杭州"; $0.district = "湖滨商圈"
                    }, metadata: asAdmin)
                _ = try await receipts.importProducts(
                    .with {
                        $0.rows = [
                            .with {
                                $0.line = 2; $0.sku = "BP-200"; $0.name = "电子血压计"
                            }
                        ]
                    }, metadata: asAdmin)
                _ = try await receipts.recordReceipt(
                    .with {
                        $0.receipt = .with {
                            $0.storeCode = "HZ-001"; $0.receiptNumber = "T-9"; $0.soldAt = .init(date: Date().addingTimeInterval(-60))
                            $0.paymentMethod = "card"
                            $0.items = [
                                .with {
                                    $0.sku = "BP-200"; $0.quantity = 1;
                                    $0.unitPrice = .with {
                                        $0.minorUnits = 29_900; $0.currency = "CNY"
                                    }
                                }
                            ]
                        }
                    }, metadata: asAdmin)
                let referral = Sales_Storesales_V1_ReferStoreLeadRequest.with {
                    $0.storeCode = "hz-001"; $0.receiptNumber = "T-9"; $0.contactName = "周女士"; $0.mobile = mobile
                    $0.companyName = "杭州康宁养老院"; $0.need = "养老院采购 20 台血压计"
                }
                let first = try await receipts.referStoreLead(referral, metadata: try await client.metadata(miniProgram))
                let again = try await receipts.referStoreLead(referral, metadata: try await client.metadata(miniProgram))
                var refusals: [RPCError.Code?] = []
                for (request, caller) in [
                    (referral, stranger), (referral.with { $0.receiptNumber = "T-404" }, miniProgram),
                    (referral.with { $0.mobile = "12345" }, miniProgram), (referral.with { $0.contactName = "" }, miniProgram),
                    (referral.with { $0.need = "x\u{0}" }, miniProgram),
                ] {
                    do {
                        _ = try await receipts.referStoreLead(request, metadata: try await client.metadata(caller))
                        refusals.append(nil)
                    } catch let error as RPCError {
                        refusals.append(error.code)
                    }
                }
                return (first, again, refusals)
            }
            #expect(!first.alreadyReferred && !first.leadID.isEmpty)
            #expect(again.alreadyReferred && again.leadID == first.leadID)
            #expect(refusals == [.notFound, .notFound, .invalidArgument, .invalidArgument, .invalidArgument])
            let lead = try await client.with(.leads) { grpc in
                try await Sales_Leads_V1_LeadService.Client(wrapping: grpc).getLead(
                    .with { $0.id = first.leadID }, metadata: try await client.metadata(admin))
            }
            #expect(lead.channel == .storePos)
            #expect(lead.companyName == "杭州康宁养老院")
            #expect(lead.inquiry == "养老院采购 20 台血压计")
            #expect(lead.city == "杭州")
        }
    }
}

extension Sales_Storesales_V1_ReferStoreLeadRequest {
    fileprivate func with(_ change: (inout Self) -> Void) -> Self {
        var copy = self
        change(&copy)
        return copy
    }
}
