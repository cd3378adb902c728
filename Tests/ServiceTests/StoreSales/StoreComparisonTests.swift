import Foundation
import GRPCCore
import PostgresNIO
import SalesModel
import SalesProto
import ServiceKit
import StoreSalesService
import SwiftProtobuf
import TestSupport
import Testing

/// Head office's comparison, per store and per business district, from what clerks and tills did.
@Suite struct StoreComparisonTests {
    @Test func storesAndDistrictsCompareOnWhatClerksAndTillsDid() async throws {
        try await StoreScene.hosted { scene in
            _ = try await scene.openStore()
            let second = try await scene.stores.createStore(
                .with {
                    $0.code = "SH-002"
                    $0.name = "陆家嘴店"
                    $0.district = "陆家嘴"
                }, metadata: try await scene.metadata(scene.manager))
            _ = try await scene.stores.addClerk(
                .with {
                    $0.storeID = second.id
                    $0.userID = scene.otherClerk.userID
                    $0.name = "刘洋"
                }, metadata: try await scene.metadata(scene.manager))
            // At SH-001: A and B scan; A buys (3 minutes ago), gets a note, uses a coupon; a walk-in buys.
            let a = try await scene.scan("13800138000", of: scene.clerk).member
            let b = try await scene.scan("13900139000", of: scene.clerk).member
            _ = try await scene.record(
                StoreScene.receipt("R-1", member: "13800138000", items: [("SKU-CLEANSER", 1, 12_800, 0)], soldAt: Date().addingTimeInterval(-180)))
            _ = try await scene.record(StoreScene.receipt("R-2", items: [("SKU-REMOVER", 1, 9_900, 0)]))
            _ = try await scene.members.addMemberNote(
                .with {
                    $0.memberID = a.id
                    $0.rating = 5
                }, metadata: try await scene.metadata(scene.clerk))
            let coupons = try await CouponTests.issue(scene, [a.id, b.id]).coupons
            _ = try await scene.coupons.redeemCoupon(
                .with {
                    $0.couponID = coupons[0].id
                    $0.storeCode = "SH-001"
                }, metadata: try await scene.metadata(scene.clerk))
            // A comes back, at SH-002 a minute ago.
            _ = try await scene.record(
                StoreScene.receipt(
                    "L-1", store: "SH-002", member: "13800138000", clerk: scene.otherClerk.userID, items: [("SKU-REMOVER", 2, 9_900, 900)],
                    soldAt: Date().addingTimeInterval(-60)))

            let asked = Sales_Storesales_V1_GetStoreComparisonRequest.with {
                $0.from = LocalDays.fromToday(-1)
                $0.to = LocalDays.fromToday(1)
            }
            let byStore = try await scene.stores.getStoreComparison(asked, metadata: try await scene.metadata(scene.admin))
            #expect(byStore.rows.map(\.key) == ["SH-001", "SH-002"])
            let first = byStore.rows[0]
            #expect(first.membersScanned == 2 && first.scansConverted == 1 && first.scanConversionBp == 5_000)
            #expect(first.receipts == 2 && first.revenue == StoreScene.money(22_700))
            #expect(first.servedReceipts == 1 && first.notedReceipts == 1 && first.noteCompletenessBp == 10_000)
            #expect(first.feedback15MinuteBp == 10_000)
            #expect(first.couponsIssued == 2 && first.couponsRedeemed == 1 && first.couponRedemptionBp == 5_000)
            #expect(first.buyers == 1 && first.repeat30DayBp == 10_000 && first.repeat90DayBp == 10_000)
            let other = byStore.rows[1]
            #expect(other.membersScanned == 0 && other.scanConversionBp == 0)
            #expect(other.servedReceipts == 1 && other.notedReceipts == 0 && other.noteCompletenessBp == 0)
            #expect(other.revenue == StoreScene.money(18_900))
            #expect(other.buyers == 1 && other.repeat30DayBp == 0)
            #expect(byStore.total.stores == 2 && byStore.total.receipts == 3 && byStore.total.noteCompletenessBp == 5_000)

            var byDistrict = asked
            byDistrict.groupBy = "district"
            let districts = try await scene.stores.getStoreComparison(byDistrict, metadata: try await scene.metadata(scene.manager))
            #expect(districts.rows.map(\.key) == ["徐家汇", "陆家嘴"].sorted())
            #expect(districts.rows.map(\.stores) == [1, 1])

            // Days before any of it: zeros, not errors.
            var earlier = asked
            earlier.from = "2025-01-01"
            earlier.to = "2025-01-31"
            #expect(try await scene.stores.getStoreComparison(earlier, metadata: try await scene.metadata(scene.admin)).total.receipts == 0)
            // Who sees what: the string-prefix sibling manager and another chain see no store.
            for caller in [scene.siblingManager, scene.stranger] {
                let seen = try await scene.stores.getStoreComparison(asked, metadata: try await scene.metadata(caller))
                #expect(seen.rows.isEmpty && seen.total.receipts == 0, "\(caller.userID)")
            }
        }
    }

    @Test func badSpansAreRefusedNamingTheField() async throws {
        try await StoreScene.hosted { scene in
            let cases: [(String, String, String, String)] = [
                ("", "2026-11-30", "", "from"), ("2026-11-01", "", "", "to"), ("2026-13-01", "2026-11-30", "", "from"),
                ("2026-11-1", "2026-11-30", "", "from"), ("2026-11-30", "2026-11-01", "", "to"), ("2024-01-01", "2026-01-01", "", "to"),
                ("2026-11-01", "2026-11-30", "city", "group_by"), ("2026-11-01\u{0}", "2026-11-30", "", "from"),
            ]
            for (from, to, group, field) in cases {
                let error = await #expect(throws: RPCError.self) {
                    try await scene.stores.getStoreComparison(
                        .with {
                            $0.from = from
                            $0.to = to
                            $0.groupBy = group
                        }, metadata: try await scene.metadata(scene.admin))
                }
                #expect(error?.code == .invalidArgument)
                #expect(error?.message.hasPrefix("\(field):") == true, "\(error?.message ?? "")")
            }
            let clerk = await #expect(throws: RPCError.self) {
                try await scene.stores.getStoreComparison(
                    .with {
                        $0.from = "2026-11-01"
                        $0.to = "2026-11-30"
                    }, metadata: try await scene.metadata(scene.clerk))
            }
            #expect(clerk?.code == .permissionDenied)
        }
    }
}
