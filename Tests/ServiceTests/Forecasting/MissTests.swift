import Foundation
import GRPCCore
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf
import TestSupport
import Testing

@testable import ForecastingService

@Suite struct MissTests {
    @Test func aLateDealsHistoryNamesItsCauses() {
        let start = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01
        func day(_ n: Double) -> Date { start.addingTimeInterval(n * 86_400) }
        let deal = DealRecord(
            id: "D-1", ownerID: "rep01", team: "/east/hz", region: "east", segment: "enterprise", industry: "制造", amount: 50_000_000,
            createdAt: day(0),
            outcome: .won, closedAt: day(150),
            events: [
                .init(at: day(0), event: .stage("线索确认")),
                .init(at: day(1), event: .rep(percent: 60, close: day(60), disputed: false)),
                .init(at: day(10), event: .behaviour("proposal_opened")),
                .init(at: day(20), event: .stage("方案报价")),
                .init(at: day(25), event: .behaviour("budget_confirmed")),
                .init(at: day(28), event: .behaviour("decision_maker_met")),
                // The forecast was made on day 31; after it:
                .init(at: day(40), event: .behaviour("champion_left")),
                .init(at: day(45), event: .external("competitor_news")),
                .init(at: day(50), event: .stage("需求分析")),
                .init(at: day(61), event: .rep(percent: 60, close: day(90), disputed: false)),
                .init(at: day(91), event: .rep(percent: 50, close: day(140), disputed: true)),
                .init(at: day(100), event: .behaviour("legal_review")),
            ])
        // The tenant's deals usually go 线索确认 → 需求分析 → 方案报价: this one went back.
        let order = ["线索确认": 0.0, "需求分析": 1.0, "方案报价": 2.0]
        let causes = MissCauses.find(deal, since: day(31), labels: ["champion_left": "支持者离职", "legal_review": "法务审核"], order: order)
        // In time order; at the same moment, in the order the history shows them.
        #expect(
            causes.map(\.kind) == [
                "key_person_left", "competitor", "stage_moved_back", "disputed", "date_pushed", "approval_waited", "signals_stopped",
            ])
        #expect(causes.first?.detail.hasPrefix("支持者离职") == true)
        #expect(causes.contains { $0.kind == "stage_moved_back" && $0.detail == "方案报价 → 需求分析" })
        #expect(causes.contains { $0.kind == "date_pushed" && $0.detail.hasSuffix("2 times") })
        #expect(causes.contains { $0.kind == "approval_waited" && $0.detail == "法务审核 50 days before the close" })
        // Before the forecast nothing counts: the same history seen from day 120 shows no cause but the silence.
        #expect(MissCauses.find(deal, since: day(120), labels: [:], order: order).map(\.kind) == ["signals_stopped"])
        // Without the order, a first visit to 需求分析 is no move back.
        #expect(!MissCauses.find(deal, since: day(31), labels: [:], order: [:]).contains { $0.kind == "stage_moved_back" })
        #expect(MissCauses.stageOrder([deal]) == ["线索确认": 0, "方案报价": 1, "需求分析": 2], "the order this deal alone shows")
    }

    @Test func aMonthsMissesAreListedWithTheirCausesPerTeam() async throws {
        try await ForecastScene.hosted { scene in
            try await scene.importPipeline(months: 12, dealsPerMonth: 60)
            let calendar = Calendar.shanghai
            var all: [Sales_Forecasting_V1_DealMiss] = []
            for back in 1...3 {
                let date = calendar.date(byAdding: .month, value: -back, to: Date())!
                let month = String(format: "%04d-%02d", calendar.component(.year, from: date), calendar.component(.month, from: date))
                let listed = try await scene.forecasts.listMisses(.with { $0.month = month }, metadata: try await scene.metadata(scene.admin))
                for miss in listed.misses {
                    let closed = miss.closedAt.date
                    #expect(calendar.component(.month, from: closed) == calendar.component(.month, from: date), "\(miss.dealID)")
                    #expect(miss.forecastAt.date < closed)
                    switch miss.kind {
                    case "late":
                        #expect(miss.outcome == .won && miss.daysLate >= 15 && miss.score >= 0.5)
                        #expect(closed.timeIntervalSince(miss.forecastClose.date) >= 15 * 86_400)
                    case "lost_high": #expect(miss.outcome == .lost && miss.score >= 0.5)
                    default: Issue.record("unknown kind \(miss.kind)")
                    }
                    #expect(miss.causes.allSatisfy { $0.at.date >= miss.forecastAt.date || $0.kind == "signals_stopped" })
                }
                #expect(listed.teams.reduce(0) { $0 + $1.misses } == Int32(listed.misses.count))
                all += listed.misses
            }
            #expect(!all.isEmpty, "three months of a generated pipeline hold some misses")

            // A rep sees only their own; another rep's deal is not found; a quarter is no month.
            let mine = all.first!
            let owner = Caller(tenant: scene.admin.tenant, userID: mine.ownerID, roles: [.rep], orgPath: mine.team)
            let one = try await scene.forecasts.listMisses(.with { $0.dealID = mine.dealID }, metadata: try await scene.metadata(owner))
            #expect(one.misses.map(\.dealID) == [mine.dealID])
            let other = Caller(tenant: scene.admin.tenant, userID: "someone.else", roles: [.rep], orgPath: mine.team)
            let hidden = await #expect(throws: RPCError.self) {
                try await scene.forecasts.listMisses(.with { $0.dealID = mine.dealID }, metadata: try await scene.metadata(other))
            }
            #expect(hidden?.code == .notFound)
            let quarter = await #expect(throws: RPCError.self) {
                try await scene.forecasts.listMisses(.with { $0.month = "2026-Q3" }, metadata: try await scene.metadata(scene.admin))
            }
            #expect(quarter?.code == .invalidArgument)
        }
    }
}
