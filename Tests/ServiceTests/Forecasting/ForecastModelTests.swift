import ForecastingService
import Foundation
import GRPCCore
import PostgresNIO
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf
import TestSupport
import Testing

@Suite struct ForecastModelTests {
    @Test func aTenantWithNoHistoryGetsAClearAnswer() async throws {
        try await ForecastScene.hosted { scene in
            let calls: [@Sendable () async throws -> Void] = [
                { _ = try await scene.forecasts.scoreDeals(.init(), metadata: try await scene.metadata(scene.rep)) },
                { _ = try await scene.forecasts.train(.init(), metadata: try await scene.metadata(scene.admin)) },
                { _ = try await scene.forecasts.getPeriodForecast(.with { $0.period = "2026-Q4" }, metadata: try await scene.metadata(scene.admin)) },
            ]
            for call in calls {
                let error = await #expect(throws: RPCError.self) { try await call() }
                #expect(error?.code == .failedPrecondition)
                #expect(error?.message.contains("salesctl import history") == true, "\(error?.message ?? "")")
            }
        }
    }

    @Test func theModelBeatsTheRepsInABacktestOfMonthsItNeverSaw() async throws {
        try await ForecastScene.hosted { scene in
            // A fixed moment, so the months and their deals are the same on every run.
            let now = Date(timeIntervalSince1970: 1_781_136_000)  // 2026-06-11 00:00 UTC
            try await scene.importPipeline(now: now)
            let calendar = Calendar.shanghai
            func month(_ back: Int, from moment: Date = now) -> String {
                let date = calendar.date(byAdding: .month, value: -back, to: moment)!
                let parts = calendar.dateComponents([.year, .month], from: date)
                return String(format: "%04d-%02d", parts.year!, parts.month!)
            }
            let result = try await scene.forecasts.backtest(
                .with {
                    $0.fromMonth = month(6)
                    $0.toMonth = month(1)
                }, metadata: try await scene.metadata(scene.admin))
            #expect(result.months.count == 6)
            for month in result.months {
                #expect(month.openDeals > 50, "\(month.month)")
                #expect(month.actual.minorUnits > 0, "\(month.month)")
                #expect(month.expectedLow.minorUnits < month.forecast.minorUnits && month.forecast.minorUnits < month.expectedHigh.minorUnits)
                #expect(month.attainableAccuracy > 0 && month.attainableAccuracy < 1)
                print(
                    "backtest \(month.month): forecast \(month.forecast.minorUnits / 100) "
                        + "(80%: \(month.expectedLow.minorUnits / 100)–\(month.expectedHigh.minorUnits / 100)) actual \(month.actual.minorUnits / 100) "
                        + "accuracy \(month.accuracy) of an attainable \(month.attainableAccuracy) brier \(month.brier) "
                        + "rep \(month.repAccuracy)/\(month.repBrier)")
            }
            print(
                "backtest mean: model \(result.meanAccuracy)/\(result.meanBrier) of an attainable \(result.meanAttainableAccuracy), "
                    + "\(result.monthsWithinRange) months within range; reps \(result.repMeanAccuracy)/\(result.repMeanBrier)")
            let within = result.months.filter { ($0.expectedLow.minorUnits...$0.expectedHigh.minorUnits).contains($0.actual.minorUnits) }
            #expect(result.monthsWithinRange == Int32(within.count))
            // At about 40 wins a month, a month's few large deals keep any forecast from being near every month.
            #expect(result.meanAttainableAccuracy > result.meanAccuracy && result.meanAttainableAccuracy < 0.9)
            #expect(result.meanAccuracy > result.repMeanAccuracy)
            #expect(result.meanBrier < result.repMeanBrier)
            #expect(result.undisputedMeanAccuracy == result.meanAccuracy, "no dispute was made")

            // The six replayed months are the tenant's record now: the next model's ranges learn from them.
            let trained = try await scene.forecasts.train(.init(), metadata: try await scene.metadata(scene.admin))
            print("record: \(trained.rangeRecordMonths) months, range dispersion \(trained.rangeDispersion)")
            #expect(trained.rangeRecordMonths == 6)
            #expect(trained.rangeDispersion >= 1)

            let error = await #expect(throws: RPCError.self) {
                _ = try await scene.forecasts.backtest(
                    .with {
                        $0.fromMonth = month(1)
                        $0.toMonth = month(0, from: Date())
                    }, metadata: try await scene.metadata(scene.admin))
            }
            #expect(error?.code == .invalidArgument)
            #expect(error?.message.contains("has not ended") == true)
        }
    }

    @Test func anEventAfterTheAsOfMomentChangesNothing() async throws {
        try await ForecastScene.hosted { scene in
            let now = Date()
            let deals = try await scene.importPipeline(now: now, months: 12, dealsPerMonth: 60)
            let asOf = now.addingTimeInterval(-45 * 86_400)
            let asked = Sales_Forecasting_V1_ScoreDealsRequest.with {
                $0.asOf = Google_Protobuf_Timestamp(date: asOf)
                $0.page.pageSize = 200
            }
            let before = try await scene.forecasts.scoreDeals(asked, metadata: try await scene.metadata(scene.admin))
            #expect(!before.scores.isEmpty)
            #expect(before.model.asOf.date == asOf)

            // A deal open then now gets later signals and a win; a new deal appears after as_of.
            var changed =
                deals.first { deal in before.scores.contains { $0.dealID == deal.externalID } && deal.outcome == .open }
                ?? deals.first { deal in before.scores.contains { $0.dealID == deal.externalID } }!
            changed.events.append(
                .with {
                    $0.at = ForecastScene.timestamp(daysAgo: 2, from: now); $0.behaviour = "finance_requested_contract_template"
                })
            changed.outcome = .won
            changed.closedAt = ForecastScene.timestamp(daysAgo: 1, from: now)
            var fresh = changed
            fresh.externalID = "LATE-1"
            fresh.createdAt = ForecastScene.timestamp(daysAgo: 10, from: now)
            fresh.events = [
                .with {
                    $0.at = fresh.createdAt; $0.stage = "商务谈判"
                }
            ]
            let answer = try await scene.forecasts.importHistory(
                .with { $0.deals = [changed, fresh] }, metadata: try await scene.metadata(scene.admin))
            #expect(answer.deals.map(\.result) == ["updated", "created"], "\(answer.deals)")

            let after = try await scene.forecasts.scoreDeals(asked, metadata: try await scene.metadata(scene.admin))
            #expect(after.scores == before.scores)
            #expect(after.model.deals == before.model.deals)
        }
    }

    @Test func aModelSavedForOtherInputsIsRetrainedNotReadPastItsWeights() async throws {
        try await ForecastScene.hosted { scene in
            try await scene.importPipeline(months: 8, dealsPerMonth: 30)
            let saved = try await scene.forecasts.train(.init(), metadata: try await scene.metadata(scene.admin))
            // What a build before the latest feature saved: one weight fewer, and no inputs version.
            try await scene.database.query(
                """
                UPDATE forecast_models SET body = jsonb_set(body, '{regression,weights}', (body #> '{regression,weights}') - -1) - 'inputsVersion'
                WHERE tenant_id = \(scene.admin.tenant.rawValue)
                """)
            let scores = try await scene.forecasts.scoreDeals(.with { $0.page.pageSize = 5 }, metadata: try await scene.metadata(scene.admin))
            #expect(!scores.scores.isEmpty)
            #expect(scores.model.modelID != saved.modelID, "retrained")
            // The new model was kept: the next read scores with it.
            let again = try await scene.forecasts.scoreDeals(.with { $0.page.pageSize = 5 }, metadata: try await scene.metadata(scene.admin))
            #expect(again.model.modelID == scores.model.modelID)

            // A model this build cannot decode at all (a field it needs is missing) is retrained too.
            try await scene.database.query(
                "UPDATE forecast_models SET body = body - 'space' WHERE tenant_id = \(scene.admin.tenant.rawValue)")
            let retrained = try await scene.forecasts.scoreDeals(.with { $0.page.pageSize = 5 }, metadata: try await scene.metadata(scene.admin))
            #expect(!retrained.scores.isEmpty && retrained.model.modelID != scores.model.modelID)
        }
    }

    @Test func scoresCarryCredibilityAndFactorsAndFollowVisibility() async throws {
        try await ForecastScene.hosted { scene in
            try await scene.importPipeline(months: 12, dealsPerMonth: 60)
            let summary = try await scene.forecasts.train(.init(), metadata: try await scene.metadata(scene.admin))
            #expect(summary.deals > 100)
            #expect(summary.holdoutBrier > 0 && summary.holdoutBrier < 0.25)
            #expect(summary.rangeDispersion >= 1 && summary.rangeDispersion < 10)

            let mine = try await scene.forecasts.scoreDeals(.with { $0.page.pageSize = 200 }, metadata: try await scene.metadata(scene.rep))
            #expect(!mine.scores.isEmpty)
            #expect(mine.model.modelID == summary.modelID)
            for score in mine.scores {
                #expect(score.ownerID == "rep01")
                #expect((0...1).contains(score.winThisMonth))
                #expect(score.winThisQuarter >= score.winThisMonth - 1e-9)
                #expect(!score.factors.isEmpty && score.factors.count <= 5)
                #expect(score.factors.allSatisfy { !$0.label.isEmpty && $0.points != 0 })
                let level: Sales_Forecasting_V1_Credibility =
                    score.behaviourPoints < 3 ? .l1 : score.externalSignals >= 2 ? .l3 : .l2
                #expect(score.credibility == level)
            }
            // The largest factor first.
            let first = mine.scores[0].factors.map { abs($0.points) }
            #expect(first == first.sorted(by: >))

            let region = try await scene.forecasts.scoreDeals(.with { $0.page.pageSize = 200 }, metadata: try await scene.metadata(scene.eastManager))
            #expect(region.scores.allSatisfy { $0.team.hasPrefix("/east/") })
            #expect(region.scores.count > mine.scores.count)

            let theirs = region.scores.first { $0.ownerID == "rep02" }!
            for caller in [scene.rep, scene.stranger] {
                let error = await #expect(throws: RPCError.self) {
                    try await scene.forecasts.scoreDeals(.with { $0.dealID = theirs.dealID }, metadata: try await scene.metadata(caller))
                }
                #expect(error?.code == (caller.tenant == scene.rep.tenant ? .notFound : .failedPrecondition))
            }
            let one = try await scene.forecasts.scoreDeals(.with { $0.dealID = theirs.dealID }, metadata: try await scene.metadata(scene.otherRep))
            #expect(one.scores.map(\.dealID) == [theirs.dealID])
        }
    }

    @Test func thePeriodForecastAddsUpAndManagementCountsOnlyL2AndAbove() async throws {
        try await ForecastScene.hosted { scene in
            try await scene.importPipeline(months: 12, dealsPerMonth: 60)
            let calendar = Calendar.shanghai
            let parts = calendar.dateComponents([.year, .month], from: Date())
            let period = "\(parts.year!)-Q\((parts.month! - 1) / 3 + 1)"
            let byTeam = try await scene.forecasts.getPeriodForecast(
                .with {
                    $0.period = period
                    $0.groupBy = .team
                }, metadata: try await scene.metadata(scene.admin))
            #expect(byTeam.period == period)
            #expect(byTeam.lines.count == 6)
            #expect(byTeam.cashDelayDays == 45)
            let total = byTeam.total
            let summed = byTeam.lines.reduce(Int64(0)) { $0 + $1.expected.minorUnits }
            #expect(abs(total.expected.minorUnits - summed) <= Int64(byTeam.lines.count))
            #expect(total.management.minorUnits <= total.expected.minorUnits)
            #expect(total.management.minorUnits == total.won.minorUnits + total.level2.minorUnits + total.level3.minorUnits)
            #expect(total.commit.minorUnits <= total.bestCase.minorUnits)
            #expect(total.won.minorUnits <= total.commit.minorUnits)
            #expect(total.level1.minorUnits + total.level2.minorUnits + total.level3.minorUnits > 0)
            let sorted = byTeam.lines.map(\.expected.minorUnits)
            #expect(sorted == sorted.sorted(by: >))
            for line in byTeam.lines + [total] {
                #expect(line.won.minorUnits <= line.expectedLow.minorUnits, "\(line.key)")
                #expect(
                    line.expectedLow.minorUnits <= line.expected.minorUnits && line.expected.minorUnits < line.expectedHigh.minorUnits, "\(line.key)")
            }
            // The teams' ups and downs partly cancel: the tenant's range is wider than any team's,
            // narrower than all of theirs laid end to end.
            let halves = byTeam.lines.map { $0.expectedHigh.minorUnits - $0.expected.minorUnits }
            let totalHalf = total.expectedHigh.minorUnits - total.expected.minorUnits
            #expect(totalHalf > halves.max()! && totalHalf < halves.reduce(0, +))

            let mine = try await scene.forecasts.getPeriodForecast(
                .with {
                    $0.period = period
                    $0.groupBy = .rep
                }, metadata: try await scene.metadata(scene.rep))
            #expect(mine.lines.map(\.key) == ["rep01"])
            let region = try await scene.forecasts.getPeriodForecast(
                .with {
                    $0.period = period
                    $0.groupBy = .region
                }, metadata: try await scene.metadata(scene.eastManager))
            #expect(region.lines.map(\.key) == ["east"])

            for (text, field) in [("2026-13", "period"), ("Q4", "period"), ("2020-01", "period")] {
                let error = await #expect(throws: RPCError.self) {
                    try await scene.forecasts.getPeriodForecast(.with { $0.period = text }, metadata: try await scene.metadata(scene.admin))
                }
                #expect(error?.code == .invalidArgument, "\(text)")
                #expect(error?.message.hasPrefix(field) == true, "\(text): \(error?.message ?? "")")
            }
        }
    }

    @Test func aRepDisputesTheirOwnScoreWithAPresetReason() async throws {
        try await ForecastScene.hosted { scene in
            try await scene.importPipeline(months: 12, dealsPerMonth: 60)
            let reasons = try await scene.forecasts.listDisputeReasons(.init(), metadata: try await scene.metadata(scene.rep)).reasons
            #expect(reasons.contains("等待董事会审批"))
            let mine = try await scene.forecasts.scoreDeals(.init(), metadata: try await scene.metadata(scene.rep)).scores[0]
            let later = ForecastScene.timestamp(daysAgo: -40)
            let dispute = Sales_Forecasting_V1_DisputeScoreRequest.with {
                $0.dealID = mine.dealID
                $0.reason = "等待董事会审批"
                $0.newExpectedClose = later
            }
            let made = try await scene.forecasts.disputeScore(dispute, metadata: try await scene.metadata(scene.rep, key: "dispute-1"))
            // The score as it stood when disputed (a moment later than it was read: dwell grew).
            #expect(abs(made.disputedWinThisMonth - mine.winThisMonth) < 0.01)
            let replay = try await scene.forecasts.disputeScore(dispute, metadata: try await scene.metadata(scene.rep, key: "dispute-1"))
            #expect(replay == made)
            let shown = try await scene.forecasts.scoreDeals(.with { $0.dealID = mine.dealID }, metadata: try await scene.metadata(scene.rep))
            #expect(shown.scores.first?.dispute.reason == "等待董事会审批")
            #expect(shown.scores.first?.dispute.newExpectedClose.seconds == later.seconds)
            // The dispute is the rep's newest entry: the deal's expected close moved.
            #expect(shown.scores.first?.repExpectedClose.seconds == later.seconds)

            let refusals: [(Caller, Sales_Forecasting_V1_DisputeScoreRequest, RPCError.Code)] = [
                (scene.otherRep, dispute, .notFound),
                (scene.eastManager, dispute, .notFound),
                (
                    scene.rep,
                    .with {
                        $0.dealID = mine.dealID; $0.reason = "客户很忙"; $0.newExpectedClose = later
                    }, .invalidArgument
                ),
                (
                    scene.rep,
                    .with {
                        $0.dealID = mine.dealID; $0.reason = "等待董事会审批"; $0.newExpectedClose = ForecastScene.timestamp(daysAgo: 1)
                    }, .invalidArgument
                ),
                (
                    scene.rep,
                    .with {
                        $0.dealID = mine.dealID; $0.reason = "等待董事会审批"
                    }, .invalidArgument
                ),
            ]
            for (caller, request, code) in refusals {
                let error = await #expect(throws: RPCError.self) {
                    try await scene.forecasts.disputeScore(request, metadata: try await scene.metadata(caller))
                }
                #expect(error?.code == code, "\(caller.userID) \(request.reason)")
            }
        }
    }
}

extension Calendar {
    static var shanghai: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Asia/Shanghai")!
        return calendar
    }
}
