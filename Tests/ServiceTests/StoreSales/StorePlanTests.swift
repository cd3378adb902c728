import Foundation
import PostgresNIO
import RulesEngine
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf
import TestSupport
import Testing

@testable import StoreSalesService

/// The store-sales hot statements at a chain's size: 50 stores, 250 clerks, 50,000 members,
/// 200,000 receipts over two years with 400,000 lines, 100,000 scans, 50,000 coupons and notes,
/// 200,000 daily uploads with their complaints, 1,850 scenario candidates, 40 promotions and 10 launches.
/// What runs on every till receipt, every minute's sweep, the comparison and the suggestions must
/// reach its rows through an index, never by reading a big table whole.
@Suite struct StorePlanTests {
    static let tenant = TenantID("plan-\(UInt32.random(in: 0...UInt32.max))")!

    @Test func theHotStatementsReadThroughIndexes() async throws {
        try await ServiceHarness.with(
            .storeSales, migrations: StoreSalesServer.migrations, build: { try StoreSalesServer.components($0) }
        ) { _, _, database in
            let tenant = Self.tenant.rawValue
            let fill: [PostgresQuery] = [
                """
                INSERT INTO stores (id, tenant_id, code, name, district, owner_id, org_path)
                SELECT gen_random_uuid(), \(tenant), 'S-' || g, '店' || g, '商圈' || (g % 10), 'manager-' || g, '/region-' || (g % 5) || '/s' || g
                FROM generate_series(1, 50) g
                """,
                """
                INSERT INTO clerks (id, tenant_id, store_id, user_id, name)
                SELECT gen_random_uuid(), \(tenant), s.id, s.code || '-clerk-' || g, '店员' FROM stores s, generate_series(1, 5) g
                WHERE s.tenant_id = \(tenant)
                """,
                """
                INSERT INTO members (id, tenant_id, phone_e164, phone_hmac, name, birth_year)
                SELECT gen_random_uuid(), \(tenant), '+86139' || lpad(g::text, 8, '0'), md5(g::text), '会员', 1940 + g % 60
                FROM generate_series(1, 50000) g
                """,
                """
                INSERT INTO products (tenant_id, sku, name, category)
                SELECT \(tenant), 'SKU-' || g, '商品' || g, '品类' || (g % 12) FROM generate_series(1, 300) g
                """,
                """
                WITH m AS (SELECT id, row_number() OVER () AS k FROM members WHERE tenant_id = \(tenant)),
                     c AS (SELECT id, store_id, row_number() OVER () AS k FROM clerks WHERE tenant_id = \(tenant))
                INSERT INTO member_visits (member_id, clerk_id, store_id, scanned_at)
                SELECT m.id, c.id, c.store_id, now() - (g % 730) * interval '1 day' - g * interval '1 second'
                FROM generate_series(1, 100000) g JOIN m ON m.k = 1 + g % 50000 JOIN c ON c.k = 1 + g % 250
                """,
                """
                WITH m AS (SELECT id, row_number() OVER () AS k FROM members WHERE tenant_id = \(tenant)),
                     c AS (SELECT id, store_id, row_number() OVER () AS k FROM clerks WHERE tenant_id = \(tenant))
                INSERT INTO receipts (id, tenant_id, store_id, receipt_number, sold_at, clerk_id, clerk_source, member_id, payment_method,
                                      total_fen, discount_fen, currency, item_count, fingerprint, feedback_reminded_at)
                SELECT gen_random_uuid(), \(tenant), c.store_id, 'R-' || g, now() - (g % 730) * interval '1 day' - g * interval '1 second',
                       c.id, 'till', CASE WHEN g % 3 = 0 THEN NULL ELSE m.id END, 'wechat', 10000, 0, 'CNY', 2, md5(g::text),
                       CASE WHEN g % 730 = 0 THEN NULL ELSE now() END
                FROM generate_series(1, 200000) g JOIN m ON m.k = 1 + g % 50000 JOIN c ON c.k = 1 + g % 250
                """,
                """
                INSERT INTO receipt_items (receipt_id, line_no, sku, quantity, unit_price_fen, discount_fen, amount_fen, tenant_id, member_id, sold_at)
                SELECT r.id, n, 'SKU-' || (1 + (abs(hashtext(r.id::text)) + n) % 300), 1, 5000, 0, 5000,
                       CASE WHEN r.member_id IS NOT NULL THEN r.tenant_id END, r.member_id, CASE WHEN r.member_id IS NOT NULL THEN r.sold_at END
                FROM receipts r, generate_series(1, 2) n WHERE r.tenant_id = \(tenant)
                """,
                """
                INSERT INTO coupons (id, tenant_id, member_id, campaign, category, value_fen, currency, store_id, issued_at, expires_at,
                                     redeemed_at, nudged_at)
                SELECT gen_random_uuid(), \(tenant), m.id, 'campaign-' || (k % 20), '品类' || (k % 12), 1000, 'CNY', NULL,
                       now() - (k % 700) * interval '1 day', now() - (k % 700) * interval '1 day' + interval '30 days',
                       CASE WHEN k % 2 = 0 THEN now() END, CASE WHEN k % 2 = 1 THEN now() END
                FROM (SELECT id, row_number() OVER () AS k FROM members WHERE tenant_id = \(tenant)) m
                """,
                """
                INSERT INTO member_notes (id, member_id, clerk_id, rating, created_at)
                SELECT gen_random_uuid(), r.member_id, r.clerk_id, 4, r.sold_at + interval '5 minutes'
                FROM receipts r WHERE r.tenant_id = \(tenant) AND r.member_id IS NOT NULL AND r.receipt_number LIKE '%7'
                """,
                """
                INSERT INTO promotions (tenant_id, code, name, first_day, last_day, discount_kind, threshold_fen, amount_off_fen, currency,
                                        store_codes, items, updated_by)
                SELECT \(tenant), 'P-' || g, '促销' || g, current_date - g * 18, current_date - g * 18 + 14, 1, 30000, 5000, 'CNY',
                       CASE WHEN g % 3 = 0 THEN ARRAY['S-1', 'S-2', 'S-7'] ELSE '{}' END, ARRAY['堆头陈列', '海报张贴', '店员话术'], 'hq'
                FROM generate_series(0, 39) g
                """,
                """
                INSERT INTO product_launches (tenant_id, sku, first_day, due_day, store_codes, updated_by)
                SELECT \(tenant), 'SKU-' || g, current_date - 20 * g, current_date - 20 * g + 14, '{}', 'hq' FROM generate_series(1, 10) g
                """,
                """
                WITH s AS (SELECT id, row_number() OVER () AS k FROM stores WHERE tenant_id = \(tenant))
                INSERT INTO store_uploads (id, tenant_id, store_id, kind, day, user_id, sha256, promotion_code, promotion_item, sku,
                                           order_number, order_fen, discount_fen, expected_discount_fen, currency, discount_matches)
                SELECT gen_random_uuid(), \(tenant), s.id, 1 + g % 3, current_date - (g / 50) % 730, 'clerk', md5(g::text),
                       CASE WHEN g % 4 = 0 THEN 'P-' || (g % 40) ELSE '' END, CASE WHEN g % 4 = 0 AND g % 3 = 0 THEN '堆头陈列' ELSE '' END,
                       CASE WHEN g % 3 = 0 AND g % 7 = 0 THEN 'SKU-' || (g % 300) ELSE '' END,
                       CASE WHEN g % 3 = 2 THEN 'O-' || g END, CASE WHEN g % 3 = 2 THEN 40000 END, CASE WHEN g % 3 = 2 THEN 5000 END,
                       CASE WHEN g % 3 = 2 THEN 5000 END, CASE WHEN g % 3 = 2 THEN 'CNY' END, CASE WHEN g % 3 = 2 THEN g % 10 <> 0 END
                FROM generate_series(1, 200000) g JOIN s ON s.k = 1 + g % 50
                """,
                """
                INSERT INTO store_complaints (upload_id, store_id, day, topic)
                SELECT id, store_id, day, 'topic-' || (abs(hashtext(id::text)) % 20) FROM store_uploads WHERE tenant_id = \(tenant) AND kind = 2
                """,
                """
                INSERT INTO scenario_candidates (tenant_id, store_id, topic, scenario, first_day, last_day)
                SELECT \(tenant), id, 'topic-' || (g % 20), 'kitchen', current_date - 20 * g, current_date - 20 * g + 2
                FROM stores, generate_series(0, 36) g WHERE tenant_id = \(tenant)
                """,
                "ANALYZE store_uploads", "ANALYZE store_complaints", "ANALYZE promotions", "ANALYZE product_launches",
                "ANALYZE scenario_candidates",
                "ANALYZE stores", "ANALYZE clerks", "ANALYZE members", "ANALYZE member_visits", "ANALYZE receipts", "ANALYZE receipt_items",
                "ANALYZE coupons", "ANALYZE member_notes", "ANALYZE products",
            ]
            let plans = try await QueryPlans.explain(after: fill, in: database) { read in
                let store = try await read("SELECT id FROM stores WHERE tenant_id = \(tenant) AND code = 'S-7'")
                let member = try await read("SELECT id FROM members WHERE tenant_id = \(tenant) AND phone_hmac = md5('777')")
                let admin = Caller(tenant: Self.tenant, userID: "hq", roles: [.admin], orgPath: "/")
                let storeManager = Caller(tenant: Self.tenant, userID: "manager-7", roles: [.storeManager], orgPath: "/region-2/s7")
                let today = LocalDate(TestCalendar.today)!
                let week = StoreComparisonStore.Span(
                    first: today.adding(days: -6), last: today, from: Date().addingTimeInterval(-7 * 86_400), to: Date())
                let shanghai = TimeZone(identifier: "Asia/Shanghai")!
                let cases: [(String, PostgresQuery, [String])] = [
                    (
                        "a batch's scanning clerks",
                        ReceiptStore.scanningClerksQuery(Array(repeating: (member: member, store: store, time: Date()), count: 500)),
                        ["member_visits"]
                    ),
                    ("the feedback sweep", StoreSweeper.feedbackDueQuery(tenant: nil, minutes: 15), ["receipts", "member_notes"]),
                    ("the coupon nudge sweep", StoreSweeper.couponNudgeQuery(tenant: nil, days: 3), ["coupons"]),
                    (
                        "a store manager's week", StoreComparisonStore.countsQuery(for: storeManager, in: week, feedbackMinutes: 15),
                        ["receipts", "member_visits", "member_notes", "coupons", "store_uploads"]
                    ),
                    (
                        "bought together", SuggestionStore.boughtTogetherQuery(with: ["SKU-7", "SKU-8"], member: member, tenant: Self.tenant),
                        ["receipts", "receipt_items", "members"]
                    ),
                    // Head office's week over every store may read the week's receipts, but never the two years.
                    (
                        "head office's week", StoreComparisonStore.countsQuery(for: admin, in: week, feedbackMinutes: 15),
                        ["receipts", "member_notes", "store_uploads"]
                    ),
                    ("a store's operations day", OperationsBoardStore.uploadsQuery(for: storeManager, on: today), ["store_uploads"]),
                    ("head office's operations day", OperationsBoardStore.uploadsQuery(for: admin, on: today), ["store_uploads"]),
                    ("promotion execution", OperationsBoardStore.executionsQuery(for: admin, through: today), ["store_uploads"]),
                    (
                        "launches on the shelves", OperationsBoardStore.launchesReachedQuery(for: admin, by: today, zone: shanghai),
                        ["store_uploads", "receipt_items", "receipts"]
                    ),
                    ("scenario candidates", OperationsBoardStore.candidatesQuery(for: admin, upTo: today), ["scenario_candidates"]),
                    ("a complaint's run of days", UploadStore.runQuery(of: "topic-3", around: today, store: store), ["store_complaints"]),
                ]
                return cases
            }
            for (what, plan, tables) in plans {
                for table in tables {
                    #expect(!plan.contains("Seq Scan on \(table) "), "\(what) reads \(table) whole:\n\(plan)")
                }
            }
        }
    }

    /// Right after a member file is imported the statistics still see the members table as it
    /// was: a batch of receipts must still find its members by probing the unique index, not by
    /// reading the tenant's members.
    @Test func aBatchFindsItsMembersWhileTheStatisticsLag() async throws {
        try await ServiceHarness.with(
            .storeSales, migrations: StoreSalesServer.migrations, build: { try StoreSalesServer.components($0) }
        ) { _, _, database in
            // A tenant of its own: the suite's other test fills members at the same time.
            let lagging = TenantID("plan-lag-\(UInt32.random(in: 0...UInt32.max))")!
            let tenant = lagging.rawValue
            let fill: [PostgresQuery] = [
                "ANALYZE members",
                """
                INSERT INTO members (id, tenant_id, phone_e164, phone_hmac, name, birth_year)
                SELECT gen_random_uuid(), \(tenant), '+86139' || lpad(g::text, 8, '0'), md5(g::text), '会员', 1980
                FROM generate_series(1, 50000) g
                """,
            ]
            let hashes = (1...300).map { "hash-\($0 * 97)" }
            let plans = try await QueryPlans.explain(after: fill, in: database) { _ in
                [("a batch's members", ReceiptStore.memberIDsQuery(hashes: hashes, tenant: lagging), ())]
            }
            for (what, plan, _) in plans {
                #expect(plan.contains("Index Cond: ((tenant_id = "), "\(what):\n\(plan)")
                #expect(!plan.contains("Seq Scan on members") && !plan.contains("Bitmap Heap Scan on members"), "\(what):\n\(plan)")
            }
        }
    }
}
