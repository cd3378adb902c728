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

/// Coupons: issued once a campaign, redeemed once, and a nudge to the store manager when one
/// sits unused; the clerk's reminder when a member's purchase gets no feedback.
@Suite struct CouponTests {
    static func issue(_ scene: StoreScene, _ members: [String], campaign: String = "双12会员日", category: String = "护肤", days: Int32 = 30)
        async throws -> Sales_Storesales_V1_IssueCouponsResponse
    {
        try await scene.coupons.issueCoupons(
            .with {
                $0.campaign = campaign
                $0.category = category
                $0.value = StoreScene.money(2_000)
                $0.validDays = days
                $0.memberIds = members
                $0.storeCode = "SH-001"
            }, metadata: try await scene.metadata(scene.manager))
    }

    @Test func aCouponIsIssuedOnceACampaignAndRedeemedOnceEvenAtOnce() async throws {
        try await StoreScene.hosted { scene in
            _ = try await scene.openStore()
            let member = try await scene.scan("13800138000", of: scene.clerk).member
            let first = try await Self.issue(scene, [member.id])
            #expect(first.issued == 1)
            let again = try await Self.issue(scene, [member.id])
            #expect(again.issued == 0 && again.alreadyHeld == 1)
            #expect(again.coupons.map(\.id) == first.coupons.map(\.id))
            let coupon = first.coupons[0]

            // Two tills redeem it at the same moment: one wins, the other is told when and where.
            let outcomes = await withTaskGroup(of: Result<Sales_Storesales_V1_Coupon, RPCError>.self) { group in
                for (caller, receipt) in [(scene.clerk, "R-1"), (scene.otherClerk, "R-2")] {
                    group.addTask {
                        do {
                            return .success(
                                try await scene.coupons.redeemCoupon(
                                    .with {
                                        $0.couponID = coupon.id
                                        $0.storeCode = "SH-001"
                                        $0.receiptNumber = receipt
                                    }, metadata: try await scene.metadata(caller)))
                        } catch let error as RPCError {
                            return .failure(error)
                        } catch {
                            return .failure(RPCError(code: .unknown, message: "\(error)"))
                        }
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            let won = outcomes.compactMap { try? $0.get() }
            let lost = outcomes.compactMap { outcome -> RPCError? in if case .failure(let error) = outcome { error } else { nil } }
            #expect(won.count == 1 && lost.count == 1)
            #expect(lost.first?.code == .failedPrecondition)
            #expect(lost.first?.message.contains("already redeemed") == true)
            // The winning till's retry answers the coupon; the event went out once.
            let retry = try await scene.coupons.redeemCoupon(
                .with {
                    $0.couponID = coupon.id
                    $0.storeCode = "SH-001"
                    $0.receiptNumber = won[0].receiptNumber
                }, metadata: try await scene.metadata(scene.clerk))
            #expect(retry.redeemedAt == won[0].redeemedAt)
            let events = try await scene.database.query(
                "SELECT count(*) FROM outbox WHERE event_type LIKE '%CouponRedeemed' AND aggregate_id = \(coupon.id)")
            for try await count in events.decode(Int64.self) { #expect(count == 1) }

            // The member's taste: the category they took and used.
            let opened = try await scene.members.getMember(.with { $0.memberID = member.id }, metadata: try await scene.metadata(scene.clerk))
            #expect(opened.preferences.map(\.category) == ["护肤"])
            #expect(opened.preferences.first?.redeemed == 1)
        }
    }

    @Test func expiredForeignAndBadCouponsAreRefused() async throws {
        try await StoreScene.hosted { scene in
            _ = try await scene.openStore()
            _ = try await scene.openStore("SH-002", district: "陆家嘴")
            let member = try await scene.scan("13800138000", of: scene.clerk).member
            let coupon = try await Self.issue(scene, [member.id]).coupons[0]
            try await scene.database.query("UPDATE coupons SET expires_at = now() - interval '1 minute' WHERE id = \(UUID(uuidString: coupon.id)!)")
            func redeem(_ id: String, store: String = "SH-001", by caller: Caller) async -> RPCError? {
                await #expect(throws: RPCError.self) {
                    try await scene.coupons.redeemCoupon(
                        .with {
                            $0.couponID = id
                            $0.storeCode = store
                        }, metadata: try await scene.metadata(caller))
                }
            }
            let expired = await redeem(coupon.id, by: scene.manager)
            #expect(expired?.code == .failedPrecondition && expired?.message.contains("expired") == true)
            #expect(await redeem(coupon.id, by: scene.stranger)?.code == .notFound, "another chain's store")
            #expect(await redeem(UUID().uuidString, by: scene.clerk)?.code == .notFound)
            #expect(await redeem("nope", by: scene.clerk)?.code == .invalidArgument)
            // The clerks now work at SH-002 (openStore moved them): SH-001 is not their counter.
            #expect(await redeem(coupon.id, store: "SH-001", by: scene.clerk)?.code == .notFound)

            let bad: [(Sales_Storesales_V1_IssueCouponsRequest, String)] = [
                (
                    .with {
                        $0.category = "c"; $0.value = StoreScene.money(1); $0.validDays = 1; $0.memberIds = [member.id]
                    }, "campaign"
                ),
                (
                    .with {
                        $0.campaign = "c"; $0.category = "c"; $0.value = StoreScene.money(0); $0.validDays = 1; $0.memberIds = [member.id]
                    }, "value.minor_units"
                ),
                (
                    .with {
                        $0.campaign = "c"; $0.category = "c"; $0.value = StoreScene.money(1); $0.validDays = 400; $0.memberIds = [member.id]
                    }, "valid_days"
                ),
                (
                    .with {
                        $0.campaign = "c"; $0.category = "c"; $0.value = StoreScene.money(1); $0.validDays = 1; $0.memberIds = []
                    }, "member_ids"
                ),
                (
                    .with {
                        $0.campaign = "c"; $0.category = "c"; $0.value = StoreScene.money(1); $0.validDays = 1; $0.memberIds = [member.id, member.id]
                    }, "member_ids"
                ),
                (
                    .with {
                        $0.campaign = "c\u{0}"; $0.category = "c"; $0.value = StoreScene.money(1); $0.validDays = 1; $0.memberIds = [member.id]
                    }, "campaign"
                ),
            ]
            for (request, field) in bad {
                let error = await #expect(throws: RPCError.self) {
                    try await scene.coupons.issueCoupons(request, metadata: try await scene.metadata(scene.manager))
                }
                #expect(error?.code == .invalidArgument)
                #expect(error?.message.hasPrefix("\(field):") == true, "\(error?.message ?? "")")
            }
            // Another chain's member.
            let foreign = await #expect(throws: RPCError.self) {
                try await scene.coupons.issueCoupons(
                    .with {
                        $0.campaign = "c"; $0.category = "c"; $0.value = StoreScene.money(1); $0.validDays = 1; $0.memberIds = [member.id]
                    }, metadata: try await scene.metadata(scene.stranger))
            }
            #expect(foreign?.code == .notFound)
        }
    }

    @Test func anUnusedCouponNudgesTheStoreManagerOnceWithTheChainsOffer() async throws {
        try await StoreScene.hosted { scene in
            _ = try await scene.openStore()
            try await scene.reachPeople()
            _ = try await scene.coupons.setReengagementOffer(
                .with {
                    $0.offer = .with {
                        $0.category = "护肤"; $0.offer = "到店免费肤质检测，再送旅行装"
                    }
                }, metadata: try await scene.metadata(scene.admin))
            let taken = try await scene.scan("13800138000", of: scene.clerk).member
            let used = try await scene.scan("13900139000", of: scene.clerk).member
            let coupons = try await Self.issue(scene, [taken.id, used.id]).coupons
            _ = try await scene.coupons.redeemCoupon(
                .with {
                    $0.couponID = coupons[1].id
                    $0.storeCode = "SH-001"
                }, metadata: try await scene.metadata(scene.clerk))
            // Two days on: nothing yet. Four days on: the unused one, once.
            let before = try await scene.stores.sweepStores(.init(), metadata: try await scene.metadata(scene.admin))
            #expect(before.couponNudges == 0)
            try await scene.database.query(
                "UPDATE coupons SET issued_at = now() - interval '4 days' WHERE tenant_id = \(scene.admin.tenant.rawValue)")
            let swept = try await scene.stores.sweepStores(.init(), metadata: try await scene.metadata(scene.admin))
            #expect(swept.couponNudges == 1)
            #expect(try await scene.stores.sweepStores(.init(), metadata: try await scene.metadata(scene.admin)).couponNudges == 0)
            let notices = try await scene.deliveries("coupon_not_converted", to: "ChenJing")
            #expect(notices.count == 1)
            #expect(notices.first?.contains("到店免费肤质检测") == true)
            #expect(notices.first?.contains("138****8000") == true)
            #expect(notices.first?.contains("13800138000") == false, "a chat message never carries the full mobile")
            let refused = await #expect(throws: RPCError.self) {
                try await scene.stores.sweepStores(.init(), metadata: try await scene.metadata(scene.manager))
            }
            #expect(refused?.code == .permissionDenied)
        }
    }

    @Test func aPurchaseWithoutFeedbackRemindsItsClerkOnce() async throws {
        try await StoreScene.hosted { scene in
            _ = try await scene.openStore()
            try await scene.reachPeople()
            let quiet = try await scene.scan("13800138000", of: scene.clerk).member
            let noted = try await scene.scan("13900139000", of: scene.otherClerk).member
            let twentyMinutesAgo = Date().addingTimeInterval(-20 * 60)
            _ = try await scene.record(
                StoreScene.receipt(
                    "R-1", member: "13800138000", clerk: scene.clerk.userID, items: [("SKU-CLEANSER", 1, 12_800, 0)], soldAt: twentyMinutesAgo))
            _ = try await scene.record(
                StoreScene.receipt(
                    "R-2", member: "13900139000", clerk: scene.otherClerk.userID, items: [("SKU-REMOVER", 1, 9_900, 0)], soldAt: twentyMinutesAgo))
            // A sale five minutes ago is not due yet.
            _ = try await scene.record(
                StoreScene.receipt(
                    "R-3", member: "13800138000", clerk: scene.clerk.userID, items: [("SKU-REMOVER", 1, 9_900, 0)],
                    soldAt: Date().addingTimeInterval(-5 * 60)))
            _ = try await scene.members.addMemberNote(
                .with {
                    $0.memberID = noted.id
                    $0.rating = 5
                    $0.needs = "下次想试试卸妆水"
                }, metadata: try await scene.metadata(scene.otherClerk))
            let swept = try await scene.stores.sweepStores(.init(), metadata: try await scene.metadata(scene.admin))
            #expect(swept.feedbackReminders == 1)
            #expect(try await scene.stores.sweepStores(.init(), metadata: try await scene.metadata(scene.admin)).feedbackReminders == 0)
            let reminders = try await scene.deliveries("member_feedback_due", to: "WangFang")
            #expect(reminders.count == 1)
            #expect(reminders.first?.contains("R-1") == true)
            #expect(try await scene.deliveries("member_feedback_due", to: "LiuYang").isEmpty)
            _ = quiet
        }
    }
}
