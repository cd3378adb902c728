import Foundation
import GRPCCore
import OpportunitiesService
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf
import TestSupport
import Testing

/// AdvanceStages, the bulk stage update: every move through the same gate as AdvanceStage, the
/// passing ones committed together, each refused one reported with its reason and undone.
@Suite struct BulkStageMoveTests {
    typealias Move = Sales_Opportunities_V1_AdvanceStageRequest

    static func move(_ deal: String, to stage: String, action: String = "", feedback: String = "", override: String = "") -> Move {
        .with {
            $0.opportunityID = deal
            $0.toStage = stage
            $0.keyAction = action
            $0.feedback = feedback
            $0.overrideReason = override
        }
    }

    @Test func eachMoveMeetsTheGateAndARefusedOneNeitherStopsNorLeavesAnything() async throws {
        let people = StageMoveTests.People()
        try await StageMoveTests().hosted { clients in
            let a = try await clients.newDeal(by: people.rep)
            let b = try await clients.newDeal(by: people.rep)
            let foreign = try await clients.newDeal(by: people.stranger)
            let answer = try await clients.deals.advanceStages(
                .with {
                    $0.moves = [
                        Self.move(a.id, to: "需求确认", action: "电话沟通", feedback: "有兴趣，要资料"),
                        Self.move(b.id, to: "需求确认", action: "电话沟通"),
                        Self.move(foreign.id, to: "需求确认", action: "电话沟通", feedback: "有兴趣"),
                        Self.move("not-an-id", to: "需求确认"),
                        Self.move(a.id, to: "方案报价", action: "发送方案", feedback: "想看报价"),
                        Self.move(b.id, to: "赢单", override: "老客户续约"),
                    ]
                }, metadata: try await clients.metadata(people.rep))
            #expect(answer.moved == 1 && answer.refused == 5)
            #expect(answer.outcomes.map(\.index) == Array(0..<6))
            #expect(answer.outcomes[0].moved.opportunity.stageKey == "需求确认")
            let refusals = answer.outcomes.map(\.refused)
            #expect(refusals[1].code == "FAILED_PRECONDITION" && refusals[1].message.contains("feedback:"), "\(refusals[1])")
            #expect(refusals[2].code == "NOT_FOUND", "another tenant's deal reads as missing: \(refusals[2])")
            #expect(refusals[3].code == "INVALID_ARGUMENT" && refusals[3].message.hasPrefix("moves[3].opportunity_id:"), "\(refusals[3])")
            // The second move of a follows the first: from 需求确认, and 方案报价 needs a visit.
            #expect(refusals[4].code == "FAILED_PRECONDITION" && refusals[4].message.contains("至少一次拜访记录"), "\(refusals[4])")
            #expect(refusals[5].code == "PERMISSION_DENIED", "a rep cannot override a gate: \(refusals[5])")

            let metadata = try await clients.metadata(people.rep)
            let history = { (id: String) in try await clients.deals.listStageHistory(.with { $0.opportunityID = id }, metadata: metadata).changes }
            #expect(try await history(a.id).map(\.toStage) == ["需求确认"])
            #expect(try await history(b.id).isEmpty)
            #expect(try await clients.deals.getOpportunity(.with { $0.id = b.id }, metadata: metadata).stageKey == "初步接触")

            // An admin's bulk override passes, recorded with its reason.
            let overridden = try await clients.deals.advanceStages(
                .with { $0.moves = [Self.move(b.id, to: "赢单", override: "老客户续约")] }, metadata: try await clients.metadata(people.admin))
            #expect(overridden.moved == 1 && overridden.outcomes[0].moved.change.overrideReason == "老客户续约")
        }
    }

    @Test func aBulkAnswersOnceForItsKeyAndRefusesAnEmptyOrOversizedList() async throws {
        let people = StageMoveTests.People()
        try await StageMoveTests().hosted { clients in
            let deal = try await clients.newDeal(by: people.rep)
            let request = Sales_Opportunities_V1_AdvanceStagesRequest.with {
                $0.moves = [Self.move(deal.id, to: "需求确认", action: "电话沟通", feedback: "有兴趣")]
            }
            let first = try await clients.deals.advanceStages(request, metadata: try await clients.metadata(people.rep, key: "bulk-1"))
            let again = try await clients.deals.advanceStages(request, metadata: try await clients.metadata(people.rep, key: "bulk-1"))
            #expect(first.moved == 1 && again == first, "a retried bulk gets its first answer, not 'already in 需求确认'")

            for count in [0, 501] {
                let error = await refusal {
                    try await clients.deals.advanceStages(
                        .with { $0.moves = Array(repeating: Self.move(deal.id, to: "方案报价"), count: count) },
                        metadata: try await clients.metadata(people.rep))
                }
                #expect(error?.code == .invalidArgument && error?.message.hasPrefix("moves: give 1 to 500 moves") == true, "\(error?.message ?? "")")
            }
        }
    }

    /// Two bulk updates over the same deals listed in opposite orders, at once: both apply, since
    /// each locks its deals in id order first (in listed order, one of them deadlocked: ABORTED).
    @Test func twoBulksOverTheSameDealsInOppositeOrdersBothApply() async throws {
        let people = StageMoveTests.People()
        try await StageMoveTests().hosted { clients in
            var ids: [String] = []
            for _ in 0..<6 { ids.append(try await clients.newDeal(by: people.rep).id) }
            let metadata = try await clients.metadata(people.admin)
            let orders = [ids, ids.reversed()]
            // Failures are collected, not thrown, so one call's error never cancels the other mid-flight.
            let failures = await withTaskGroup(of: String?.self) { group in
                for (n, order) in orders.enumerated() {
                    group.addTask {
                        let moves = order.map { Self.move($0, to: n == 0 ? "需求确认" : "输单", override: "批量整理 \(n)") }
                        do {
                            let answer = try await clients.deals.advanceStages(.with { $0.moves = moves }, metadata: metadata)
                            return answer.moved == 6 ? nil : "bulk \(n) moved \(answer.moved) of 6"
                        } catch {
                            return "bulk \(n): \(error)"
                        }
                    }
                }
                return await group.reduce(into: [String]()) { if let failure = $1 { $0.append(failure) } }
            }
            #expect(failures.isEmpty, "\(failures)")
            for id in ids {
                let history = try await clients.deals.listStageHistory(.with { $0.opportunityID = id }, metadata: metadata).changes
                #expect(history.count == 2, "each deal moved by both bulks, one after the other: \(history.map(\.toStage))")
            }
        }
    }
}
