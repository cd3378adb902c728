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
    /// A store's day of operations over real gRPC: its clerk's uploads, a group-buy order checked
    /// against the promotion, a complaint heard three days running, and head office's board;
    /// another chain's store is not found.
    @Suite struct StoreOperationsFlowTests {
        let tenant = TenantID("chain-\(UInt32.random(in: 0...UInt32.max))")!
        var admin: Caller { Caller(tenant: tenant, userID: "hq", roles: [.admin], orgPath: "/") }
        var clerk: Caller { Caller(tenant: tenant, userID: "xu.li", roles: [.storeClerk], orgPath: "/south/hz") }

        @Test func aStoresDayReachesHeadOffice() async throws {
            let (stack, _, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            try await client.with(.storeSales) { grpc in
                let stores = Sales_Storesales_V1_StoreService.Client(wrapping: grpc)
                let operations = Sales_Storesales_V1_StoreOperationsService.Client(wrapping: grpc)
                let asAdmin = try await client.metadata(admin)
                let asClerk = try await client.metadata(clerk)
                let store = try await stores.createStore(
                    .with {
                        $0.code = "HZ-002"; $0.name = "杭州湖滨店"; $0.city = "杭州"; $0.district = "湖滨商圈"
                    }, metadata: asAdmin)
                _ = try await stores.addClerk(
                    .with {
                        $0.storeID = store.id; $0.userID = clerk.userID; $0.name = "徐丽"
                    }, metadata: asAdmin)
                _ = try await operations.savePromotion(
                    .with {
                        $0.code = "MT-SET"; $0.name = "美团套餐"; $0.firstDay = LocalDays.fromToday(-3); $0.lastDay = LocalDays.fromToday(3)
                        $0.discountKind = .fixedPrice; $0.fixedPrice = .init(minorUnits: 19_900, currency: "CNY"); $0.items = ["团购海报"]
                    }, metadata: asAdmin)

                for photo in 1...3 {
                    _ = try await operations.recordUpload(
                        .with {
                            $0.storeCode = "hz-002"; $0.kind = .shelfPhoto; $0.content = Data("shelf \(photo)".utf8); $0.contentType = "image/webp"
                            if photo == 1 {
                                $0.promotionCode = "MT-SET"; $0.promotionItem = "团购海报"
                            }
                        }, metadata: asClerk)
                }
                for daysAgo in 0..<5 {
                    _ = try await operations.recordUpload(
                        .with {
                            $0.storeCode = "HZ-002"; $0.kind = .consultation; $0.day = LocalDays.fromToday(-daysAgo % 3)
                            $0.recordingSha256 = String(format: "%064x", daysAgo + 1); $0.durationSeconds = 90
                            $0.transcript = "顾客说结账排队太久了"
                        }, metadata: asClerk)
                }
                let order = try await operations.recordUpload(
                    .with {
                        $0.storeCode = "HZ-002"; $0.kind = .groupBuy; $0.content = Data("order".utf8); $0.contentType = "image/png"
                        $0.groupBuy = .with {
                            $0.orderNumber = "MT-77"; $0.promotionCode = "MT-SET"
                            $0.orderAmount = .init(minorUnits: 29_900, currency: "CNY"); $0.discount = .init(minorUnits: 9_000, currency: "CNY")
                        }
                    }, metadata: asClerk)
                #expect(!order.discountCheck.matches && order.discountCheck.expectedDiscount.minorUnits == 10_000)

                let board = try await operations.getOperationsBoard(.init(), metadata: asAdmin)
                let day = try #require(board.stores.first)
                #expect(day.storeCode == "HZ-002" && day.shelfPhotos == 3 && day.consultations == 2 && day.missing == ["咨询录音 2/5"])
                #expect(day.groupBuyMismatches == 1 && day.promotions.first?.executionBp == 10_000)
                #expect(board.scenarioCandidates.map(\.topic) == ["排队结账太久"] && board.scenarioCandidates.first?.scenario == "checkout")

                let other = Caller(tenant: TenantID("chain-other-\(UInt32.random(in: 0...UInt32.max))")!, userID: "hq", roles: [.admin], orgPath: "/")
                let refused = await #expect(throws: RPCError.self) {
                    try await operations.recordUpload(
                        .with {
                            $0.storeCode = "HZ-002"; $0.kind = .shelfPhoto; $0.content = Data("x".utf8); $0.contentType = "image/jpeg"
                        }, metadata: try await client.metadata(other))
                }
                #expect(refused?.code == .notFound)
                #expect(try await operations.getOperationsBoard(.init(), metadata: try await client.metadata(other)).stores.isEmpty)
            }
        }
    }
}
