import Foundation
import GRPCCore
import SalesModel
import SalesProto
import ServiceKit
import StoreSalesService
import SwiftProtobuf
import TestSupport
import Testing

/// The golden 15 minutes as the chain configures them: its "store-feedback" rule set (JsonLogic
/// over the receipt) says, per served purchase, within how many minutes the clerk's feedback is
/// due and what kind counts; the sweep and the comparison read each receipt's own due.
@Suite struct FeedbackRuleTests {
    @Test func theChainsRulesSayWhatIsDueWhen() async throws {
        try await StoreScene.hosted { scene in
            _ = try await scene.openStore()
            try await scene.reachPeople()
            var sampleProduct = StoreScene.product(3, "SKU-SAMPLE", "洁面小样", 100)
            sampleProduct.category = "小样"
            _ = try await scene.receipts.importProducts(.with { $0.rows = [sampleProduct] }, metadata: try await scene.metadata(scene.manager))
            let member = try await scene.scan("13800138000", of: scene.clerk).member

            // No rules yet: the service's 15 minutes, any note.
            let plain = try await scene.record(
                StoreScene.receipt(
                    "F-0", member: "13800138000", clerk: scene.clerk.userID, items: [("SKU-REMOVER", 1, 9_900, 0)],
                    soldAt: Date().addingTimeInterval(-60))
            ).receipt
            #expect(plain.feedbackNeeds == "note" && plain.feedbackDueAt.date.timeIntervalSince(plain.soldAt.date) == 15 * 60)

            let saved = try await scene.rules.saveRuleSet(
                .with {
                    $0.name = "store-feedback"; $0.comment = "大单拍照，小样不用反馈"; $0.activate = true
                    $0.rules = [
                        Self.rule("samples", #"{"in": ["小样", {"var": "categories"}]}"#, #"{"minutes": 0}"#),
                        Self.rule("big-photo", #"{">=": [{"var": "total"}, 200]}"#, #"{"minutes": 10, "needs": "photo", "label": "大单拍照反馈"}"#),
                        Self.rule("others", "true", #"{"minutes": 30}"#),
                    ]
                }, metadata: try await scene.metadata(scene.admin))
            #expect(saved.version == 1)

            let big = try await scene.record(
                StoreScene.receipt(
                    "F-1", member: "13800138000", clerk: scene.clerk.userID, items: [("SKU-CLEANSER", 2, 12_800, 0)],
                    soldAt: Date().addingTimeInterval(-20 * 60))
            ).receipt
            #expect(big.feedbackNeeds == "photo" && big.feedbackLabel == "大单拍照反馈")
            #expect(big.feedbackDueAt.date.timeIntervalSince(big.soldAt.date) == 10 * 60)
            let small = try await scene.record(
                StoreScene.receipt(
                    "F-2", member: "13800138000", clerk: scene.clerk.userID, items: [("SKU-REMOVER", 1, 9_900, 0)],
                    soldAt: Date().addingTimeInterval(-20 * 60))
            ).receipt
            #expect(small.feedbackNeeds == "note" && small.feedbackDueAt.date.timeIntervalSince(small.soldAt.date) == 30 * 60)
            let sample = try await scene.record(
                StoreScene.receipt(
                    "F-3", member: "13800138000", clerk: scene.clerk.userID, items: [("SKU-SAMPLE", 1, 100, 0)],
                    soldAt: Date().addingTimeInterval(-20 * 60))
            ).receipt
            #expect(!sample.hasFeedbackDueAt, "a sample owes nothing")
            // The receipt sent again answers the same due.
            let again = try await scene.record(
                StoreScene.receipt(
                    "F-1", member: "13800138000", clerk: scene.clerk.userID, items: [("SKU-CLEANSER", 2, 12_800, 0)],
                    soldAt: big.soldAt.date))
            #expect(again.alreadyRecorded && again.receipt.feedbackNeeds == "photo")
            #expect(abs(again.receipt.feedbackDueAt.date.timeIntervalSince(big.feedbackDueAt.date)) < 0.001)

            // A text note is not the photo the big sale owes: after its 10 minutes the clerk is reminded, once.
            _ = try await scene.members.addMemberNote(
                .with {
                    $0.memberID = member.id; $0.rating = 4; $0.needs = "想要美白系列"
                }, metadata: try await scene.metadata(scene.clerk))
            let swept = try await scene.stores.sweepStores(.init(), metadata: try await scene.metadata(scene.admin))
            #expect(swept.feedbackReminders == 1, "F-1 owes a photo; F-0 and F-2 have their note in time; F-3 owes nothing")
            let reminders = try await scene.deliveries("member_feedback_due", to: "WangFang")
            #expect(reminders.count == 1 && reminders.first?.contains("F-1") == true && reminders.first?.contains("拍照反馈") == true)
            #expect(try await scene.stores.sweepStores(.init(), metadata: try await scene.metadata(scene.admin)).feedbackReminders == 0)

            // The rules' dry run reads a recorded receipt as the rules do.
            let evaluated = try await scene.rules.evaluateRuleSet(
                .with {
                    $0.name = "store-feedback"; $0.recordID = big.id
                }, metadata: try await scene.metadata(scene.admin))
            #expect(evaluated.matchedRuleID == "big-photo")

            let week = try await scene.stores.getStoreComparison(
                .with {
                    $0.from = LocalDays.fromToday(-1); $0.to = LocalDays.fromToday(0)
                }, metadata: try await scene.metadata(scene.admin))
            #expect(week.total.servedReceipts == 4 && week.total.feedbackOwed == 3, "the sample owed nothing")
        }
    }

    @Test func anOutcomeTheSweepCannotReadIsRefusedOnSave() async throws {
        try await StoreScene.hosted { scene in
            for (outcome, problem) in [
                (#"{"minutes": 2000}"#, "outcome.minutes must be a whole number of minutes"),
                (#"{"minutes": 15, "needs": "video"}"#, "outcome.needs must be one of note, photo, voice"),
                (#""15 minutes""#, "outcome must be an object"),
            ] {
                let error = await #expect(throws: RPCError.self) {
                    try await scene.rules.saveRuleSet(
                        .with {
                            $0.name = "store-feedback"; $0.comment = "bad"; $0.activate = true
                            $0.rules = [Self.rule("all", "true", outcome)]
                        }, metadata: try await scene.metadata(scene.admin))
                }
                #expect(error?.code == .invalidArgument && error?.message.contains(problem) == true, "\(error?.message ?? "")")
            }
            let unknownField = await #expect(throws: RPCError.self) {
                try await scene.rules.saveRuleSet(
                    .with {
                        $0.name = "store-feedback"; $0.comment = "bad"; $0.activate = true
                        $0.rules = [Self.rule("all", #"{"==": [{"var": "grade"}, "A"]}"#, #"{"minutes": 5}"#)]
                    }, metadata: try await scene.metadata(scene.admin))
            }
            #expect(unknownField?.message.contains("grade") == true, "\(unknownField?.message ?? "")")
        }
    }

    static func rule(_ id: String, _ condition: String, _ outcome: String) -> Sales_Common_V1_RuleDefinition {
        .with {
            $0.id = id
            $0.conditionJson = condition
            $0.outcomeJson = outcome
        }
    }
}
