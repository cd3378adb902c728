import ForecastingService
import Foundation
import GRPCCore
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf
import TestSupport
import Testing

@Suite struct LossWatchTests {
    /// A closed deal of `team`, created 40 days before its close.
    static func deal(
        _ id: String, team: String, closedDaysAgo: Double, won: Bool, industry: String, competitor: Bool = false, customer: String = ""
    ) -> Sales_Forecasting_V1_HistoryDeal {
        let closed = Date().addingTimeInterval(-closedDaysAgo * 86_400)
        let created = closed.addingTimeInterval(-40 * 86_400)
        return .with {
            $0.externalID = id
            $0.ownerID = team == "/east/hz" ? "rep01" : "rep05"
            $0.team = team
            $0.industry = industry
            $0.customerID = customer
            $0.segment = "enterprise"
            $0.amount = .init(minorUnits: 50_000_000, currency: "CNY")
            $0.createdAt = Google_Protobuf_Timestamp(date: created)
            $0.events = [
                .with {
                    $0.at = Google_Protobuf_Timestamp(date: created); $0.stage = "方案报价"
                }
            ]
            if competitor {
                $0.events.append(
                    .with {
                        $0.at = Google_Protobuf_Timestamp(date: closed.addingTimeInterval(-5 * 86_400)); $0.external = "competitor_news"
                    })
            }
            $0.outcome = won ? .won : .lost
            $0.closedAt = Google_Protobuf_Timestamp(date: closed)
        }
    }

    /// Customers who had bought before, lost two weeks running: flagged for churn with few losses,
    /// with what the lost customers share and winning them back first among the interventions.
    @Test func aTeamLosingItsCustomersTwoWeeksRunningIsFlaggedForChurn() async throws {
        try await ForecastScene.hosted { scene in
            var deals: [Sales_Forecasting_V1_HistoryDeal] = []
            for n in 1...10 {
                // Each customer bought 100 days ago and again 50 days ago: no churn before the window.
                deals.append(Self.deal("B-\(n)", team: "/south/gz", closedDaysAgo: 100, won: true, industry: "零售", customer: "C-\(n)"))
                deals.append(Self.deal("R-\(n)", team: "/south/gz", closedDaysAgo: 50, won: true, industry: "零售", customer: "C-\(n)"))
            }
            // In each of the last two weeks one customer of two is lost, both logistics firms.
            for (id, customer, daysAgo, won, industry) in [
                ("L-1", "C-1", 10.0, false, "物流"), ("W-2", "C-2", 11.0, true, "零售"), ("L-3", "C-3", 3.0, false, "物流"),
                ("W-4", "C-4", 4.0, true, "零售"),
            ] {
                deals.append(Self.deal(id, team: "/south/gz", closedDaysAgo: daysAgo, won: won, industry: industry, customer: customer))
            }
            let imported = try await scene.forecasts.importHistory(.with { $0.deals = deals }, metadata: try await scene.metadata(scene.admin))
            #expect(imported.deals.allSatisfy { $0.result == "created" })
            func south() async throws -> Sales_Forecasting_V1_TeamLossWatch {
                let watch = try await scene.forecasts.getLossWatch(.init(), metadata: try await scene.metadata(scene.admin))
                return try #require(watch.teams.first { $0.team == "/south/gz" })
            }
            let churning = try await south()
            #expect(churning.flagged && churning.flaggedFor == ["churn"] && churning.losses == 2, "\(churning)")
            #expect(churning.churnedCustomers == 2 && churning.churnRateFirstWeek == 0.5 && churning.churnRateSecondWeek == 0.5)
            #expect(churning.usualChurnRate < 0.1)
            #expect(churning.traits.contains { $0.kind == "industry" && $0.value == "物流" && $0.shareOfLosses == 1 })
            #expect(churning.interventions.count == 3 && churning.interventions.first?.hasPrefix("老客户流失") == true)

            // A prospect lost (no earlier purchase) is a third loss, not a customer lost.
            _ = try await scene.forecasts.importHistory(
                .with { $0.deals = [Self.deal("P-1", team: "/south/gz", closedDaysAgo: 2, won: false, industry: "物流", customer: "C-new")] },
                metadata: try await scene.metadata(scene.admin))
            let both = try await south()
            #expect(both.losses == 3 && both.churnedCustomers == 2 && both.flaggedFor == ["losses", "churn"], "\(both)")
        }
    }

    @Test func aTeamLosingTwoWeeksRunningIsFlaggedWithWhatItsLossesShare() async throws {
        try await ForecastScene.hosted { scene in
            var deals: [Sales_Forecasting_V1_HistoryDeal] = []
            for (index, team) in ["/east/hz", "/north/bj"].enumerated() {
                // The usual: 20 closed in the 90 days before the window, 4 lost, industries mixed.
                for n in 0..<20 {
                    deals.append(
                        Self.deal(
                            "U\(index)-\(n)", team: team, closedDaysAgo: 20 + Double(n) * 4, won: n % 5 != 0, industry: n % 2 == 0 ? "零售" : "金融"))
                }
            }
            // /east/hz loses 3 of 4 in each of the last two weeks, manufacturers, against a competitor.
            for (n, daysAgo) in [2.0, 3, 4, 5, 9, 10, 11, 12].enumerated() {
                deals.append(
                    Self.deal(
                        "E-\(n)", team: "/east/hz", closedDaysAgo: daysAgo, won: n % 4 == 3, industry: n % 4 == 3 ? "零售" : "制造",
                        competitor: n % 4 != 3))
            }
            // /north/bj closes as usual.
            for (n, daysAgo) in [2.0, 4, 9, 11].enumerated() {
                deals.append(Self.deal("N-\(n)", team: "/north/bj", closedDaysAgo: daysAgo, won: n != 0, industry: "金融"))
            }
            let imported = try await scene.forecasts.importHistory(.with { $0.deals = deals }, metadata: try await scene.metadata(scene.admin))
            #expect(imported.deals.allSatisfy { $0.result == "created" }, "\(imported.deals.filter { $0.result.isEmpty })")

            let watch = try await scene.forecasts.getLossWatch(.init(), metadata: try await scene.metadata(scene.admin))
            #expect(watch.threshold == 1.5)
            #expect(watch.teams.map(\.team) == ["/east/hz", "/north/bj"])
            let east = watch.teams[0]
            #expect(east.flagged && east.losses == 6 && east.flaggedFor == ["losses"] && east.churnedCustomers == 0)
            #expect(east.lossRateFirstWeek == 0.75 && east.lossRateSecondWeek == 0.75)
            #expect(east.lostAmount.minorUnits == 300_000_000)
            #expect(east.traits.contains { $0.kind == "industry" && $0.value == "制造" && $0.shareOfLosses == 1 && $0.shareBefore == 0 })
            #expect(east.traits.contains { $0.kind == "competitor" && $0.shareOfLosses == 1 })
            #expect(!east.traits.contains { $0.kind == "size" }, "every deal is the same size: nothing in common beyond the usual")
            #expect(east.interventions.count == 3)
            #expect(east.interventions.contains { $0.hasPrefix("制造行业") })
            let north = watch.teams[1]
            #expect(!north.flagged && north.traits.isEmpty && north.interventions.isEmpty)

            // A manager of the north sees the north only; a rep is not a watcher.
            let northHead = Caller(tenant: scene.admin.tenant, userID: "north.head", roles: [.manager], orgPath: "/north")
            let theirs = try await scene.forecasts.getLossWatch(.init(), metadata: try await scene.metadata(northHead))
            #expect(theirs.teams.map(\.team) == ["/north/bj"])
            let denied = await #expect(throws: RPCError.self) {
                try await scene.forecasts.getLossWatch(.init(), metadata: try await scene.metadata(scene.rep))
            }
            #expect(denied?.code == .permissionDenied)
            // Seen from three weeks ago, before the bad run, nobody is flagged.
            let earlier = try await scene.forecasts.getLossWatch(
                .with { $0.asOf = ForecastScene.timestamp(daysAgo: 21) }, metadata: try await scene.metadata(scene.admin))
            #expect(earlier.teams.allSatisfy { !$0.flagged })
        }
    }
}
