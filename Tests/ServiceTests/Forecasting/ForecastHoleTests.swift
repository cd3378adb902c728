import ForecastingService
import Foundation
import GRPCCore
import SalesControl
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf
import TestSupport
import Testing

/// The forecasting RPCs against the holes found in leads: the string-prefix sibling path, a key
/// replayed by another user, and bad text in each text field.
@Suite struct ForecastHoleTests {
    @Test func aSiblingPathSeesNothingAndAReplayedKeyIsTheSecondCallersOwn() async throws {
        try await ForecastScene.hosted { scene in
            try await scene.importPipeline(months: 12, dealsPerMonth: 60)
            let own = Caller(tenant: scene.admin.tenant, userID: "hz.head", roles: [.manager], orgPath: "/east/hz")
            // "/east/h" is a string prefix of "/east/hz" but not its parent.
            let sibling = Caller(tenant: scene.admin.tenant, userID: "h.head", roles: [.manager], orgPath: "/east/h")
            let seen = try await scene.forecasts.scoreDeals(.with { $0.page.pageSize = 200 }, metadata: try await scene.metadata(own))
            #expect(!seen.scores.isEmpty && seen.scores.allSatisfy { $0.team == "/east/hz" })
            let hidden = try await scene.forecasts.scoreDeals(.with { $0.page.pageSize = 200 }, metadata: try await scene.metadata(sibling))
            #expect(hidden.scores.isEmpty)
            let one = await #expect(throws: RPCError.self) {
                try await scene.forecasts.scoreDeals(.with { $0.dealID = seen.scores[0].dealID }, metadata: try await scene.metadata(sibling))
            }
            #expect(one?.code == .notFound)
            let period = "\(Calendar.shanghai.component(.year, from: Date()))-Q\((Calendar.shanghai.component(.month, from: Date()) - 1) / 3 + 1)"
            let forecast = try await scene.forecasts.getPeriodForecast(
                .with {
                    $0.period = period
                    $0.groupBy = .team
                }, metadata: try await scene.metadata(sibling))
            #expect(forecast.lines.isEmpty && forecast.total.expected.minorUnits == 0)
            #expect(forecast.total.expectedLow.minorUnits == 0 && forecast.total.expectedHigh.minorUnits == 0, "no range from deals it cannot see")
            let ownForecast = try await scene.forecasts.getPeriodForecast(
                .with {
                    $0.period = period
                    $0.groupBy = .team
                }, metadata: try await scene.metadata(own))
            #expect(ownForecast.lines.map(\.key) == ["/east/hz"])
            #expect(ownForecast.total.expectedHigh.minorUnits > ownForecast.total.expected.minorUnits)
            #expect(try await scene.forecasts.getLossWatch(.init(), metadata: try await scene.metadata(sibling)).teams.isEmpty)

            // The same idempotency key from two reps: each gets the dispute of their own deal.
            let mine = try await scene.forecasts.scoreDeals(.init(), metadata: try await scene.metadata(scene.rep)).scores[0]
            let theirs = try await scene.forecasts.scoreDeals(.init(), metadata: try await scene.metadata(scene.otherRep)).scores[0]
            let later = ForecastScene.timestamp(daysAgo: -30)
            let first = try await scene.forecasts.disputeScore(
                .with {
                    $0.dealID = mine.dealID; $0.reason = "等待董事会审批"; $0.newExpectedClose = later
                },
                metadata: try await scene.metadata(scene.rep, key: "same-key"))
            let second = try await scene.forecasts.disputeScore(
                .with {
                    $0.dealID = theirs.dealID; $0.reason = "招标流程延期"; $0.newExpectedClose = later
                },
                metadata: try await scene.metadata(scene.otherRep, key: "same-key"))
            #expect(first.dealID == mine.dealID && first.disputedBy == "rep01")
            #expect(second.dealID == theirs.dealID && second.disputedBy == "rep02" && second.reason == "招标流程延期")
        }
    }

    @Test func badTextInEachFieldIsRefusedNamingItWithAShortQuote() async throws {
        try await ForecastScene.hosted { scene in
            let long = String(repeating: "长", count: 100_000)
            for bad in ["a\u{0}b", "a\u{7}b", long] {
                let signal = await #expect(throws: RPCError.self) {
                    try await scene.forecasts.defineSignal(
                        .with {
                            $0.signal = .with {
                                $0.key = "own_signal"; $0.label = bad; $0.kind = .behaviour; $0.source = "x"
                            }
                        }, metadata: try await scene.metadata(scene.admin))
                }
                #expect(signal?.code == .invalidArgument)
                #expect(signal?.message.hasPrefix("signal.label") == true, "\(signal?.message.prefix(80) ?? "")")
                #expect((signal?.message.count ?? .max) < 400)
                let dispute = await #expect(throws: RPCError.self) {
                    try await scene.forecasts.disputeScore(
                        .with {
                            $0.dealID = "D1"; $0.reason = bad; $0.newExpectedClose = ForecastScene.timestamp(daysAgo: -10)
                        },
                        metadata: try await scene.metadata(scene.rep))
                }
                #expect(dispute?.code == .invalidArgument)
                #expect(dispute?.message.hasPrefix("reason") == true, "\(dispute?.message.prefix(80) ?? "")")
                #expect((dispute?.message.count ?? .max) < 400)
                let score = await #expect(throws: RPCError.self) {
                    try await scene.forecasts.scoreDeals(.with { $0.dealID = bad }, metadata: try await scene.metadata(scene.rep))
                }
                #expect(score?.code == .invalidArgument)
                #expect(score?.message.hasPrefix("deal_id") == true, "\(score?.message.prefix(80) ?? "")")
                let periodAsked = await #expect(throws: RPCError.self) {
                    try await scene.forecasts.getPeriodForecast(.with { $0.period = bad }, metadata: try await scene.metadata(scene.admin))
                }
                #expect(periodAsked?.code == .invalidArgument)
                #expect(periodAsked?.message.hasPrefix("period") == true, "\(periodAsked?.message.prefix(80) ?? "")")
                #expect((periodAsked?.message.count ?? .max) < 400)
                for field in ["from_month", "to_month"] {
                    let backtest = await #expect(throws: RPCError.self) {
                        try await scene.forecasts.backtest(
                            .with {
                                $0.fromMonth = field == "from_month" ? bad : "2025-01"
                                $0.toMonth = field == "to_month" ? bad : "2025-06"
                            }, metadata: try await scene.metadata(scene.admin))
                    }
                    #expect(backtest?.code == .invalidArgument)
                    #expect(backtest?.message.hasPrefix(field) == true, "\(backtest?.message.prefix(80) ?? "")")
                    #expect((backtest?.message.count ?? .max) < 400)
                }
            }
        }
    }

    @Test func anotherTenantWithAHistoryOfItsOwnSeesNoneOfThisOne() async throws {
        try await ForecastScene.hosted { scene in
            let ours = try await scene.importPipeline(months: 6, dealsPerMonth: 30)
            // The other tenant imports the same generated file under its own name.
            let theirs = try await scene.forecasts.importHistory(
                .with { $0.deals = Array(ours.prefix(50)) }, metadata: try await scene.metadata(scene.stranger))
            #expect(theirs.deals.allSatisfy { $0.result == "created" }, "the same deal ids are theirs to have")
            let open = try await scene.forecasts.scoreDeals(.with { $0.page.pageSize = 5 }, metadata: try await scene.metadata(scene.admin)).scores
            let onlyOurs = try #require(open.first { score in !ours.prefix(50).contains { $0.externalID == score.dealID } })
            let asked = await #expect(throws: RPCError.self) {
                try await scene.forecasts.scoreDeals(.with { $0.dealID = onlyOurs.dealID }, metadata: try await scene.metadata(scene.stranger))
            }
            #expect(asked?.code == .notFound)
            let disputed = await #expect(throws: RPCError.self) {
                try await scene.forecasts.disputeScore(
                    .with {
                        $0.dealID = onlyOurs.dealID; $0.reason = "等待董事会审批"; $0.newExpectedClose = ForecastScene.timestamp(daysAgo: -20)
                    }, metadata: try await scene.metadata(scene.stranger))
            }
            #expect(disputed?.code == .notFound)
            let theirScores = try await scene.forecasts.scoreDeals(
                .with { $0.page.pageSize = 200 }, metadata: try await scene.metadata(scene.stranger)
            ).scores
            let theirIDs = Set(ours.prefix(50).map(\.externalID))
            #expect(!theirScores.isEmpty && theirScores.allSatisfy { theirIDs.contains($0.dealID) }, "their deals, none of ours")
            // Their period forecast, its range included, is made of their open deals alone.
            let today = Calendar.shanghai.dateComponents([.year, .month], from: Date())
            let month = String(format: "%04d-%02d", today.year!, today.month!)
            let ourForecast = try await scene.forecasts.getPeriodForecast(
                .with { $0.period = month }, metadata: try await scene.metadata(scene.admin))
            let theirForecast = try await scene.forecasts.getPeriodForecast(
                .with { $0.period = month }, metadata: try await scene.metadata(scene.stranger))
            #expect(theirForecast.total.openDeals == Int32(theirScores.count))
            #expect(ourForecast.total.openDeals > theirForecast.total.openDeals)
        }
    }

    @Test func aDealWithBadTextIsRefusedAloneAndTheRestGoIn() async throws {
        try await ForecastScene.hosted { scene in
            let now = Date()
            let start = Calendar(identifier: .gregorian).date(byAdding: .month, value: -3, to: now)!
            var deals = PipelineGenerator(.init(seed: 3, start: start, months: 4, dealsPerMonth: 5)).deals(now: now)
            deals[1].ownerID = "rep\u{0}01"
            deals[2].team = String(repeating: "长", count: 100_000)
            let answer = try await scene.forecasts.importHistory(.with { $0.deals = deals }, metadata: try await scene.metadata(scene.admin))
            #expect(answer.deals[1].errorCode == "INVALID_ARGUMENT" && answer.deals[1].field == "owner_id", "\(answer.deals[1])")
            #expect(answer.deals[2].errorCode == "INVALID_ARGUMENT" && answer.deals[2].field == "team")
            #expect(answer.deals[2].reason.count < 400, "the value is quoted by a short prefix")
            #expect(answer.deals.enumerated().allSatisfy { index, outcome in [1, 2].contains(index) || outcome.result == "created" })
            // The same call again with the same key from another admin is that admin's own: unchanged, not the first answer.
            let key = "history-key"
            let good = Array(deals[3...])
            let first = try await scene.forecasts.importHistory(.with { $0.deals = good }, metadata: try await scene.metadata(scene.admin, key: key))
            let otherAdmin = Caller(tenant: scene.admin.tenant, userID: "ceo", roles: [.admin], orgPath: "/")
            let replay = try await scene.forecasts.importHistory(.with { $0.deals = good }, metadata: try await scene.metadata(otherAdmin, key: key))
            #expect(first.deals.allSatisfy { $0.result == "unchanged" } && replay.deals.allSatisfy { $0.result == "unchanged" })
        }
    }
}
