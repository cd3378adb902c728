import Foundation
import Logging
import PostgresNIO
import SalesModel
import ServiceKit
import TestSupport
import Testing

@testable import ForecastingService

/// The signal watch's hot statements at a large tenant's size: 200,000 deals (20,000 open) over
/// 50,000 customers, 100,000 competitor alerts and 200,000 external signals. Each signal finds the
/// deals it reaches, a new deal its customer's signals, and each rep's alert list is read, through
/// an index, never by reading a table whole.
@Suite struct SignalWatchPlanTests {
    static let tenant = TenantID("plan-\(UInt32.random(in: 0...UInt32.max))")!

    @Test func aSignalsDealsAndAnOwnersAlertsAreFoundThroughIndexes() async throws {
        try await ServiceHarness.with(
            .forecasting, migrations: ForecastingServer.migrations, build: { try ForecastingServer.api($0) }
        ) { _, _, database in
            let tenant = Self.tenant.rawValue
            let fill: [PostgresQuery] = [
                """
                INSERT INTO forecast_deals (tenant_id, deal_id, origin, owner_id, org_path, customer_id, created_at, outcome, closed_at, history)
                SELECT \(tenant), 'D-' || g, 'import', 'rep-' || (g % 200), '/region-' || (g % 5) || '/team-' || (g % 40),
                       'C-' || (g % 50000), now() - (g % 730) * interval '1 day', CASE WHEN g % 10 = 0 THEN 0 ELSE 1 + g % 2 END,
                       CASE WHEN g % 10 = 0 THEN NULL ELSE now() - (g % 700) * interval '1 day' END, '\\x0a00'::bytea
                FROM generate_series(1, 200000) g
                """,
                """
                INSERT INTO competitor_alerts (tenant_id, source, signal_id, deal_id, customer_id, owner_id, org_path, signal, headline,
                                               competitor, occurred_at, responses, raised_at)
                SELECT \(tenant), 'news', 'S-' || g, 'D-' || g, 'C-' || (g % 50000), 'rep-' || (g % 200),
                       '/region-' || (g % 5) || '/team-' || (g % 40), 'competitor_news', '降价', '某竞品', now(), '[]',
                       now() - (g % 365) * interval '1 day'
                FROM generate_series(1, 100000) g
                """,
                """
                INSERT INTO external_signals (tenant_id, source, signal_id, signal, occurred_at, customer_id, deal_id, headline, competitor,
                                              deals_reached)
                SELECT \(tenant), 'news', 'X-' || g, 'tender_published', now() - (g % 365) * interval '1 day', 'C-' || (g % 50000), '', '', '',
                       g % 2
                FROM generate_series(1, 200000) g
                """,
                "ANALYZE forecast_deals", "ANALYZE competitor_alerts", "ANALYZE external_signals",
            ]
            let rep = Caller(tenant: Self.tenant, userID: "rep-7", roles: [.rep], orgPath: "/region-2/team-7")
            let manager = Caller(tenant: Self.tenant, userID: "m-7", roles: [.manager], orgPath: "/region-2/team-7")
            let monthAgo = Date().addingTimeInterval(-30 * 86_400)
            let cases: [(String, PostgresQuery, String)] = [
                ("a customer's open deals", HistoryStore.openDealsQuery(dealID: "", customerID: "C-77", tenant: Self.tenant), "forecast_deals"),
                ("a deal named", HistoryStore.openDealsQuery(dealID: "D-770", customerID: "", tenant: Self.tenant), "forecast_deals"),
                ("a rep's alerts", CompetitorWatchStore.alertsQuery(for: rep, since: monthAgo, limit: 500), "competitor_alerts"),
                ("a manager's alerts", CompetitorWatchStore.alertsQuery(for: manager, since: monthAgo, limit: 500), "competitor_alerts"),
                (
                    "signals about a new deal's customer",
                    SignalSourceStore.aboutQuery(customer: "C-77", since: Date().addingTimeInterval(-90 * 86_400), tenant: Self.tenant),
                    "external_signals"
                ),
            ]
            let plans = try await QueryPlans.explain(after: fill, in: database) { _ in cases }
            for (what, plan, table) in plans {
                #expect(!plan.contains("Seq Scan on \(table)"), "\(what) reads \(table) whole:\n\(plan)")
            }
        }
    }
}
