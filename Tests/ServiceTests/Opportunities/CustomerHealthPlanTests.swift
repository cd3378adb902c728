import Foundation
import Logging
import PostgresNIO
import RulesEngine
import SalesModel
import ServiceKit
import TestSupport
import Testing

@testable import OpportunitiesService

/// Customer health's statements at a large tenant's size: 200,000 deals over 50,000 customers,
/// 400,000 activities, 100,000 touches and contacts, 40,000 tickets, 10,000 contracts with
/// 100,000 instalments and their payments. Scoring one
/// customer (on every ticket and touch) and drawing its journey must reach its rows through
/// indexes, never by reading a table whole.
@Suite struct CustomerHealthPlanTests {
    static let tenant = TenantID("health-plan-\(UInt32.random(in: 0...UInt32.max))")!

    @Test func scoringACustomerAndItsJourneyReadThroughIndexes() async throws {
        try await ServiceHarness.with(
            .opportunities, migrations: OpportunitiesServer.migrations, build: { try OpportunitiesServer.components($0) }
        ) { _, _, database in
            let t = Self.tenant.rawValue
            let fill: [PostgresQuery] = [
                """
                INSERT INTO opportunities (id, tenant_id, name, customer_name, owner_id, org_path, stage, amount_minor, currency,
                                           expected_close, stage_key, customer_id)
                SELECT gen_random_uuid(), \(t), 'deal ' || g, 'customer ' || (g % 50000), 'rep-' || (g % 400),
                       '/region-' || (g % 4) || '/team-' || (g % 40), 1 + g % 6, 100000, 'CNY', now(), '初步接触',
                       md5('c' || (g % 50000))::uuid
                FROM generate_series(1, 200000) g
                """,
                """
                INSERT INTO activities (id, tenant_id, opportunity_id, kind, occurred_at, signals, detail, recorded_by)
                SELECT gen_random_uuid(), \(t), o.id, 2, now() - (g % 300) * interval '1 day', '{}', '{"summary": "拜访"}', 'rep'
                FROM (SELECT id, row_number() OVER () AS k FROM opportunities WHERE tenant_id = \(t)) o
                JOIN generate_series(1, 2) g ON true
                """,
                """
                INSERT INTO marketing_touches (tenant_id, touch_id, customer_id, kind, title, occurred_at)
                SELECT \(t), 't' || g, md5('c' || (g % 50000))::uuid, 'content_opened', '白皮书', now() - (g % 200) * interval '1 day'
                FROM generate_series(1, 100000) g
                """,
                """
                INSERT INTO service_tickets (tenant_id, ticket_id, customer_id, severity, complaint, subject, opened_at, resolved_at)
                SELECT \(t), 'k' || g, md5('c' || (g % 50000))::uuid, 1 + g % 3, g % 4 = 0, '问题', now() - (g % 300) * interval '1 day',
                       CASE WHEN g % 5 = 0 THEN NULL ELSE now() - (g % 290) * interval '1 day' END
                FROM generate_series(1, 40000) g
                """,
                """
                INSERT INTO contacts (id, tenant_id, customer_id, name, title, department, created_by)
                SELECT gen_random_uuid(), \(t), md5('c' || (g % 50000))::uuid, '联系人', '主任', '设备科', 'rep' FROM generate_series(1, 100000) g
                """,
                """
                WITH q AS (
                    INSERT INTO quotes (id, tenant_id, opportunity_id, total_minor, cost_minor, currency, margin_bp, credit_grade,
                                        needs_approval, created_by, created_at, body)
                    SELECT gen_random_uuid(), \(t), id, 5000000, 0, 'CNY', 3000, 1, false, 'rep', now(), ''::bytea
                    FROM opportunities WHERE tenant_id = \(t) LIMIT 10000
                    RETURNING id, opportunity_id)
                INSERT INTO contracts (id, tenant_id, opportunity_id, quote_id, state, total_minor, currency, body)
                SELECT gen_random_uuid(), \(t), opportunity_id, id, 3, 5000000, 'CNY', ''::bytea FROM q
                """,
                """
                INSERT INTO instalments (id, tenant_id, contract_id, opportunity_id, customer_id, customer_name, owner_id, org_path,
                                         number, due_date, amount_minor, paid_minor, currency)
                SELECT gen_random_uuid(), \(t), c.id, c.opportunity_id, o.customer_id::text, '客户', o.owner_id, o.org_path, n,
                       DATE '2025-01-01' + n * 30, 500000, CASE WHEN n < 6 THEN 500000 ELSE 0 END, 'CNY'
                FROM contracts c JOIN opportunities o ON o.id = c.opportunity_id, generate_series(1, 10) n WHERE c.tenant_id = \(t)
                """,
                """
                WITH p AS (
                    INSERT INTO payments (id, tenant_id, contract_id, reference, amount_minor, credit_minor, currency, received_on, source, recorded_by)
                    SELECT gen_random_uuid(), \(t), id, 'ref-' || id, 2500000, 0, 'CNY', DATE '2025-06-01', 'api', 'cw'
                    FROM contracts WHERE tenant_id = \(t)
                    RETURNING id, contract_id)
                INSERT INTO payment_allocations (payment_id, instalment_id, amount_minor)
                SELECT p.id, i.id, 500000 FROM p JOIN instalments i ON i.contract_id = p.contract_id AND i.number < 6
                """,
                "ANALYZE opportunities", "ANALYZE activities", "ANALYZE marketing_touches", "ANALYZE service_tickets",
                "ANALYZE contacts", "ANALYZE instalments", "ANALYZE contracts", "ANALYZE quotes", "ANALYZE payments",
                "ANALYZE payment_allocations",
            ]
            let customer = try await database.query("SELECT md5('c7')::uuid").collect().first!.decode(UUID.self)
            let rep = Caller(tenant: Self.tenant, userID: "rep-7", roles: [.rep], orgPath: "/region-3/team-7")
            let cases: [(String, PostgresQuery, [String])] = [
                (
                    "a customer's inputs",
                    HealthStore.inputsQuery(customer: customer, tenant: Self.tenant, today: LocalDate(year: 2026, month: 12, day: 1)!),
                    ["opportunities", "marketing_touches", "service_tickets", "instalments", "contacts", "payments", "payment_allocations"]
                ),
                (
                    "a customer's journey",
                    JourneyStore.entriesQuery(customer: customer, since: Date().addingTimeInterval(-365 * 86_400), for: rep),
                    ["opportunities", "activities", "marketing_touches", "service_tickets", "quotes", "contracts", "payments"]
                ),
            ]
            let plans = try await QueryPlans.explain(after: fill, in: database) { _ in cases }
            for (what, plan, tables) in plans {
                for table in tables {
                    #expect(!plan.contains("Seq Scan on \(table) "), "\(what) reads \(table) whole:\n\(plan)")
                }
            }
        }
    }
}
