import Foundation
import GRPCCore
import SalesControl
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf
import TestSupport
import Testing

extension EndToEnd {
    /// Issue 13, points 1 and 3–9, over real gRPC against the forecasting executable: a tenant with
    /// no history gets a clear answer; a generated year of deals is imported, scored with factors
    /// and credibility, rolled up for the quarter, asked as of a past moment (a later event changes
    /// nothing), backtested against the reps, disputed, and searched for misses and losses.
    @Suite struct ForecastModelFlowTests {
        let tenant = TenantID("model-\(UInt32.random(in: 0...UInt32.max))")!
        var admin: Caller { Caller(tenant: tenant, userID: "cfo", roles: [.admin], orgPath: "/") }
        var manager: Caller { Caller(tenant: tenant, userID: "east.head", roles: [.manager], orgPath: "/east") }
        /// The generator puts rep01 in /east/hz and rep02 in /east/sh.
        var rep: Caller { Caller(tenant: tenant, userID: "rep01", roles: [.rep], orgPath: "/east/hz") }
        var otherRep: Caller { Caller(tenant: tenant, userID: "rep02", roles: [.rep], orgPath: "/east/sh") }
        /// A manager whose path is a string prefix of /east/hz, not an ancestor of it.
        var siblingManager: Caller { Caller(tenant: tenant, userID: "h.head", roles: [.manager], orgPath: "/east/h") }
        var stranger: Caller {
            Caller(tenant: TenantID("model-other-\(UInt32.random(in: 0...UInt32.max))")!, userID: "cfo", roles: [.admin], orgPath: "/")
        }

        @Test func aTenantWithNoHistoryGetsAClearAnswer() async throws {
            let (stack, _, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            try await client.with(.forecasting) { grpc in
                let forecasts = Sales_Forecasting_V1_ForecastService.Client(wrapping: grpc)
                let asAdmin = try await client.metadata(admin)
                let calls: [(String, () async throws -> Void)] = [
                    ("score", { _ = try await forecasts.scoreDeals(.init(), metadata: asAdmin) }),
                    ("train", { _ = try await forecasts.train(.init(), metadata: asAdmin) }),
                    ("period", { _ = try await forecasts.getPeriodForecast(.with { $0.period = LocalDays.month(0) }, metadata: asAdmin) }),
                    (
                        "backtest",
                        {
                            _ = try await forecasts.backtest(
                                .with {
                                    $0.fromMonth = LocalDays.month(-3); $0.toMonth = LocalDays.month(-1)
                                }, metadata: asAdmin)
                        }
                    ),
                ]
                for (name, call) in calls {
                    let refusal = await refusal(call)
                    #expect(refusal?.code == .failedPrecondition, "\(name): \(String(describing: refusal))")
                    #expect(refusal?.message.contains("salesctl import history") == true, "\(name): \(refusal?.message ?? "")")
                }
            }
        }

        @Test func aYearOfDealsIsScoredForecastBacktestedAndExplainedWithoutLeaks() async throws {
            let (stack, _, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            try await client.with(.forecasting) { grpc in
                let forecasts = Sales_Forecasting_V1_ForecastService.Client(wrapping: grpc)
                let (asAdmin, asRep) = (try await client.metadata(admin), try await client.metadata(rep))
                let now = Date()
                let start = Calendar(identifier: .gregorian).date(byAdding: .month, value: -12, to: now)!
                let deals = PipelineGenerator(.init(seed: 11, start: start, months: 13, dealsPerMonth: 50))
                    .deals(now: now)
                for batch in stride(from: 0, to: deals.count, by: 500) {
                    let answer = try await forecasts.importHistory(
                        .with { $0.deals = Array(deals[batch..<min(batch + 500, deals.count)]) }, metadata: asAdmin)
                    #expect(answer.deals.allSatisfy { $0.result == "created" }, "\(answer.deals.filter { $0.result != "created" }.prefix(3))")
                }

                // 1. The catalog: the twelve behaviour signals and the external ones, and the tenant's own.
                let catalog = try await forecasts.listSignals(.init(), metadata: asRep).signals
                #expect(Set(PipelineGenerator.behaviourKeys + PipelineGenerator.externalKeys).isSubset(of: Set(catalog.map(\.key))))
                #expect(catalog.filter { $0.kind == .external }.allSatisfy { !$0.source.isEmpty })
                let defined = try await forecasts.defineSignal(
                    .with {
                        $0.signal = .with {
                            $0.key = "site_survey"; $0.label = "现场勘查"; $0.kind = .behaviour; $0.source = "opportunities"
                        }
                    }, metadata: asAdmin)
                #expect(defined.definedBy == admin.userID)
                let badKey = await refusal {
                    try await forecasts.defineSignal(
                        .with {
                            $0.signal = .with {
                                $0.key = "Site Survey"; $0.label = "现场勘查"; $0.kind = .behaviour; $0.source = "opportunities"
                            }
                        }, metadata: asAdmin)
                }
                #expect(badKey?.code == .invalidArgument && badKey?.message.hasPrefix("signal.key") == true, "\(badKey?.message ?? "")")

                // 3–4. Trained on the closed deals; each score with its factors and credibility, in the caller's scope.
                let model = try await forecasts.train(.init(), metadata: asAdmin)
                #expect(model.deals > 100 && model.holdoutBrier > 0 && model.holdoutBrier < 0.25, "\(model)")
                let mine = try await forecasts.scoreDeals(.with { $0.page.pageSize = 200 }, metadata: asRep).scores
                #expect(!mine.isEmpty && mine.allSatisfy { $0.ownerID == rep.userID })
                for score in mine {
                    #expect((0...1).contains(score.winThisMonth) && score.winThisQuarter >= score.winThisMonth - 1e-9)
                    #expect(!score.factors.isEmpty && score.factors.count <= 5 && score.factors.allSatisfy { !$0.label.isEmpty && $0.points != 0 })
                    let level: Sales_Forecasting_V1_Credibility = score.behaviourPoints < 3 ? .l1 : score.externalSignals >= 2 ? .l3 : .l2
                    #expect(score.credibility == level, "\(score.dealID)")
                }
                let region = try await forecasts.scoreDeals(.with { $0.page.pageSize = 200 }, metadata: try await client.metadata(manager)).scores
                #expect(region.count > mine.count && region.allSatisfy { $0.team.hasPrefix("/east/") })
                #expect(try await forecasts.scoreDeals(.init(), metadata: try await client.metadata(siblingManager)).scores.isEmpty)
                let theirs = try #require(region.first { $0.ownerID == otherRep.userID })
                #expect(
                    await refusal { try await forecasts.scoreDeals(.with { $0.dealID = theirs.dealID }, metadata: asRep) }?.code
                        == .notFound)
                #expect(
                    await refusal { try await forecasts.scoreDeals(.init(), metadata: try await client.metadata(stranger)) }?
                        .code == .failedPrecondition)

                // 5. The quarter: the management view counts won, L2 and L3 only; the reps' figure beside it.
                let parts = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "Asia/Shanghai")!, from: now)
                let quarter = "\(parts.year!)-Q\((parts.month! - 1) / 3 + 1)"
                let byTeam = try await forecasts.getPeriodForecast(
                    .with {
                        $0.period = quarter; $0.groupBy = .team
                    }, metadata: asAdmin)
                let total = byTeam.total
                #expect(total.management.minorUnits == total.won.minorUnits + total.level2.minorUnits + total.level3.minorUnits)
                #expect(total.management.minorUnits <= total.expected.minorUnits && total.repEntered.minorUnits > 0)
                #expect(abs(total.expected.minorUnits - byTeam.lines.reduce(0) { $0 + $1.expected.minorUnits }) <= Int64(byTeam.lines.count))
                #expect(
                    try await forecasts.getPeriodForecast(
                        .with {
                            $0.period = quarter; $0.groupBy = .rep
                        }, metadata: asRep
                    ).lines.map(\.key) == ["rep01"])
                let badPeriod = await refusal {
                    try await forecasts.getPeriodForecast(.with { $0.period = "2026-13" }, metadata: asAdmin)
                }
                #expect(badPeriod?.code == .invalidArgument && badPeriod?.message.hasPrefix("period") == true)

                // 6. As of 45 days ago, then a later signal, a win and a new deal: the answer is the same.
                let asked = Sales_Forecasting_V1_ScoreDealsRequest.with {
                    $0.asOf = Google_Protobuf_Timestamp(date: now.addingTimeInterval(-45 * 86_400)); $0.page.pageSize = 200
                }
                let before = try await forecasts.scoreDeals(asked, metadata: asAdmin)
                #expect(!before.scores.isEmpty)
                var changed = try #require(deals.first { deal in deal.outcome == .open && before.scores.contains { $0.dealID == deal.externalID } })
                changed.events.append(
                    .with {
                        $0.at = Google_Protobuf_Timestamp(date: now.addingTimeInterval(-2 * 86_400));
                        $0.behaviour = "finance_requested_contract_template"
                    })
                changed.outcome = .won
                changed.closedAt = Google_Protobuf_Timestamp(date: now.addingTimeInterval(-86_400))
                var late = changed
                late.externalID = "LATE-\(UInt32.random(in: 0...UInt32.max))"
                late.createdAt = Google_Protobuf_Timestamp(date: now.addingTimeInterval(-10 * 86_400))
                late.events = [
                    .with {
                        $0.at = late.createdAt; $0.stage = "商务谈判"
                    }
                ]
                let answer = try await forecasts.importHistory(.with { $0.deals = [changed, late] }, metadata: asAdmin)
                #expect(answer.deals.map(\.result) == ["updated", "created"])
                let after = try await forecasts.scoreDeals(asked, metadata: asAdmin)
                #expect(after.scores == before.scores && after.model.deals == before.model.deals, "nothing after as_of leaks in")

                // 6. Three past months backtested, the model beside the reps.
                let backtest = try await forecasts.backtest(
                    .with {
                        $0.fromMonth = LocalDays.month(-3); $0.toMonth = LocalDays.month(-1)
                    }, metadata: asAdmin)
                #expect(backtest.months.map(\.month) == [LocalDays.month(-3), LocalDays.month(-2), LocalDays.month(-1)])
                for month in backtest.months {
                    #expect(month.openDeals > 0 && month.actual.minorUnits > 0 && month.repForecast.minorUnits > 0, "\(month.month)")
                    #expect((0...1).contains(month.brier) && (0...1).contains(month.repBrier) && month.accuracy <= 1, "\(month.month)")
                }
                let running = await refusal {
                    try await forecasts.backtest(
                        .with {
                            $0.fromMonth = LocalDays.month(-1); $0.toMonth = LocalDays.month(0)
                        }, metadata: asAdmin)
                }
                #expect(running?.code == .invalidArgument && running?.message.contains("has not ended") == true)

                // 8. A rep disputes their own score with a preset reason, once per key; shown beside it.
                let reasons = try await forecasts.listDisputeReasons(.init(), metadata: asRep).reasons
                #expect(reasons.contains("等待董事会审批"))
                let newClose = Google_Protobuf_Timestamp(date: now.addingTimeInterval(40 * 86_400))
                let dispute = Sales_Forecasting_V1_DisputeScoreRequest.with {
                    $0.dealID = mine[0].dealID; $0.reason = "等待董事会审批"; $0.newExpectedClose = newClose
                }
                let made = try await forecasts.disputeScore(dispute, metadata: try await client.metadata(rep, idempotencyKey: "dispute-1"))
                #expect(try await forecasts.disputeScore(dispute, metadata: try await client.metadata(rep, idempotencyKey: "dispute-1")) == made)
                let shown = try await forecasts.scoreDeals(.with { $0.dealID = mine[0].dealID }, metadata: asRep).scores.first
                #expect(shown?.dispute.reason == "等待董事会审批" && shown?.repExpectedClose.seconds == newClose.seconds)
                let byOther = await refusal {
                    try await forecasts.disputeScore(dispute, metadata: try await client.metadata(otherRep))
                }
                #expect(byOther?.code == .notFound)
                var unlistedReason = dispute
                unlistedReason.reason = "客户很忙"
                let unlisted = await refusal { [unlistedReason] in
                    try await forecasts.disputeScore(unlistedReason, metadata: asRep)
                }
                #expect(unlisted?.code == .invalidArgument && unlisted?.message.hasPrefix("reason") == true, "\(unlisted?.message ?? "")")

                // 7. Why it missed: each late or lost-high deal of the last three months with its causes, counted per team.
                var misses = 0
                for offset in -3 ... -1 {
                    let listed = try await forecasts.listMisses(.with { $0.month = LocalDays.month(offset) }, metadata: asAdmin)
                    #expect(listed.teams.reduce(0) { $0 + $1.misses } == Int32(listed.misses.count))
                    #expect(listed.misses.allSatisfy { ["late", "lost_high"].contains($0.kind) && $0.forecastAt.date < $0.closedAt.date })
                    misses += listed.misses.count
                }
                #expect(misses > 0, "three months of a generated pipeline hold some misses")

                // 9. The loss watch: every flagged team with what its losses share and three interventions.
                let watch = try await forecasts.getLossWatch(.init(), metadata: asAdmin)
                #expect(watch.threshold > 1 && !watch.teams.isEmpty)
                #expect(watch.teams.filter(\.flagged).allSatisfy { $0.interventions.count == 3 })
                #expect(try await forecasts.getLossWatch(.init(), metadata: try await client.metadata(stranger)).teams.isEmpty)
            }
        }
    }
}
