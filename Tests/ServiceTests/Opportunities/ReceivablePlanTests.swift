import Foundation
import PostgresNIO
import RulesEngine
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf
import TestSupport
import Testing

@testable import OpportunitiesService

/// The countdown board at a realistic size: 200,000 instalments of one tenant (4,000 contracts of
/// 50, over 40 teams and 400 reps), planned for finance, a rep, a team's and a region's manager,
/// one customer, the overdue list and a later page. No plan may read the instalments whole or
/// sort them all.
@Suite struct ReceivablePlanTests {
    static let tenant = TenantID("recv-plan-\(UInt32.random(in: 0...UInt32.max))")!

    @Test func noBoardReadsTheInstalmentsWhole() async throws {
        try await ServiceHarness.with(
            .opportunities, migrations: OpportunitiesServer.migrations, build: { try OpportunitiesServer.components($0) }
        ) { _, _, database in
            let fill: [PostgresQuery] = [
                """
                WITH q AS (
                    INSERT INTO quotes (id, tenant_id, opportunity_id, total_minor, cost_minor, currency, margin_bp, credit_grade,
                                        needs_approval, created_by, created_at, body)
                    SELECT gen_random_uuid(), \(Self.tenant.rawValue), gen_random_uuid(), 5000000, 0, 'CNY', 3000, 1, false, 'rep', now(), ''::bytea
                    FROM generate_series(1, 4000) g
                    RETURNING id, opportunity_id
                )
                INSERT INTO contracts (id, tenant_id, opportunity_id, quote_id, state, total_minor, currency, body)
                SELECT gen_random_uuid(), \(Self.tenant.rawValue), opportunity_id, id, 3, 5000000, 'CNY', ''::bytea FROM q
                """,
                """
                INSERT INTO instalments (id, tenant_id, contract_id, opportunity_id, customer_id, customer_name, owner_id, org_path,
                                         number, due_date, amount_minor, paid_minor, currency)
                SELECT gen_random_uuid(), c.tenant_id, c.id, c.opportunity_id, 'customer-' || (k % 3000), 'customer ' || k,
                       'rep-' || (k % 400), '/region-' || (k % 4) || '/team-' || (k % 40), n, DATE '2025-01-01' + (k % 700)::int + n * 30,
                       100000, CASE WHEN n < 20 THEN 100000 ELSE 0 END, 'CNY'
                FROM (SELECT id, tenant_id, opportunity_id, row_number() OVER () AS k FROM contracts WHERE tenant_id = \(Self.tenant.rawValue)) c,
                     generate_series(1, 50) n
                """,
                "ANALYZE instalments",
            ]
            let rep = Caller(tenant: Self.tenant, userID: "rep-7", roles: [.rep], orgPath: "/region-3/team-7")
            let finance = Caller(tenant: Self.tenant, userID: "cw", roles: [.finance], orgPath: "/finance")
            let today = LocalDate("2026-12-01")!
            let cases: [(String, Caller, ReceivableStore.Filter, ReceivableStore.Cursor?)] = [
                ("finance, open", finance, .init(openOnly: true), nil),
                ("finance, next page", finance, .init(openOnly: true), .init(due: LocalDate("2026-03-01")!, id: UUID())),
                ("finance, 5+ days overdue", finance, .init(minDaysOverdue: 5), nil),
                ("finance, one customer", finance, .init(customerID: "customer-17"), nil),
                ("rep", rep, .init(), nil),
                ("team manager", Caller(tenant: Self.tenant, userID: "m-7", roles: [.manager], orgPath: "/region-3/team-7"), .init(), nil),
                (
                    "region manager", Caller(tenant: Self.tenant, userID: "m-3", roles: [.manager], orgPath: "/region-3"), .init(openOnly: true),
                    nil
                ),
                ("finance, one rep", finance, .init(ownerID: "rep-7", openOnly: true), nil),
            ]
            let plans = try await QueryPlans.explain(after: fill, in: database) { _ in
                cases.map { who, caller, filter, cursor in
                    (who, ReceivableStore.boardQuery(filter, for: caller, today: today, after: cursor, limit: 51), ())
                }
            }
            for (who, plan, _) in plans {
                #expect(!plan.contains("Seq Scan on instalments"), "\(who):\n\(plan)")
                #expect(!plan.contains("Sort"), "\(who) sorts instead of reading an index in due order:\n\(plan)")
            }
        }
    }

    /// The ERP sync at 200,000 signed contracts (2,000 waiting for the ERP): a page's orders are
    /// looked up, and the waiting contracts found, through indexes.
    @Test func theErpSyncFindsOrdersAndWaitingContractsThroughIndexes() async throws {
        try await ServiceHarness.with(
            .opportunities, migrations: OpportunitiesServer.migrations, build: { try OpportunitiesServer.components($0) }
        ) { _, _, database in
            let tenant = Self.tenant.rawValue
            let fill: [PostgresQuery] = [
                """
                INSERT INTO opportunities (id, tenant_id, name, customer_name, owner_id, org_path, stage, amount_minor, currency,
                                           expected_close, stage_key)
                SELECT md5('deal' || g)::uuid, \(tenant), 'deal ' || g, 'customer ' || g, 'rep-' || (g % 400), '/region-' || (g % 4),
                       5, 100000, 'CNY', now(), '赢单'
                FROM generate_series(1, 200000) g
                """,
                """
                WITH q AS (
                    INSERT INTO quotes (id, tenant_id, opportunity_id, total_minor, cost_minor, currency, margin_bp, credit_grade,
                                        needs_approval, created_by, created_at, body)
                    SELECT md5('quote' || g)::uuid, \(tenant), md5('deal' || g)::uuid, 100000, 0, 'CNY', 3000, 1, false, 'rep', now(), ''::bytea
                    FROM generate_series(1, 200000) g
                    RETURNING id, opportunity_id
                )
                INSERT INTO contracts (id, tenant_id, opportunity_id, quote_id, state, total_minor, currency, body, erp_order_id)
                SELECT gen_random_uuid(), \(tenant), opportunity_id, id, 3, 100000, 'CNY', ''::bytea,
                       CASE WHEN row_number() OVER () % 100 = 0 THEN NULL ELSE 'SO' || row_number() OVER () END
                FROM q
                """,
                "ANALYZE opportunities", "ANALYZE contracts",
            ]
            let page = (1...500).map { "SO\($0 * 7)" }
            let plans = try await QueryPlans.explain(after: fill, in: database) { _ in
                [
                    ("a page's orders", ContractStore.erpOrdersQuery(page, tenant: Self.tenant), ()),
                    ("the waiting contracts", ContractStore.waitingForErpQuery(tenant: Self.tenant, only: nil, limit: 200), ()),
                    ("one signed contract", ContractStore.waitingForErpQuery(tenant: Self.tenant, only: UUID(), limit: 200), ()),
                ]
            }
            for (what, plan, _) in plans {
                #expect(!plan.contains("Seq Scan on contracts"), "\(what) reads the contracts whole:\n\(plan)")
            }
        }
    }

    /// Posting a file's batch of 500 payments at 200,000 instalments (40,000 contracts of 5) and
    /// 80,000 earlier payments that the statistics have not caught up with (a large import): the
    /// contracts' instalments are locked, the references looked up and the instalments paid
    /// through indexes, never by reading a table whole or filtering a tenant's rows.
    @Test func aBatchOfPaymentsReachesItsContractsThroughIndexes() async throws {
        try await ServiceHarness.with(
            .opportunities, migrations: OpportunitiesServer.migrations, build: { try OpportunitiesServer.components($0) }
        ) { _, _, database in
            let tenant = Self.tenant.rawValue
            let contracts = (0..<40_000).map { _ in UUID() }
            let instalments = (0..<contracts.count * 5).map { _ in UUID() }
            let fill: [PostgresQuery] = [
                """
                WITH q AS (
                    INSERT INTO quotes (id, tenant_id, opportunity_id, total_minor, cost_minor, currency, margin_bp, credit_grade,
                                        needs_approval, created_by, created_at, body)
                    SELECT gen_random_uuid(), \(tenant), gen_random_uuid(), 500000, 0, 'CNY', 3000, 1, false, 'rep', now(), ''::bytea
                    FROM unnest(\(contracts)) c
                    RETURNING id, opportunity_id
                ), n AS (SELECT id, opportunity_id, row_number() OVER () AS k FROM q)
                INSERT INTO contracts (id, tenant_id, opportunity_id, quote_id, state, total_minor, currency, body)
                SELECT c.id, \(tenant), n.opportunity_id, n.id, 3, 500000, 'CNY', ''::bytea
                FROM unnest(\(contracts)) WITH ORDINALITY AS c (id, k) JOIN n USING (k)
                """,
                """
                INSERT INTO instalments (id, tenant_id, contract_id, opportunity_id, customer_id, customer_name, owner_id, org_path,
                                         number, due_date, amount_minor, paid_minor, currency)
                SELECT i.id, c.tenant_id, c.id, c.opportunity_id, 'customer', 'customer', 'rep', '/team', i.n,
                       DATE '2026-01-01' + i.n * 30, 100000, 0, 'CNY'
                FROM unnest(\(instalments), \(instalments.indices.map { contracts[$0 / 5] }), \(instalments.indices.map { Int16($0 % 5 + 1) }))
                     AS i (id, contract_id, n)
                JOIN contracts c ON c.id = i.contract_id
                """,
                // The statistics see the payments table as it was before the import: they lag a large one.
                "ANALYZE payments", "ANALYZE payment_allocations",
                """
                INSERT INTO payments (id, tenant_id, contract_id, reference, amount_minor, credit_minor, currency, received_on, source, recorded_by)
                SELECT gen_random_uuid(), \(tenant), c.id, 'BANK-' || c.id || '-' || n, 50000, 0, 'CNY', DATE '2026-02-01', 'file', 'cw'
                FROM contracts c, generate_series(1, 2) n WHERE c.tenant_id = \(tenant)
                """,
                """
                INSERT INTO payment_allocations (payment_id, instalment_id, amount_minor)
                SELECT p.id, i.id, 50000 FROM payments p JOIN instalments i ON i.contract_id = p.contract_id AND i.number = 1
                WHERE p.tenant_id = \(tenant)
                """,
                "ANALYZE contracts", "ANALYZE instalments",
            ]
            let batch = Array(contracts.indices.shuffled().prefix(500))
            // Each payment pays its contract's second instalment and part of the third.
            let paid = batch.flatMap { [instalments[$0 * 5 + 1], instalments[$0 * 5 + 2]] }
            let plans = try await QueryPlans.explain(after: fill, in: database) { _ in
                let references = batch.map { "BANK-\(contracts[$0].uuidString.lowercased())-1" }
                return [
                    (
                        "locking the batch's contracts", ReceivableStore.lockedAccountsQuery(batch.map { contracts[$0] }, tenant: Self.tenant),
                        "instalments"
                    ),
                    (
                        "the batch's references",
                        ReceivableStore.paymentsQuery(tenant: Self.tenant, references: references, id: nil, contract: nil), "payments"
                    ),
                    (
                        "paying the instalments",
                        ReceivableStore.allocationQuery(
                            paid.map { (UUID(), $0, 100) }, totals: paid.map { (key: $0, value: 100) }), "instalments"
                    ),
                ]
            }
            for (what, plan, table) in plans {
                #expect(!plan.contains("Seq Scan"), "\(what) reads \(table) or another table whole:\n\(plan)")
                #expect(!plan.contains("Rows Removed") && !plan.contains("Bitmap Heap Scan on payments"), "\(what):\n\(plan)")
            }
        }
    }
}
