import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// The demo chain's stores in three business districts, each with its clerk; a product file and
/// a member file; members who scanned a clerk's code and got a note; a week of receipts and a
/// coupon campaign, so the stores have something to compare. Loading again records nothing twice.
enum DemoStores {
    static let products: [(sku: String, name: String, category: String, fen: Int64)] = [
        ("NEB-100", "家用雾化器", "呼吸护理", 39_900), ("BP-200", "电子血压计", "慢病监测", 29_900),
        ("GLU-300", "血糖仪", "慢病监测", 19_900), ("GLU-STRIP-50", "血糖试纸 50片", "耗材", 8_900),
    ]

    /// Members on the chain's file: mobile, name, birth year.
    static let members: [(mobile: String, name: String, year: Int32)] = [
        ("13922200001", "黎美华", 1958), ("13922200002", "邓建国", 1962), ("13922200003", "何小燕", 1985),
        ("13922200004", "吴志明", 1949), ("13922200005", "苏婷", 1990), ("13922200006", "冯德胜", 1955),
    ]

    static func load(tokens: [String: String], adminToken: String, client: GRPCClient<HTTP2ClientTransport.Posix>) async throws -> Int {
        let stores = Sales_Storesales_V1_StoreService.Client(wrapping: client)
        let members = Sales_Storesales_V1_MemberService.Client(wrapping: client)
        let receipts = Sales_Storesales_V1_ReceiptService.Client(wrapping: client)
        let admin: Metadata = ["authorization": "Bearer \(adminToken)"]
        var opened = 0
        for demo in DemoOrg.stores {
            let manager: Metadata = ["authorization": "Bearer \(tokens[demo.manager]!)"]
            var withKey = manager
            withKey.addString("demo-store-\(demo.code)", forKey: "idempotency-key")
            let store = try await stores.createStore(
                .with {
                    $0.code = demo.code
                    $0.name = demo.name
                    $0.city = demo.city
                    $0.district = demo.district
                    $0.region = "华南"
                    $0.location = .with {
                        $0.latitude = demo.latitude
                        $0.longitude = demo.longitude
                    }
                }, metadata: withKey)
            let name = DemoOrg.people.first { $0.id == demo.clerk }?.name ?? demo.clerk
            _ = try await stores.addClerk(
                .with {
                    $0.storeID = store.id
                    $0.userID = demo.clerk
                    $0.name = name
                }, metadata: manager)
            opened += 1
        }
        let file = try await receipts.importProducts(
            .with {
                $0.rows = products.enumerated().map { index, product in
                    .with {
                        $0.line = Int32(index + 2)
                        $0.sku = product.sku
                        $0.name = product.name
                        $0.category = product.category
                        $0.price = .with {
                            $0.minorUnits = product.fen
                            $0.currency = "CNY"
                        }
                    }
                }
            }, metadata: admin)
        precondition(file.outcomes.allSatisfy { $0.errorCode.isEmpty }, "the demo product file goes in")
        let imported = try await members.importMembers(
            .with {
                $0.rows = Self.members.enumerated().map { index, member in
                    .with {
                        $0.line = Int32(index + 2)
                        $0.mobile = member.mobile
                        $0.name = member.name
                        $0.birthYear = member.year
                        $0.consent = true
                        $0.consentAt = "2026-06-01"
                    }
                }
            }, metadata: admin)
        // Each clerk served two members today: a scan of their code, a note, a purchase.
        for (index, outcome) in imported.outcomes.enumerated() {
            let store = DemoOrg.stores[index % DemoOrg.stores.count]
            let clerk: Metadata = ["authorization": "Bearer \(tokens[store.clerk]!)"]
            let member = try await members.getMember(.with { $0.memberID = outcome.id }, metadata: clerk)
            guard member.visits == 0 else { continue }
            let code = try await members.issueClerkCode(.init(), metadata: clerk)
            _ = try await members.scanClerkCode(
                .with {
                    $0.code = code.payload
                    $0.mobile = Self.members[index].mobile
                    $0.consent = true
                }, metadata: admin)
            _ = try await members.addMemberNote(
                .with {
                    $0.memberID = outcome.id
                    $0.rating = Int32(3 + index % 3)
                    $0.needs = ["想给父亲买血压计，关心是否好操作", "雾化器噪音大不大", "血糖试纸有没有会员价"][index % 3]
                    if index % 2 == 0 {
                        $0.media = [
                            .with {
                                $0.kind = "voice"
                                $0.ref = "demo-voice-\(index)"
                                $0.seconds = Int32(30 + index * 7)
                            }
                        ]
                    }
                }, metadata: clerk)
        }
        try await DemoStoreOperations.saveFeedbackRules(admin: admin, client: client)
        try await recordWeek(receipts: receipts, admin: admin)
        try await offerCoupons(
            members: imported.outcomes.map(\.id), coupons: Sales_Storesales_V1_CouponService.Client(wrapping: client), tokens: tokens, admin: admin)
        try await DemoStoreOperations.load(tokens: tokens, admin: admin, client: client)
        return opened
    }

    /// The 双12 campaign's coupons from each store to its members, the chain's re-engagement pack,
    /// and one coupon used at the counter: the comparison shows redemption, and the sweep tells
    /// the store managers of the unused ones after three days.
    private static func offerCoupons(
        members: [String], coupons: Sales_Storesales_V1_CouponService.Client<HTTP2ClientTransport.Posix>, tokens: [String: String],
        admin: Metadata
    ) async throws {
        for (category, offer) in [("", "邀请到店免费测血压，送试纸 10 片"), ("慢病监测", "到店免费测血糖，送血糖试纸 10 片")] {
            _ = try await coupons.setReengagementOffer(
                .with {
                    $0.offer = .with {
                        $0.category = category
                        $0.offer = offer
                    }
                }, metadata: admin)
        }
        for (index, store) in DemoOrg.stores.enumerated() {
            let manager: Metadata = ["authorization": "Bearer \(tokens[store.manager]!)"]
            let mine = members.indices.filter { $0 % DemoOrg.stores.count == index }.map { members[$0] }
            let issued = try await coupons.issueCoupons(
                .with {
                    $0.campaign = "双12会员日"
                    $0.category = "慢病监测"
                    $0.value = .with {
                        $0.minorUnits = 3_000
                        $0.currency = "CNY"
                    }
                    $0.validDays = 30
                    $0.memberIds = mine
                    $0.storeCode = store.code
                }, metadata: manager)
            guard let first = issued.coupons.first, !first.hasRedeemedAt else { continue }
            _ = try await coupons.redeemCoupon(
                .with {
                    $0.couponID = first.id
                    $0.storeCode = store.code
                    $0.receiptNumber = "\(store.code)-COUPON-1"
                }, metadata: ["authorization": "Bearer \(tokens[store.clerk]!)"])
        }
    }

    /// A week of till receipts a store, numbered by store and day, so a second load the same day
    /// records nothing new; today's carry the members just scanned and so take their clerks.
    private static func recordWeek(
        receipts: Sales_Storesales_V1_ReceiptService.Client<HTTP2ClientTransport.Posix>, admin: Metadata
    ) async throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Asia/Shanghai")!
        let today = calendar.startOfDay(for: Date())
        for (storeIndex, store) in DemoOrg.stores.enumerated() {
            for daysAgo in 0..<7 {
                let day = calendar.date(byAdding: .day, value: -daysAgo, to: today)!
                let stamp = day.formatted(.iso8601.year().month().day().dateSeparator(.omitted))
                for number in 0..<(1 + (storeIndex + daysAgo) % 3) {
                    let product = products[(storeIndex + daysAgo + number) % products.count]
                    // Today's sales follow the scans just made; earlier days' at fixed times of day.
                    let soldAt =
                        daysAgo == 0
                        ? Date().addingTimeInterval(TimeInterval(-60 * (number + 1)))
                        : day.addingTimeInterval(TimeInterval(10 * 3600 + number * 2_700 + storeIndex * 600))
                    let memberIndex = storeIndex + 3 * (number % 2)
                    let request = Sales_Storesales_V1_RecordReceiptRequest.with {
                        $0.receipt = .with {
                            $0.storeCode = store.code
                            $0.receiptNumber = "\(store.code)-\(stamp)-\(number + 1)"
                            $0.soldAt = Google_Protobuf_Timestamp(date: soldAt)
                            $0.paymentMethod = ["wechat", "alipay", "card"][number % 3]
                            if daysAgo == 0 { $0.memberMobile = members[memberIndex].mobile } else { $0.clerkUserID = store.clerk }
                            $0.items = [
                                .with {
                                    $0.sku = product.sku
                                    $0.quantity = Int64(1 + number)
                                    $0.unitPrice = .with {
                                        $0.minorUnits = product.fen
                                        $0.currency = "CNY"
                                    }
                                    if number == 1 {
                                        $0.discount = .with {
                                            $0.minorUnits = 2_000
                                            $0.currency = "CNY"
                                        }
                                    }
                                }
                            ]
                        }
                    }
                    do {
                        _ = try await receipts.recordReceipt(request, metadata: admin)
                    } catch let error as RPCError where error.code == .alreadyExists {
                        // Today's receipt from an earlier load, at an earlier time: it stands.
                    }
                }
            }
        }
    }
}
