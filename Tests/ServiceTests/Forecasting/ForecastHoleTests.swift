import ForecastingService
import Foundation
import GRPCCore
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
            }
        }
    }
}
