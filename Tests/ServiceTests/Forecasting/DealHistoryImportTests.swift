import ForecastingService
import Foundation
import GRPCCore
import PostgresNIO
import SalesControl
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf
import TestSupport
import Testing

@Suite struct DealHistoryImportTests {
    @Test func aDealIsImportedOnceAndABadDealIsRefusedWholeWithItsField() async throws {
        try await ForecastScene.hosted { scene in
            let deals = try await scene.importPipeline(months: 2, dealsPerMonth: 10)
            let again = try await scene.forecasts.importHistory(
                .with { $0.deals = Array(deals.prefix(5)) }, metadata: try await scene.metadata(scene.admin))
            #expect(again.deals.map(\.result) == Array(repeating: "unchanged", count: 5))
            #expect(again.deals.map(\.line) == deals.prefix(5).map(\.line))

            let good = deals.first { $0.outcome != .open && $0.events.count >= 3 }!
            func variant(_ id: String, _ change: (inout Sales_Forecasting_V1_HistoryDeal) -> Void) -> Sales_Forecasting_V1_HistoryDeal {
                var deal = good
                deal.externalID = id
                change(&deal)
                return deal
            }
            let bad: [(Sales_Forecasting_V1_HistoryDeal, String)] = [
                (variant("X-SIGNAL") { $0.events[1].behaviour = "made_up_signal" }, "events[1].behaviour"),
                (variant("X-KIND") { $0.events[1].behaviour = "tender_published" }, "events[1].behaviour"),
                (variant("X-CLOSE") { $0.closedAt = Google_Protobuf_Timestamp(date: $0.createdAt.date.addingTimeInterval(-86_400)) }, "closed_at"),
                (variant("X-USD") { $0.amount.currency = "USD" }, "amount.currency"),
                (variant("X-TEAM") { $0.team = "east" }, "team"),
                (variant("X-EARLY") { $0.events[2].at = Google_Protobuf_Timestamp(date: $0.createdAt.date.addingTimeInterval(-60)) }, "events[2].at"),
                (variant("X-OPEN") { $0.outcome = .open }, "closed_at"),
                (
                    variant("X-PERCENT") { deal in
                        deal.events.append(
                            .with {
                                $0.at = deal.createdAt; $0.repEntry = .with { $0.probabilityPercent = 140 }
                            })
                    },
                    "events[\(good.events.count)].rep_entry.probability_percent"
                ),
                (variant("X-EMPTY") { deal in deal.events.append(.with { $0.at = deal.createdAt }) }, "events[\(good.events.count)]"),
            ]
            var fine = variant("X-FINE") { _ in }
            fine.line = 900
            let answer = try await scene.forecasts.importHistory(
                .with { $0.deals = bad.map(\.0) + [fine] }, metadata: try await scene.metadata(scene.admin))
            for ((deal, field), outcome) in zip(bad, answer.deals) {
                #expect(outcome.result.isEmpty, "\(deal.externalID)")
                #expect(outcome.errorCode == "INVALID_ARGUMENT", "\(deal.externalID)")
                #expect(outcome.field == field, "\(deal.externalID): \(outcome.reason)")
                #expect(!outcome.reason.isEmpty)
            }
            #expect(answer.deals.last?.result == "created")
            #expect(answer.deals.last?.line == 900)
            // A control character refuses its deal alone, naming the field; the deal beside it goes in.
            let nul = try await scene.forecasts.importHistory(
                .with { $0.deals = [variant("X-NUL") { $0.ownerID = "rep\u{0}01" }, variant("X-NUL-FINE") { _ in }] },
                metadata: try await scene.metadata(scene.admin))
            #expect(nul.deals[0].errorCode == "INVALID_ARGUMENT" && nul.deals[0].field == "owner_id", "\(nul.deals[0])")
            #expect(nul.deals[1].result == "created")
            // Nothing of a refused deal was kept: the fine one of the bad batch above and X-NUL-FINE.
            let kept = try await scene.database.query(
                "SELECT count(*) FROM forecast_deals WHERE tenant_id = \(scene.admin.tenant.rawValue) AND deal_id LIKE 'X-%'")
            for try await count in kept.decode(Int64.self) { #expect(count == 2) }

            // A later export of the same deal with more history replaces it.
            var grown = deals.first { $0.outcome == .open }!
            grown.events.append(
                .with {
                    $0.at = ForecastScene.timestamp(daysAgo: 0.01); $0.behaviour = "budget_confirmed"
                })
            let updated = try await scene.forecasts.importHistory(.with { $0.deals = [grown] }, metadata: try await scene.metadata(scene.admin))
            #expect(updated.deals.map(\.result) == ["updated"])
        }
    }

    @Test func onlyAnAdminImportsAndTooManyDealsAreRefused() async throws {
        try await ForecastScene.hosted { scene in
            let deals = PipelineGenerator(.init(start: Date().addingTimeInterval(-40 * 86_400), months: 2, dealsPerMonth: 300)).deals(now: Date())
            let denied = await #expect(throws: RPCError.self) {
                try await scene.forecasts.importHistory(.with { $0.deals = Array(deals.prefix(1)) }, metadata: try await scene.metadata(scene.rep))
            }
            #expect(denied?.code == .permissionDenied)
            let many = await #expect(throws: RPCError.self) {
                try await scene.forecasts.importHistory(
                    .with { $0.deals = Array(repeating: deals[0], count: 501) }, metadata: try await scene.metadata(scene.admin))
            }
            #expect(many?.code == .invalidArgument)
            #expect(many?.message.contains("deals") == true)
        }
    }

    @Test func aTenantDefinesItsOwnSignalAndImportsWithIt() async throws {
        try await ForecastScene.hosted { scene in
            let defined = try await scene.forecasts.defineSignal(
                .with {
                    $0.signal = .with {
                        $0.key = "wechat_group_joined"
                        $0.label = "客户拉群"
                        $0.kind = .behaviour
                        $0.source = "wecom"
                    }
                }, metadata: try await scene.metadata(scene.admin))
            #expect(defined.definedBy == "cfo")
            let list = try await scene.forecasts.listSignals(.init(), metadata: try await scene.metadata(scene.rep))
            #expect(list.signals.contains { $0.key == "wechat_group_joined" && $0.label == "客户拉群" })
            #expect(list.signals.contains { $0.key == "tender_published" && $0.kind == .external })
            // Another tenant's catalog does not have it.
            let theirs = try await scene.forecasts.listSignals(.init(), metadata: try await scene.metadata(scene.stranger))
            #expect(!theirs.signals.contains { $0.key == "wechat_group_joined" })
            for (key, field) in [("Bad Key", "signal.key"), ("proposal_opened", "")] {
                let error = await #expect(throws: RPCError.self) {
                    try await scene.forecasts.defineSignal(
                        .with {
                            $0.signal = .with {
                                $0.key = key
                                $0.label = "x"
                                $0.kind = .behaviour
                                $0.source = "x"
                            }
                        }, metadata: try await scene.metadata(scene.admin))
                }
                #expect(error?.code == (field.isEmpty ? .failedPrecondition : .invalidArgument))
            }
        }
    }

    /// StreamHistory: batches answered in order as each commits, a bad deal refused alone, the same
    /// batch again unchanged; a rep is refused, and an oversized batch ends the stream naming it.
    @Test func aStreamedImportAnswersEachBatchInOrder() async throws {
        try await ForecastScene.hosted { scene in
            let now = Date()
            let start = Calendar(identifier: .gregorian).date(byAdding: .month, value: -3, to: now)!
            let deals = PipelineGenerator(.init(seed: 11, start: start, months: 3, dealsPerMonth: 20)).deals(now: now)
            var broken = deals[3]
            broken.amount.currency = "USD"
            // Text is checked deal by deal in a stream as in a call: a NUL or 100 KB refuses that deal alone.
            var nul = deals[24]
            nul.team = "/east/\u{0}hz"
            var long = deals[25]
            long.segment = String(repeating: "企", count: 100_000)
            let batches = [Array(deals.prefix(3)) + [broken], Array(deals.dropFirst(4).prefix(20)) + [nul, long], Array(deals.prefix(3))]
            func stream(_ batches: [[Sales_Forecasting_V1_HistoryDeal]], as caller: Caller) async throws
                -> [Sales_Forecasting_V1_ImportHistoryResponse]
            {
                try await scene.forecasts.streamHistory(
                    metadata: try await scene.metadata(caller),
                    requestProducer: { writer in
                        for batch in batches { try await writer.write(.with { $0.deals = batch }) }
                    },
                    onResponse: { response in
                        var answers: [Sales_Forecasting_V1_ImportHistoryResponse] = []
                        for try await answer in response.messages { answers.append(answer) }
                        return answers
                    })
            }
            let answers = try await stream(batches, as: scene.admin)
            #expect(answers.map(\.deals.count) == [4, 22, 3])
            #expect(answers[0].deals.map(\.result) == ["created", "created", "created", ""])
            #expect(answers[0].deals[3].field == "amount.currency" && answers[0].deals[3].line == broken.line)
            #expect(answers[1].deals.prefix(20).allSatisfy { $0.result == "created" })
            #expect(answers[1].deals.suffix(2).map(\.field) == ["team", "segment"], "\(answers[1].deals.suffix(2))")
            #expect(
                answers[1].deals.suffix(2).allSatisfy { $0.errorCode == "INVALID_ARGUMENT" && $0.reason.contains("got \"") && $0.reason.count < 400 })
            #expect(answers[2].deals.map(\.result) == ["unchanged", "unchanged", "unchanged"], "the same deals again change nothing")

            let rep = await #expect(throws: RPCError.self) { try await stream([Array(deals.prefix(2))], as: scene.rep) }
            #expect(rep?.code == .permissionDenied)
            // Too many in one batch: the batches before it stay, the stream ends naming the limit.
            let oversized = await #expect(throws: RPCError.self) {
                try await stream([Array(deals.suffix(2)), Array(repeating: deals[0], count: 501)], as: scene.admin)
            }
            #expect(oversized?.code == .invalidArgument && oversized?.message.contains("deals") == true, "\(String(describing: oversized))")
            let kept = try await scene.forecasts.importHistory(
                .with { $0.deals = Array(deals.suffix(2)) }, metadata: try await scene.metadata(scene.admin))
            #expect(kept.deals.map(\.result) == ["unchanged", "unchanged"], "the batch answered before the bad one was kept")
            // Another tenant's stream does not see these deals: the same ids are new there.
            let other = try await stream([Array(deals.prefix(1))], as: scene.stranger)
            #expect(other.first?.deals.first?.result == "created")
        }
    }
}
