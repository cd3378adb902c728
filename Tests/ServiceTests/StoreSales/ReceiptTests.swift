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

/// Till receipts: attached to the member and the clerk without retyping, recorded once.
@Suite struct ReceiptTests {
    @Test func aReceiptIsAttachedToTheScannedMemberAndClerkAndRecordedOnce() async throws {
        try await StoreScene.hosted { scene in
            let store = try await scene.openStore()
            let scan = try await scene.scan("13800138000", of: scene.clerk)
            // 3 × 128.00 less 10.00, and a 99.00 line: 473.00.
            let input = StoreScene.receipt(
                "R-0001", member: "138 0013 8000", items: [("SKU-CLEANSER", 3, 12_800, 1_000), ("SKU-REMOVER", 1, 9_900, 0)])
            let first = try await scene.record(input)
            #expect(!first.alreadyRecorded)
            #expect(first.receipt.storeID == store.id)
            #expect(first.receipt.memberID == scan.member.id)
            #expect(first.receipt.clerkID == scan.clerkID)
            #expect(first.receipt.clerkSource == "scan")
            #expect(first.receipt.total == StoreScene.money(47_300))
            #expect(first.receipt.discount == StoreScene.money(1_000))

            // The same upload again, by another key or none: recorded once.
            let again = try await scene.record(input, key: "till-retry")
            #expect(again.alreadyRecorded)
            #expect(again.receipt.id == first.receipt.id)
            // The same number with other content is refused and changes nothing.
            var changed = input
            changed.items[0].quantity = 4
            let error = await #expect(throws: RPCError.self) { try await scene.record(changed) }
            #expect(error?.code == .alreadyExists)
            #expect(error?.message.contains("R-0001") == true)

            let member = try await scene.members.getMember(.with { $0.memberID = scan.member.id }, metadata: try await scene.metadata(scene.clerk))
            #expect(member.purchases == 1)
            #expect(member.spent == StoreScene.money(47_300))
            let events = try await scene.database.query(
                "SELECT count(*) FROM outbox WHERE event_type LIKE '%ReceiptRecorded' AND aggregate_id = \(first.receipt.id)")
            for try await count in events.decode(Int64.self) { #expect(count == 1) }

            // The till names its cashier: that clerk, whatever the scan said; a walk-in has no member.
            let walkIn = try await scene.record(
                StoreScene.receipt("R-0002", clerk: scene.otherClerk.userID, items: [("SKU-REMOVER", 1, 9_900, 0)]), by: scene.clerk)
            #expect(walkIn.receipt.clerkSource == "till")
            #expect(walkIn.receipt.memberID.isEmpty)
            // A mobile that is no member attaches nobody and is not kept.
            let stranger = try await scene.record(StoreScene.receipt("R-0003", member: "13600136000", items: [("SKU-REMOVER", 1, 9_900, 0)]))
            #expect(stranger.receipt.memberID.isEmpty)
            #expect(stranger.receipt.clerkSource == "none")
        }
    }

    @Test func theSameReceiptSentTwiceAtOnceIsRecordedOnce() async throws {
        try await StoreScene.hosted { scene in
            _ = try await scene.openStore()
            let input = StoreScene.receipt("R-RACE", items: [("SKU-CLEANSER", 1, 12_800, 0)])
            let answers = try await withThrowingTaskGroup(of: Sales_Storesales_V1_RecordReceiptResponse.self) { group in
                for _ in 0..<6 { group.addTask { try await scene.record(input) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(Set(answers.map(\.receipt.id)).count == 1)
            #expect(answers.filter { !$0.alreadyRecorded }.count == 1)
        }
    }

    @Test func badReceiptsAreRefusedNamingTheField() async throws {
        try await StoreScene.hosted { scene in
            _ = try await scene.openStore()
            let good = StoreScene.receipt("R-BAD", items: [("SKU-CLEANSER", 1, 12_800, 0)])
            var cases: [(Sales_Storesales_V1_ReceiptInput, String, RPCError.Code)] = []
            func with(_ change: (inout Sales_Storesales_V1_ReceiptInput) -> Void) -> Sales_Storesales_V1_ReceiptInput {
                var input = good
                change(&input)
                return input
            }
            cases.append((with { $0.storeCode = "" }, "store_code", .invalidArgument))
            cases.append((with { $0.receiptNumber = "R\u{0}1" }, "receipt_number", .invalidArgument))
            cases.append((with { $0.receiptNumber = String(repeating: "9", count: 100_000) }, "receipt_number", .invalidArgument))
            cases.append((with { $0.clearSoldAt() }, "sold_at", .invalidArgument))
            cases.append((with { $0.soldAt = .init(date: Date().addingTimeInterval(3_600)) }, "sold_at", .invalidArgument))
            cases.append((with { $0.items = [] }, "items", .invalidArgument))
            cases.append((with { $0.items[0].quantity = 0 }, "items[0].quantity", .invalidArgument))
            cases.append((with { $0.items[0].sku = "SKU-NONE" }, "items[0].sku", .invalidArgument))
            cases.append((with { $0.items[0].discount = StoreScene.money(12_801) }, "items[0].discount", .invalidArgument))
            cases.append(
                (
                    with {
                        $0.items[0].unitPrice.minorUnits = Int64.max / 2; $0.items[0].quantity = 3
                    }, "items[0].unit_price", .invalidArgument
                ))
            cases.append((with { $0.items[0].unitPrice.currency = "usd" }, "items[0].unit_price.currency", .invalidArgument))
            cases.append((with { $0.paymentMethod = "bitcoin" }, "payment_method", .invalidArgument))
            cases.append((with { $0.memberMobile = "12345" }, "member_mobile", .invalidArgument))
            cases.append((with { $0.clerkUserID = "nobody" }, "clerk_user_id", .invalidArgument))
            for (input, field, code) in cases {
                let error = await #expect(throws: RPCError.self) { try await scene.record(input) }
                #expect(error?.code == code, "\(field)")
                #expect(error?.message.hasPrefix("receipt.\(field):") == true, "\(field): \(error?.message.prefix(160) ?? "")")
                #expect((error?.message.count ?? .max) < 400, "\(field) is quoted short")
            }
            // Another chain's store, and a store outside the caller's own: NOT_FOUND, as for none.
            for (caller, store) in [(scene.stranger, "SH-001"), (scene.siblingManager, "SH-001"), (scene.manager, "SH-404")] {
                let error = await #expect(throws: RPCError.self) {
                    try await scene.record(with { $0.storeCode = store }, by: caller)
                }
                #expect(error?.code == .notFound, "\(caller.userID) \(store)")
            }
            let rows = try await scene.database.query("SELECT count(*) FROM receipts WHERE tenant_id = \(scene.admin.tenant.rawValue)")
            for try await count in rows.decode(Int64.self) { #expect(count == 0) }
        }
    }

    @Test func aPOSFileGoesInExceptTheReceiptsWithBadLines() async throws {
        try await StoreScene.hosted { scene in
            _ = try await scene.openStore()
            func line(
                _ number: Int32, _ receipt: String, _ sku: String, _ quantity: Int64, soldAt: String = "2026-11-30 14:05:09", pay: String = "alipay"
            )
                -> Sales_Storesales_V1_ReceiptLine
            {
                .with {
                    $0.line = number
                    $0.storeCode = "sh-001"
                    $0.receiptNumber = receipt
                    $0.soldAt = soldAt
                    $0.sku = sku
                    $0.quantity = quantity
                    $0.unitPrice = StoreScene.money(sku == "SKU-CLEANSER" ? 12_800 : 9_900)
                    $0.paymentMethod = pay
                }
            }
            let lines = [
                line(2, "P-1", "SKU-CLEANSER", 1), line(3, "P-1", "SKU-REMOVER", 2),
                line(4, "P-2", "SKU-CLEANSER", 1), line(5, "P-2", "SKU-CLEANSER", 0),
                line(6, "P-3", "SKU-REMOVER", 1, soldAt: "2026-11-31 10:00"),
                line(7, "P-4", "SKU-REMOVER", 1), line(8, "P-4", "SKU-REMOVER", 1, pay: "cash"),
                line(9, "P-5", "SKU-UNKNOWN", 1),
                line(10, "P-6", "SKU-REMOVER", 1, soldAt: "2026-11-30T06:05:09Z"),
            ]
            let first = try await scene.receipts.importReceipts(.with { $0.lines = lines }, metadata: try await scene.metadata(scene.manager))
            #expect(first.outcomes.map(\.line) == Array(2...10))
            #expect(first.outcomes.map(\.result) == ["created", "created", "", "", "", "", "", "", "created"])
            #expect(first.outcomes.map(\.field) == ["", "", "", "quantity", "sold_at", "", "payment_method", "sku", ""])
            #expect(first.outcomes[2].reason.contains("line 5"), "the good line of a refused receipt points at the bad one")
            #expect(first.receiptsRecorded == 2)
            #expect(first.receiptsRefused == 4)
            #expect(first.outcomes[0].id == first.outcomes[1].id)
            // "2026-11-30 14:05:09" is Shanghai time: the same moment as P-6's 06:05:09Z.
            let times = try await scene.database.query(
                "SELECT DISTINCT sold_at FROM receipts WHERE tenant_id = \(scene.admin.tenant.rawValue)")
            var distinct = 0
            for try await _ in times.decode(Date.self) { distinct += 1 }
            #expect(distinct == 1)

            // The same file again: nothing new; fixed lines then go in.
            let again = try await scene.receipts.importReceipts(.with { $0.lines = lines }, metadata: try await scene.metadata(scene.manager))
            #expect(again.receiptsRecorded == 0)
            #expect(again.receiptsAlreadyRecorded == 2)
            let fixed = try await scene.receipts.importReceipts(
                .with { $0.lines = [line(4, "P-2", "SKU-CLEANSER", 1), line(5, "P-2", "SKU-CLEANSER", 1)] },
                metadata: try await scene.metadata(scene.manager))
            #expect(fixed.receiptsRecorded == 1)
            let items = try await scene.database.query(
                """
                SELECT count(*) FROM receipt_items i JOIN receipts r ON r.id = i.receipt_id
                WHERE r.tenant_id = \(scene.admin.tenant.rawValue)
                """)
            for try await count in items.decode(Int64.self) { #expect(count == 5) }
        }
    }
}
