import Foundation
import GRPCCore
import SalesControl
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf
import TestSupport
import Testing

@testable import StoreSalesService

extension EndToEnd {
    /// A store's loop over real gRPC against the store-sales executable: a customer scans a
    /// clerk's code and becomes a member (a forged and an expired code refused), the till's receipt attaches to
    /// both and is recorded once when sent again, a coupon redeemed at two tills at once is
    /// redeemed once, the clerk gets three suggestions with their reasons, and head office's
    /// comparison counts what happened. Another chain finds none of it.
    @Suite struct StoreLoopFlowTests {
        let tenant = TenantID("chain-\(UInt32.random(in: 0...UInt32.max))")!
        var admin: Caller { Caller(tenant: tenant, userID: "hq", roles: [.admin], orgPath: "/") }
        var clerk: Caller { Caller(tenant: tenant, userID: "zhao.min", roles: [.storeClerk], orgPath: "/east/nb") }
        var otherClerk: Caller { Caller(tenant: tenant, userID: "sun.li", roles: [.storeClerk], orgPath: "/east/nb") }
        var stranger: Caller {
            Caller(tenant: TenantID("chain-other-\(UInt32.random(in: 0...UInt32.max))")!, userID: "hq", roles: [.admin], orgPath: "/")
        }

        @Test func aScanAReceiptACouponAndTheComparison() async throws {
            let (stack, _, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            let mobile = "137" + String(format: "%08d", Int.random(in: 0..<100_000_000))
            let peerMobile = "136" + String(format: "%08d", Int.random(in: 0..<100_000_000))
            try await client.with(.storeSales) { grpc in
                let stores = Sales_Storesales_V1_StoreService.Client(wrapping: grpc)
                let members = Sales_Storesales_V1_MemberService.Client(wrapping: grpc)
                let receipts = Sales_Storesales_V1_ReceiptService.Client(wrapping: grpc)
                let coupons = Sales_Storesales_V1_CouponService.Client(wrapping: grpc)
                let asAdmin = try await client.metadata(admin)
                let asClerk = try await client.metadata(clerk)

                let store = try await stores.createStore(
                    .with {
                        $0.code = "NB-001"; $0.name = "宁波天一店"; $0.city = "宁波"; $0.district = "天一商圈"
                    }, metadata: asAdmin)
                for (user, name) in [(clerk.userID, "赵敏"), (otherClerk.userID, "孙丽")] {
                    _ = try await stores.addClerk(
                        .with {
                            $0.storeID = store.id; $0.userID = user; $0.name = name
                        }, metadata: asAdmin)
                }
                _ = try await receipts.importProducts(
                    .with {
                        $0.rows = [
                            ("SKU-REMOVER", "卸妆水", "护肤"), ("SKU-CLEANSER", "洁面乳", "护肤"), ("SKU-MASK", "补水面膜", "面膜"),
                            ("SKU-TONER", "爽肤水", "护肤"),
                        ]
                        .enumerated().map { index, product in
                            .with {
                                $0.line = Int32(index + 2); $0.sku = product.0; $0.name = product.1; $0.category = product.2
                                $0.price = .cny(9_900)
                            }
                        }
                    }, metadata: asAdmin)

                // The clerk's code: a forged one is refused and makes no member; the real one makes the member.
                let code = try await members.issueClerkCode(.init(), metadata: asClerk)
                var forged = Array(code.payload)
                forged[forged.count - 1] = forged.last == "a" ? "b" : "a"
                let refused = await #expect(throws: RPCError.self) {
                    try await members.scanClerkCode(
                        .with {
                            $0.code = String(forged); $0.mobile = mobile; $0.consent = true
                        }, metadata: asAdmin)
                }
                #expect(refused?.code == .invalidArgument)
                #expect(refused?.message.hasPrefix("code: does not verify") == true, "\(refused?.message ?? "")")
                // The same clerk's code as the service signed it 11 minutes ago (codes last 10).
                let clerkSeq = try #require(code.payload.split(separator: ".").first.flatMap { Int64($0, radix: 36) })
                let stale = ClerkCodeSigner(secret: TestEnvironment.jwtSecret, lifetimeMinutes: 10)
                    .issue(clerkSeq: clerkSeq, tenant: tenant, now: Date().addingTimeInterval(-11 * 60)).payload
                let expired = await #expect(throws: RPCError.self) {
                    try await members.scanClerkCode(
                        .with {
                            $0.code = stale; $0.mobile = mobile; $0.consent = true
                        }, metadata: asAdmin)
                }
                #expect(expired?.code == .failedPrecondition && expired?.message.contains("expired") == true, "\(expired?.message ?? "")")
                let scanned = try await members.scanClerkCode(
                    .with {
                        $0.code = code.payload; $0.mobile = mobile; $0.consent = true
                    }, metadata: asAdmin)
                #expect(scanned.newMember && scanned.member.firstClerkID == code.clerkID)
                #expect(scanned.member.mobile.masked.hasPrefix("137****"))

                // The till sends the member's mobile, not the clerk: the member's scan names the clerk.
                // Sent again (a till's retry), it is recorded once.
                let input = Sales_Storesales_V1_ReceiptInput.with {
                    $0.storeCode = "nb-001"; $0.receiptNumber = "T-1001"; $0.soldAt = .init(date: Date().addingTimeInterval(-120))
                    $0.paymentMethod = "wechat"; $0.memberMobile = mobile
                    $0.items = [
                        .with {
                            $0.sku = "SKU-REMOVER"; $0.quantity = 2; $0.unitPrice = .cny(9_900); $0.discount = .cny(1_000)
                        }
                    ]
                }
                let recorded = try await receipts.recordReceipt(.with { $0.receipt = input }, metadata: asAdmin)
                #expect(!recorded.alreadyRecorded)
                #expect(recorded.receipt.memberID == scanned.member.id && recorded.receipt.clerkID == code.clerkID)
                #expect(recorded.receipt.clerkSource == "scan" && recorded.receipt.total.minorUnits == 18_800)
                #expect(recorded.receipt.feedbackDueAt.date > recorded.receipt.soldAt.date, "a member's purchase owes the clerk's feedback")
                let again = try await receipts.recordReceipt(.with { $0.receipt = input }, metadata: asAdmin)
                #expect(again.alreadyRecorded && again.receipt.id == recorded.receipt.id)

                // A coupon for the member, redeemed at two tills at the same moment: one wins.
                let issued = try await coupons.issueCoupons(
                    .with {
                        $0.campaign = "双12会员日"; $0.category = "护肤"; $0.value = .cny(2_000); $0.validDays = 30
                        $0.memberIds = [scanned.member.id]; $0.storeCode = "NB-001"
                    }, metadata: asAdmin)
                let coupon = try #require(issued.coupons.first)
                let outcomes = await withTaskGroup(of: RPCError?.self) { group in
                    for (caller, receipt) in [(clerk, "T-1002"), (otherClerk, "T-1003")] {
                        group.addTask {
                            await refusal {
                                try await coupons.redeemCoupon(
                                    .with {
                                        $0.couponID = coupon.id; $0.storeCode = "NB-001"; $0.receiptNumber = receipt
                                    }, metadata: try await client.metadata(caller))
                            }
                        }
                    }
                    return await group.reduce(into: [RPCError?]()) { $0.append($1) }
                }
                #expect(outcomes.filter { $0 == nil }.count == 1)
                let lost = outcomes.compactMap { $0 }
                #expect(lost.count == 1 && lost.first?.code == .failedPrecondition)
                #expect(lost.first?.message.contains("already redeemed") == true, "\(lost.first?.message ?? "")")

                // Another member bought the remover with a cleanser; a walk-in bought three toners.
                let peerCode = try await members.issueClerkCode(.init(), metadata: try await client.metadata(otherClerk))
                _ = try await members.scanClerkCode(
                    .with {
                        $0.code = peerCode.payload; $0.mobile = peerMobile; $0.consent = true
                    }, metadata: asAdmin)
                for (number, member, items) in [
                    ("T-1004", peerMobile, [("SKU-REMOVER", 1), ("SKU-CLEANSER", 1)]), ("T-1005", "", [("SKU-TONER", 3)]),
                ] {
                    _ = try await receipts.recordReceipt(
                        .with {
                            $0.receipt = .with {
                                $0.storeCode = "NB-001"; $0.receiptNumber = number; $0.soldAt = .init(date: Date().addingTimeInterval(-60))
                                $0.paymentMethod = "alipay"; $0.memberMobile = member
                                $0.items = items.map { sku, quantity in
                                    .with {
                                        $0.sku = sku; $0.quantity = Int64(quantity); $0.unitPrice = .cny(9_900)
                                    }
                                }
                            }
                        }, metadata: asAdmin)
                }

                // The clerk opens the member: three suggestions, one from each source, each with why.
                let suggested = try await members.suggestForMember(
                    .with {
                        $0.memberID = scanned.member.id; $0.keywords = ["面膜"]
                    }, metadata: asClerk
                ).suggestions
                #expect(suggested.map(\.source) == ["keyword", "bought_together", "bestseller"])
                #expect(suggested.map(\.sku) == ["SKU-MASK", "SKU-CLEANSER", "SKU-TONER"])
                #expect(suggested.allSatisfy { !$0.why.isEmpty })
                #expect(!suggested.contains { $0.why.contains(mobile) }, "de-identified: no mobile in a reason")

                // Head office's comparison counts the scans, the receipts and the coupon.
                let today = LocalDays.fromToday(0)
                let comparison = try await stores.getStoreComparison(
                    .with {
                        $0.from = LocalDays.fromToday(-1); $0.to = today
                    }, metadata: asAdmin)
                let row = try #require(comparison.rows.first { $0.key == "NB-001" })
                #expect(row.membersScanned == 2 && row.scansConverted == 2 && row.scanConversionBp == 10_000)
                #expect(row.receipts == 3 && row.revenue.minorUnits == 18_800 + 19_800 + 29_700)
                #expect(row.couponsIssued == 1 && row.couponsRedeemed == 1)

                // Another chain: the store's comparison is empty, the member and the coupon are not found.
                let asStranger = try await client.metadata(stranger)
                let foreign = try await stores.getStoreComparison(
                    .with {
                        $0.from = LocalDays.fromToday(-1); $0.to = today
                    }, metadata: asStranger)
                #expect(foreign.rows.isEmpty)
                let notFound = await #expect(throws: RPCError.self) {
                    try await members.getMember(.with { $0.memberID = scanned.member.id }, metadata: asStranger)
                }
                #expect(notFound?.code == .notFound)
                let couponNotFound = await #expect(throws: RPCError.self) {
                    try await coupons.redeemCoupon(
                        .with {
                            $0.couponID = coupon.id; $0.storeCode = "NB-001"; $0.receiptNumber = "T-9"
                        }, metadata: asStranger)
                }
                #expect(couponNotFound?.code == .notFound)
            }
        }
    }
}
