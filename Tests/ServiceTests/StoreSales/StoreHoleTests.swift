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

/// The store-sales RPCs against the holes found in leads: scope by org path (own path yes, the
/// string-prefix sibling no, another tenant NOT_FOUND), idempotency keys replayed by another
/// user, and NUL, a control character and 100 KB in each text field.
@Suite struct StoreHoleTests {
    @Test func aManagerAtTheStoresOwnPathSeesItAndThePrefixSiblingDoesNot() async throws {
        try await StoreScene.hosted { scene in
            let store = try await scene.openStore()
            // Another store manager at the store's own path, who did not open it.
            let peer = Caller(tenant: scene.manager.tenant, userID: "zhou.sh1", roles: [.storeManager], orgPath: "/east/sh1")
            let seen = try await scene.stores.listClerks(.with { $0.storeID = store.id }, metadata: try await scene.metadata(peer))
            #expect(seen.clerks.count == 2)
            let asked = Sales_Storesales_V1_GetStoreComparisonRequest.with {
                $0.from = LocalDays.fromToday(-1)
                $0.to = LocalDays.fromToday(0)
            }
            #expect(try await scene.stores.getStoreComparison(asked, metadata: try await scene.metadata(peer)).rows.map(\.key) == ["SH-001"])
            for caller in [scene.siblingManager, scene.stranger] {
                let error = await #expect(throws: RPCError.self) {
                    try await scene.stores.listClerks(.with { $0.storeID = store.id }, metadata: try await scene.metadata(caller))
                }
                #expect(error?.code == .notFound, "\(caller.userID)")
                let adding = await #expect(throws: RPCError.self) {
                    try await scene.stores.addClerk(
                        .with {
                            $0.storeID = store.id; $0.userID = "x"; $0.name = "x"
                        }, metadata: try await scene.metadata(caller))
                }
                #expect(adding?.code == .notFound, "\(caller.userID)")
            }
            // The peer records a sale there; the sibling cannot.
            _ = try await scene.record(StoreScene.receipt("P-1", items: [("SKU-REMOVER", 1, 9_900, 0)]), by: peer)
        }
    }

    @Test func aKeyReplayedByAnotherUserIsTheirOwnCall() async throws {
        try await StoreScene.hosted { scene in
            _ = try await scene.openStore()
            let other = Caller(tenant: scene.manager.tenant, userID: "zhou.sh1", roles: [.storeManager], orgPath: "/east/sh1")
            let receipt = StoreScene.receipt("K-1", items: [("SKU-CLEANSER", 1, 12_800, 0)])
            let first = try await scene.record(receipt, by: scene.manager, key: "till-key")
            let replayed = try await scene.record(receipt, by: other, key: "till-key")
            #expect(!first.alreadyRecorded)
            #expect(replayed.alreadyRecorded, "the second user's own call finds the receipt recorded, not the first answer")

            let code = try await scene.members.issueClerkCode(.init(), metadata: try await scene.metadata(scene.clerk))
            let scan = Sales_Storesales_V1_ScanClerkCodeRequest.with {
                $0.code = code.payload
                $0.mobile = "13800138000"
            }
            let made = try await scene.members.scanClerkCode(scan, metadata: try await scene.metadata(scene.admin, key: "scan-key"))
            let again = try await scene.members.scanClerkCode(scan, metadata: try await scene.metadata(scene.unmasker, key: "scan-key"))
            #expect(made.newMember && !again.newMember, "another user's replay scans again")
            #expect(again.member.visits == 2)
            #expect(again.member.mobile.e164 == "+8613800138000" && made.member.mobile.e164.isEmpty)

            let issue = Sales_Storesales_V1_IssueCouponsRequest.with {
                $0.campaign = "c"; $0.category = "护肤"; $0.value = StoreScene.money(1_000); $0.validDays = 7; $0.memberIds = [made.member.id]
            }
            let issued = try await scene.coupons.issueCoupons(issue, metadata: try await scene.metadata(scene.manager, key: "coupon-key"))
            let reissued = try await scene.coupons.issueCoupons(issue, metadata: try await scene.metadata(other, key: "coupon-key"))
            #expect(issued.issued == 1 && reissued.issued == 0 && reissued.alreadyHeld == 1)
        }
    }

    @Test func theOperationsRPCsKeepToTheStoresPathAndTheChain() async throws {
        try await StoreScene.hosted { scene in
            _ = try await scene.openStore()
            _ = try await scene.savePromotion("DOUBLE12", kind: .percentOff, items: ["海报"]) { $0.percentOffBp = 1_000 }
            // A store manager at the store's own path who did not open it uploads there and sees it on the board.
            let peer = Caller(tenant: scene.manager.tenant, userID: "zhou.sh1", roles: [.storeManager], orgPath: "/east/sh1")
            let upload = try await scene.operations.recordUpload(
                .with {
                    $0.storeCode = "SH-001"; $0.kind = .shelfPhoto; $0.content = Data("peer".utf8); $0.contentType = "image/jpeg"
                }, metadata: try await scene.metadata(peer))
            #expect(upload.userID == peer.userID)
            let board = try await scene.operations.getOperationsBoard(.init(), metadata: try await scene.metadata(peer))
            #expect(board.stores.map(\.storeCode) == ["SH-001"] && board.stores.first?.shelfPhotos == 1)
            #expect(board.promotions.map(\.promotionCode) == ["DOUBLE12"])
            // The string-prefix sibling and another chain: NOT_FOUND for the store, an empty board, none of the chain's plans.
            for caller in [scene.siblingManager, scene.stranger] {
                let refused = await #expect(throws: RPCError.self) {
                    try await scene.operations.recordUpload(
                        .with {
                            $0.storeCode = "SH-001"; $0.kind = .shelfPhoto; $0.content = Data("x".utf8); $0.contentType = "image/jpeg"
                        }, metadata: try await scene.metadata(caller))
                }
                #expect(refused?.code == .notFound, "\(caller.userID)")
                #expect(try await scene.operations.getOperationsBoard(.init(), metadata: try await scene.metadata(caller)).stores.isEmpty)
            }
            let metadata = try await scene.metadata(scene.stranger)
            #expect(try await scene.operations.listPromotions(.init(), metadata: metadata).promotions.isEmpty)
            #expect(try await scene.operations.listProductLaunches(.init(), metadata: metadata).launches.isEmpty)
            _ = try await scene.operations.setComplaintTopics(
                .with { $0.topics = [.with { $0.topic = "试衣间太挤" }] }, metadata: try await scene.metadata(scene.admin))
            #expect(try await scene.operations.listComplaintTopics(.init(), metadata: metadata).defaults, "another chain keeps the defaults")
        }
    }

    @Test func aKeyReplayedByAnotherUserOnTheOtherWritesIsTheirOwnCall() async throws {
        try await StoreScene.hosted { scene in
            let store = try await scene.openStore()
            let opening = Sales_Storesales_V1_CreateStoreRequest.with {
                $0.code = "SH-010"; $0.name = "徐汇二店"
            }
            let opened = try await scene.stores.createStore(opening, metadata: try await scene.metadata(scene.manager, key: "open-key"))
            let reopened = await #expect(throws: RPCError.self) {
                try await scene.stores.createStore(opening, metadata: try await scene.metadata(scene.siblingManager, key: "open-key"))
            }
            #expect(reopened?.code == .alreadyExists, "the sibling's own call meets the code, not the manager's answer")
            #expect(opened.managerID == scene.manager.userID)

            let adding = Sales_Storesales_V1_AddClerkRequest.with {
                $0.storeID = store.id; $0.userID = "zhao.lei"; $0.name = "赵磊"
            }
            _ = try await scene.stores.addClerk(adding, metadata: try await scene.metadata(scene.manager, key: "clerk-key"))
            let added = await #expect(throws: RPCError.self) {
                try await scene.stores.addClerk(adding, metadata: try await scene.metadata(scene.siblingManager, key: "clerk-key"))
            }
            #expect(added?.code == .notFound, "the sibling may not run the store, whatever key it sends")

            let member = try await scene.scan("13800138000", of: scene.clerk).member
            let note = Sales_Storesales_V1_AddMemberNoteRequest.with {
                $0.memberID = member.id; $0.rating = 5; $0.needs = "想要温和的洁面"
            }
            let first = try await scene.members.addMemberNote(note, metadata: try await scene.metadata(scene.clerk, key: "note-key"))
            let second = try await scene.members.addMemberNote(note, metadata: try await scene.metadata(scene.otherClerk, key: "note-key"))
            #expect(first.id != second.id && second.clerkID != first.clerkID, "each clerk's own note")

            let coupon = try await scene.coupons.issueCoupons(
                .with {
                    $0.campaign = "c"; $0.category = "护肤"; $0.value = StoreScene.money(1_000); $0.validDays = 7; $0.memberIds = [member.id]
                }, metadata: try await scene.metadata(scene.manager)
            ).coupons[0]
            let redeeming = Sales_Storesales_V1_RedeemCouponRequest.with {
                $0.couponID = coupon.id; $0.storeCode = "SH-001"
            }
            _ = try await scene.coupons.redeemCoupon(redeeming, metadata: try await scene.metadata(scene.clerk, key: "redeem-key"))
            let again = await #expect(throws: RPCError.self) {
                try await scene.coupons.redeemCoupon(redeeming, metadata: try await scene.metadata(scene.otherClerk, key: "redeem-key"))
            }
            #expect(again?.code == .failedPrecondition, "the other clerk's own redemption finds it used: \(again?.message ?? "")")
        }
    }

    @Test func everyTextFieldRefusesNULControlCharactersAndHugeValuesByName() async throws {
        try await StoreScene.hosted { scene in
            let store = try await scene.openStore()
            let member = try await scene.scan("13800138000", of: scene.clerk).member
            let code = try await scene.members.issueClerkCode(.init(), metadata: try await scene.metadata(scene.clerk)).payload
            let manager = try await scene.metadata(scene.manager)
            let clerk = try await scene.metadata(scene.clerk)
            let admin = try await scene.metadata(scene.admin)
            let good = StoreScene.receipt("T-1", items: [("SKU-CLEANSER", 1, 12_800, 0)])
            func record(_ change: @escaping @Sendable (inout Sales_Storesales_V1_ReceiptInput, String) -> Void)
                -> @Sendable (String) async throws -> Void
            {
                { text in
                    var input = good
                    change(&input, text)
                    _ = try await scene.receipts.recordReceipt(.with { $0.receipt = input }, metadata: manager)
                }
            }
            func upload(_ change: @escaping @Sendable (inout Sales_Storesales_V1_RecordUploadRequest, String) -> Void)
                -> @Sendable (String) async throws -> Void
            {
                { text in
                    var request = Sales_Storesales_V1_RecordUploadRequest.with {
                        $0.storeCode = "SH-001"; $0.kind = .consultation; $0.recordingSha256 = String(repeating: "b", count: 64)
                        $0.durationSeconds = 30; $0.transcript = "顾客问价格"
                    }
                    change(&request, text)
                    _ = try await scene.operations.recordUpload(request, metadata: clerk)
                }
            }
            func promote(_ change: @escaping @Sendable (inout Sales_Storesales_V1_Promotion, String) -> Void)
                -> @Sendable (String) async throws -> Void
            {
                { text in
                    var request = Sales_Storesales_V1_Promotion.with {
                        $0.code = "P-1"; $0.name = "p"; $0.firstDay = "2026-12-01"; $0.lastDay = "2026-12-12"; $0.discountKind = .percentOff
                        $0.percentOffBp = 1_000; $0.items = ["海报"]
                    }
                    change(&request, text)
                    _ = try await scene.operations.savePromotion(request, metadata: admin)
                }
            }
            func issue(_ change: @escaping @Sendable (inout Sales_Storesales_V1_IssueCouponsRequest, String) -> Void)
                -> @Sendable (String) async throws -> Void
            {
                { text in
                    var request = Sales_Storesales_V1_IssueCouponsRequest.with {
                        $0.campaign = "c"; $0.category = "c"; $0.value = StoreScene.money(1); $0.validDays = 1; $0.memberIds = [member.id]
                    }
                    change(&request, text)
                    _ = try await scene.coupons.issueCoupons(request, metadata: manager)
                }
            }
            await QuoteTests.expectRefused([
                (
                    "district",
                    { text in
                        _ = try await scene.stores.createStore(
                            .with {
                                $0.code = "Z-1"; $0.name = "z"; $0.district = text
                            }, metadata: manager)
                    }
                ),
                (
                    "region",
                    { text in
                        _ = try await scene.stores.createStore(
                            .with {
                                $0.code = "Z-2"; $0.name = "z"; $0.region = text
                            }, metadata: manager)
                    }
                ),
                (
                    "user_id",
                    { text in
                        _ = try await scene.stores.addClerk(
                            .with {
                                $0.storeID = store.id; $0.userID = text; $0.name = "z"
                            }, metadata: manager)
                    }
                ),
                (
                    "name",
                    { text in
                        _ = try await scene.stores.addClerk(
                            .with {
                                $0.storeID = store.id; $0.userID = "z"; $0.name = text
                            }, metadata: manager)
                    }
                ),
                (
                    "code",
                    { text in
                        _ = try await scene.members.scanClerkCode(
                            .with {
                                $0.code = text; $0.mobile = "13900139000"
                            }, metadata: admin)
                    }
                ),
                (
                    "mobile",
                    { text in
                        _ = try await scene.members.scanClerkCode(
                            .with {
                                $0.code = code; $0.mobile = text
                            }, metadata: admin)
                    }
                ),
                (
                    "name",
                    { text in
                        _ = try await scene.members.scanClerkCode(
                            .with {
                                $0.code = code; $0.mobile = "13900139000"; $0.name = text
                            }, metadata: admin)
                    }
                ),
                (
                    "needs",
                    { text in
                        _ = try await scene.members.addMemberNote(
                            .with {
                                $0.memberID = member.id; $0.rating = 3; $0.needs = text
                            }, metadata: clerk)
                    }
                ),
                (
                    "media[0].ref",
                    { text in
                        _ = try await scene.members.addMemberNote(
                            .with {
                                $0.memberID = member.id; $0.rating = 3;
                                $0.media = [
                                    .with {
                                        $0.kind = "photo"; $0.ref = text
                                    }
                                ]
                            }, metadata: clerk)
                    }
                ),
                ("receipt.store_code", record { $0.storeCode = $1 }),
                ("receipt.receipt_number", record { $0.receiptNumber = $1 }),
                ("receipt.payment_method", record { $0.paymentMethod = $1 }),
                ("receipt.clerk_user_id", record { $0.clerkUserID = $1 }),
                ("receipt.member_mobile", record { $0.memberMobile = $1 }),
                ("receipt.items[0].sku", record { $0.items[0].sku = $1 }),
                ("campaign", issue { $0.campaign = $1 }),
                ("category", issue { $0.category = $1 }),
                ("store_code", issue { $0.storeCode = $1 }),
                (
                    "store_code",
                    { text in
                        _ = try await scene.coupons.redeemCoupon(
                            .with {
                                $0.couponID = UUID().uuidString; $0.storeCode = text
                            }, metadata: clerk)
                    }
                ),
                (
                    "receipt_number",
                    { text in
                        _ = try await scene.coupons.redeemCoupon(
                            .with {
                                $0.couponID = UUID().uuidString; $0.storeCode = "SH-001"; $0.receiptNumber = text
                            }, metadata: clerk)
                    }
                ),
                (
                    "offer.offer",
                    { text in _ = try await scene.coupons.setReengagementOffer(.with { $0.offer = .with { $0.offer = text } }, metadata: admin) }
                ),
                (
                    "offer.category",
                    { text in
                        _ = try await scene.coupons.setReengagementOffer(
                            .with {
                                $0.offer = .with {
                                    $0.category = text; $0.offer = "o"
                                }
                            }, metadata: admin)
                    }
                ),
                (
                    "group_by",
                    { text in
                        _ = try await scene.stores.getStoreComparison(
                            .with {
                                $0.from = "2026-11-01"; $0.to = "2026-11-30"; $0.groupBy = text
                            }, metadata: admin)
                    }
                ),
                (
                    "keywords[0]",
                    { text in
                        _ = try await scene.members.suggestForMember(
                            .with {
                                $0.memberID = member.id; $0.keywords = [text]
                            }, metadata: clerk)
                    }
                ),
                (
                    "contact_name",
                    { text in
                        _ = try await scene.receipts.referStoreLead(
                            .with {
                                $0.storeCode = "SH-001"; $0.receiptNumber = "T-1"; $0.contactName = text; $0.mobile = "13900139000"
                            }, metadata: admin)
                    }
                ),
                (
                    "need",
                    { text in
                        _ = try await scene.receipts.referStoreLead(
                            .with {
                                $0.storeCode = "SH-001"; $0.receiptNumber = "T-1"; $0.contactName = "周"; $0.mobile = "13900139000"; $0.need = text
                            },
                            metadata: admin)
                    }
                ),
                ("transcript", upload { $0.transcript = $1 }),
                ("complaints[0]", upload { $0.complaints = [$1] }),
                ("recording_sha256", upload { $0.recordingSha256 = $1 }),
                ("store_code", upload { $0.storeCode = $1 }),
                ("day", upload { $0.day = $1 }),
                ("group_buy.order_number", upload { $0.groupBuy.orderNumber = $1 }),
                ("promotion_item", upload { $0.promotionItem = $1 }),
                ("name", promote { $0.name = $1 }),
                ("items[0]", promote { $0.items = [$1] }),
                ("store_codes[0]", promote { $0.storeCodes = [$1] }),
                ("first_day", promote { $0.firstDay = $1 }),
                (
                    "sku",
                    { text in
                        _ = try await scene.operations.saveProductLaunch(
                            .with {
                                $0.sku = text; $0.firstDay = "2026-12-01"; $0.dueDay = "2026-12-10"
                            }, metadata: admin)
                    }
                ),
                (
                    "topics[0].keywords[0]",
                    { text in
                        _ = try await scene.operations.setComplaintTopics(
                            .with {
                                $0.topics = [
                                    .with {
                                        $0.topic = "t"; $0.keywords = [text]
                                    }
                                ]
                            }, metadata: admin)
                    }
                ),
                ("day", { text in _ = try await scene.operations.getOperationsBoard(.with { $0.day = text }, metadata: admin) }),
            ])
            // Nothing of any refused call was written.
            let rows = try await scene.database.query(
                """
                SELECT (SELECT count(*) FROM receipts WHERE tenant_id = \(scene.admin.tenant.rawValue))
                     + (SELECT count(*) FROM coupons WHERE tenant_id = \(scene.admin.tenant.rawValue))
                     + (SELECT count(*) FROM store_uploads WHERE tenant_id = \(scene.admin.tenant.rawValue))
                     + (SELECT count(*) FROM promotions WHERE tenant_id = \(scene.admin.tenant.rawValue))
                """
            )
            for try await count in rows.decode(Int64.self) { #expect(count == 0) }
        }
    }
}
