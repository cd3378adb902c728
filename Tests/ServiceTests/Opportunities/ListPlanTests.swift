import Foundation
import PostgresNIO
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf
import TestSupport
import Testing

@testable import OpportunitiesService

/// ListOpportunities at a realistic size: 200,000 deals of one tenant across 40 teams, planned
/// for a rep, a team's manager and a region's manager. No plan may read the deals table whole.
@Suite struct ListPlanTests {
    static let tenant = TenantID("plan-\(UInt32.random(in: 0...UInt32.max))")!

    @Test func aManagersListReadsNoTableWhole() async throws {
        try await ServiceHarness.with(
            .opportunities, migrations: OpportunitiesServer.migrations, build: { try OpportunitiesServer.components($0) }
        ) { _, _, database in
            let fill: [PostgresQuery] = [
                """
                INSERT INTO opportunities (id, tenant_id, name, customer_name, owner_id, org_path, stage, amount_minor, currency,
                                           expected_close, stage_key)
                SELECT gen_random_uuid(), \(Self.tenant.rawValue), 'deal ' || g, 'customer ' || g, 'rep-' || (g % 400),
                       '/region-' || (g % 4) || '/team-' || (g % 40), 1 + g % 6, 100000 * (g % 97), 'CNY', now(), '初步接触'
                FROM generate_series(1, 200000) g
                """,
                "ANALYZE opportunities",
            ]
            let callers = [
                ("rep", Caller(tenant: Self.tenant, userID: "rep-7", roles: [.rep], orgPath: "/region-3/team-7")),
                ("team manager", Caller(tenant: Self.tenant, userID: "m-7", roles: [.manager], orgPath: "/region-3/team-7")),
                ("region manager", Caller(tenant: Self.tenant, userID: "m-3", roles: [.manager], orgPath: "/region-3")),
            ]
            let plans = try await QueryPlans.explain(after: fill, in: database) { _ in
                try callers.map { who, caller in
                    (
                        who,
                        OpportunityStore.listQuery(
                            for: caller, stage: .unspecified, leadID: nil, staleOnly: false, page: try Page(.with { $0.pageSize = 50 })),
                        ()
                    )
                }
            }
            for (who, plan, _) in plans {
                #expect(!plan.contains("Seq Scan on opportunities"), "\(who):\n\(plan)")
            }
        }
    }
}
