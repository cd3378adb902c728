import Foundation
import SalesControl
import SalesModel
import SalesProto
import ServiceKit
import Testing

extension EndToEnd {
    /// `salesctl up --demo` loads the demo tenant through the APIs; running it again adds nothing.
    @Suite struct DemoDataTests {
        @Test func loadingTheDemoTwiceIsSafe() async throws {
            let (stack, _, tokens) = try await RunningStack.shared.get()
            let loader = DemoLoader(plan: stack.plan, tokens: tokens)
            let first = try await loader.load()
            let second = try await loader.load()
            #expect(first.leads == 18 && first.opportunities == 8 && first.teams == 9 && first.users == 13 && first.stores == 3)
            #expect(second.leads == first.leads && second.opportunities == first.opportunities)

            let client = StackClient(plan: stack.plan, tokens: tokens)
            let admin = Caller(tenant: TenantID("demo")!, userID: "admin", roles: [.admin], orgPath: "/hq")
            let overview = try await client.with(.gateway) { grpc in
                try await Sales_Gateway_V1_DashboardService.Client(wrapping: grpc).getOverview(.init(), metadata: try await client.metadata(admin))
            }
            #expect(overview.leads.total == 18, "no lead twice")
            #expect(overview.opportunities.total == 8, "no opportunity twice")
            #expect(overview.stores.stores == 3)
            #expect(Set(overview.leads.byChannel.map(\.channel)).count == 7, "leads from every channel")
        }
    }
}
